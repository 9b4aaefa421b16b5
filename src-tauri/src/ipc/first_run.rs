//! The first run's channel step: the connection test and the link review.

wire! {
    /// "Test connection": a real authenticated call to the channel, and what it said in words.
    pub struct ChannelTestView {
        pub channel: String,
        pub ok: bool,
        /// What worked ("shop Demo (demo.myshopify.com), 2 locations") or what failed and what
        /// to check ("The channel refused the access token: ...").
        pub message: String,
        /// The account the credentials reach (shop domain, seller id), when the channel says.
        pub account: Option<String>,
        /// The shop's locations (Shopify), to choose the one the link puts listings at.
        pub shop_locations: Vec<ShopLocationView>,
    }

    /// A location of the channel's (Shopify): its id and name as the shop shows them.
    pub struct ShopLocationView {
        pub id: String,
        pub name: String,
    }

    /// Where one SKU stands in the link review.
    pub enum LinkStatusView {
        /// Our SKU and one listing of theirs with the same SKU: linked by "Link".
        Matched,
        /// Our item with no listing of that SKU on the channel.
        UnmatchedOurs,
        /// A listing on the channel whose SKU is not in our catalogue.
        UnmatchedTheirs,
        /// Several listings of theirs share the SKU: nothing is linked until one is removed.
        Ambiguous,
    }

    /// One row of the link review.
    pub struct LinkRowView {
        pub status: LinkStatusView,
        pub sku: String,
        /// The channel's ids for this SKU (one when matched, several when ambiguous, none when
        /// the item is ours only).
        pub theirs: Vec<String>,
    }

    /// The link review of one channel: counts of each kind, and the first rows of each.
    pub struct LinkReviewView {
        pub channel: String,
        pub matched: u32,
        pub unmatched_ours: u32,
        pub unmatched_theirs: u32,
        pub ambiguous: u32,
        /// At most `MAX_LINK_ROWS` per kind, matched first.
        pub rows: Vec<LinkRowView>,
        /// Listings linked by this call (`apply`), `None` for a review only.
        pub linked: Option<u32>,
        /// Our location whose stock the listings carry (Shopify), and the shop's location.
        pub location: Option<String>,
        pub shop_location: Option<String>,
        /// Listings of ours already linked on this channel (left as they are).
        pub already_linked: u32,
    }
}
