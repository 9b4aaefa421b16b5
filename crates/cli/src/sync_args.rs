//! Clap forms of the channel, sync and simulator commands (`shared/cli.md`, "Channels and
//! sync"). Kept apart from args.rs so the sync surface grows without touching the ledger's.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

#[derive(Subcommand)]
pub enum ChannelCommand {
    /// Add a channel. Secrets come from the environment and go to the keychain (or a 0600 file
    /// beside the database): SHELFSYNC_SHOPIFY_TOKEN, SHELFSYNC_SHOPIFY_WEBHOOK_SECRET (shopify);
    /// SHELFSYNC_LWA_CLIENT_ID, SHELFSYNC_LWA_CLIENT_SECRET, SHELFSYNC_LWA_REFRESH_TOKEN (amazon);
    /// SHELFSYNC_EBAY_CLIENT_ID, SHELFSYNC_EBAY_CLIENT_SECRET, SHELFSYNC_EBAY_REFRESH_TOKEN (ebay).
    /// Amazon and eBay tokens come from --auth-endpoint when given; otherwise from the real auth
    /// host of a real API host (Login with Amazon, eBay's OAuth), or else from --endpoint
    Add {
        #[arg(value_enum)]
        kind: ChannelKindArg,
        name: String,
        /// Base URL: https://SHOP.myshopify.com, https://sellingpartnerapi-na.amazon.com,
        /// https://api.ebay.com, or the simulator's http://127.0.0.1:PORT
        #[arg(long)]
        endpoint: String,
        /// Shopify shop domain
        #[arg(long)]
        shop: Option<String>,
        /// Amazon seller id
        #[arg(long)]
        seller_id: Option<String>,
        /// Amazon marketplace id
        #[arg(long)]
        marketplace: Option<String>,
        /// Amazon and eBay: the OAuth token endpoint (a sandbox, a proxy, a simulator); a URL
        /// without a path gets the channel's token path
        #[arg(long)]
        auth_endpoint: Option<String>,
    },
    /// Channels with their rules and listing counts
    List,
    /// Amazon: receive orders as ORDER_CHANGE notifications through your SQS queue. Creates the
    /// SP-API destination for the queue and the ORDER_CHANGE subscription (both reused when they
    /// exist) and stores the queue; the AWS key pair that may read it comes from
    /// SHELFSYNC_AWS_ACCESS_KEY_ID and SHELFSYNC_AWS_SECRET_ACCESS_KEY (to the keychain or the
    /// 0600 file). The queue's policy must let Amazon's notification principal send to it
    Notifications {
        name: String,
        /// The queue URL SQS shows: https://sqs.REGION.amazonaws.com/ACCOUNT_ID/QUEUE_NAME
        #[arg(long)]
        queue_url: String,
        /// The queue's AWS region (us-east-1, eu-west-1, ...)
        #[arg(long)]
        region: String,
    },
    /// Make a real authenticated call and say what worked or what failed
    Test { name: String },
    /// Read the channel's catalogue and match it to our items by SKU; --apply writes the
    /// matched mappings (one transaction) and queues their push
    Link {
        name: String,
        /// Write the matched mappings (without it nothing changes)
        #[arg(long)]
        apply: bool,
        /// Shopify: our location feeding the listings (default: our only location)
        #[arg(long)]
        location: Option<String>,
        /// Shopify: the shop's Location GID (default: the shop's only location)
        #[arg(long)]
        remote_location: Option<String>,
    },
    /// Map one SKU (at a location) to the channel's ids
    Map {
        name: String,
        sku: String,
        /// Our location whose stock feeds the listing (Shopify: required)
        #[arg(long)]
        location: Option<String>,
        /// The channel's item id (Shopify: InventoryItem GID)
        #[arg(long)]
        item: String,
        /// The channel's location id (Shopify: Location GID)
        #[arg(long)]
        remote_location: Option<String>,
    },
    /// Import mappings from CSV, all or nothing (shopify: sku,location,inventory_item_id,location_id;
    /// amazon: sku,seller_sku; ebay: sku,offer_id with offer_id empty to look it up by SKU)
    ImportMappings { name: String, file: PathBuf },
    /// Set the channel's allocation rule; listings whose quantity changes are queued
    Rule {
        name: String,
        /// Feeding locations, comma-separated ('' for every location)
        #[arg(long, value_delimiter = ',')]
        locations: Option<Vec<String>>,
        /// Share of ATP after safety stock, 0 to 100
        #[arg(long, allow_negative_numbers = true)]
        percent: Option<i64>,
        /// Units held back from this channel
        #[arg(long, allow_negative_numbers = true)]
        buffer: Option<i64>,
        /// Most units this channel may show
        #[arg(long, allow_negative_numbers = true, conflicts_with = "no_cap")]
        cap: Option<i64>,
        /// Remove the cap
        #[arg(long)]
        no_cap: bool,
        #[arg(long, value_enum)]
        conflict: Option<ConflictArg>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ChannelKindArg {
    Shopify,
    Amazon,
    Ebay,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ConflictArg {
    Central,
    Channel,
    Flag,
}

impl ConflictArg {
    pub fn as_str(self) -> &'static str {
        match self {
            ConflictArg::Central => "central",
            ConflictArg::Channel => "channel",
            ConflictArg::Flag => "flag",
        }
    }
}

#[derive(Subcommand)]
pub enum SyncCommand {
    /// Run the engine: --once drains every channel until nothing is due; otherwise until Ctrl-C
    Run {
        #[arg(long)]
        once: bool,
    },
    /// Per channel: state, queue depth, last success, errors in the last hour, p95 latency, dead letters
    Status,
    /// Why a SKU's pushed quantity is what it is
    Explain {
        sku: String,
        #[arg(long)]
        channel: String,
    },
    /// The dead-letter queue
    #[command(subcommand)]
    Dlq(DlqCommand),
    /// Flash-sale mode: while an item sells fast, its last units are shared out between its
    /// listings so no two channels sell the same unit
    #[command(subcommand, name = "flash-sale")]
    FlashSale(FlashSaleCommand),
}

#[derive(Subcommand)]
pub enum FlashSaleCommand {
    /// The rule in force and the items selling fast now, with each listing's share
    Show,
    /// Turn the mode on (admin): an item with TRIGGER channel sales within WINDOW sells fast
    On {
        /// Seconds, or with a unit: 90s, 10m, 1h (at most a day)
        #[arg(long, default_value = "10m")]
        window: String,
        /// Channel sales (order lines) within the window that make an item sell fast
        #[arg(long, default_value_t = 5)]
        trigger: u64,
    },
    /// Turn the mode off (admin): every listing gets its channel's rule again
    Off,
    /// What a rule would list now for the items sold within its window, beside what they list; changes nothing
    DryRun {
        #[arg(long, default_value = "10m")]
        window: String,
        #[arg(long, default_value_t = 5)]
        trigger: u64,
    },
}

#[derive(Subcommand)]
pub enum DlqCommand {
    /// Open dead letters, oldest first
    List,
    /// Re-queue one dead letter, or all open ones
    Retry { id: Option<String> },
}

#[derive(Args)]
pub struct SimArgs {
    /// Port on 127.0.0.1 (0: any free port; the URL is printed)
    #[arg(long, default_value_t = 8787)]
    pub port: u16,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Shopify plan whose cost bucket to simulate: standard (100/s restore, 2,000 points),
    /// advanced (200/4,000), plus (1,000/20,000) or enterprise (2,000/40,000)
    #[arg(long, default_value = "standard", value_parser = parse_plan)]
    pub shopify_plan: shelfsync_sim::ShopifyPlan,
    /// Cost-bucket size in points; overrides the plan's (Standard: 2000)
    #[arg(long)]
    pub bucket: Option<f64>,
    /// Points restored per second; overrides the plan's (Standard: 100)
    #[arg(long)]
    pub restore_rate: Option<f64>,
}

/// A plan name, as the simulator's own binary reads it (one line naming the four plans).
fn parse_plan(text: &str) -> Result<shelfsync_sim::ShopifyPlan, String> {
    text.parse().map_err(|e: shelfsync_sim::UnknownPlan| e.to_string())
}
