//! Settings: thresholds, users, locations, tolerances, channels and their secrets, scanner
//! devices, this workstation's settings and diagnostics.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::session::RoleView;

wire! {
    /// Flash-sale mode: the rule (the default one shown while off) and, while on, every
    /// listing of an item selling fast with its share.
    pub struct FlashSaleView {
        pub on: bool,
        pub window_secs: u32,
        pub trigger_sales: u32,
        pub selling_fast: Vec<FlashListingView>,
    }

    pub struct FlashListingView {
        pub sku: String,
        pub channel: String,
        /// What the listing gets now: its share, or less where its channel's rule gives less.
        #[ts(type = "number")]
        pub listed_now: i64,
        #[ts(type = "number")]
        pub share: i64,
        pub sales_in_window: u32,
    }

    /// One alert threshold (business hours are two of them: start and end, UTC hours).
    pub struct ThresholdView {
        pub rule: String,
        pub value: f64,
        pub meaning: String,
    }

    pub struct ManagedUser {
        pub name: String,
        pub role: RoleView,
        pub active: bool,
    }

    pub struct NewLocationRequest {
        pub code: String,
        pub name: String,
        pub parent: Option<String>,
    }

    /// Count tolerance for a category (`null`: the default for every category).
    pub struct ToleranceView {
        pub category: Option<String>,
        #[ts(type = "number | null")]
        pub units: Option<i64>,
        /// Percent of expected, in basis points (1% = 100).
        #[ts(type = "number | null")]
        pub percent_bp: Option<i64>,
        #[ts(type = "number | null")]
        pub value_cents: Option<i64>,
        pub auto_post: bool,
    }

    pub struct RuleView {
        /// Feeding locations; empty means every location.
        pub locations: Vec<String>,
        pub percent: u8,
        #[ts(type = "number")]
        pub buffer: i64,
        #[ts(type = "number | null")]
        pub cap: Option<i64>,
        /// central | channel | flag
        pub conflict: String,
    }

    /// A channel as settings show it. Secrets are never sent back: only which ones are stored.
    pub struct ChannelView {
        pub name: String,
        pub kind: String,
        pub endpoint: String,
        pub shop: Option<String>,
        pub seller_id: Option<String>,
        pub marketplace_id: Option<String>,
        #[ts(type = "number")]
        pub listings: i64,
        pub rule: RuleView,
        /// Names of the secrets this kind needs, each with whether it is stored.
        pub secrets: Vec<SecretStatus>,
        /// "keychain" or "file".
        pub secret_store: String,
    }

    pub struct SecretStatus {
        pub name: String,
        pub stored: bool,
    }

    /// A scanner-like device visible now (HID POS or serial).
    pub struct DeviceView {
        pub kind: String,
        pub path: String,
        pub product: Option<String>,
        pub vid_pid: Option<String>,
    }

    /// Where a workstation setting's value comes from (environment > saved > default).
    pub enum SettingSource {
        /// An environment variable set on this machine overrides it: the screen cannot change it.
        Env,
        /// Saved in the database for this workstation.
        Saved,
        /// Neither: the built-in default.
        Default,
    }

    /// One setting of this workstation, as the Settings screen shows it.
    pub struct WorkstationSettingView {
        pub key: String,
        pub value: String,
        pub source: SettingSource,
        /// The variable that overrides this setting, if any (`SHELFSYNC_...`).
        pub env_var: Option<String>,
        /// The variable is set but its value was refused, and why (it is then ignored).
        pub env_refused: Option<String>,
        /// When a change takes effect, in words.
        pub applies: String,
    }

    /// What "Save diagnostics" wrote.
    pub struct DiagnosticsView {
        /// The folder, next to the database.
        pub folder: String,
        /// The files in it, by name.
        pub files: Vec<String>,
    }
}

/// A channel to add. Its secrets go to the keychain (or the 0600 file) and never come back.
#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/src/bindings/"))]
pub struct NewChannelRequest {
    pub name: String,
    /// shopify | amazon | ebay
    pub kind: String,
    pub endpoint: String,
    pub shop: Option<String>,
    pub seller_id: Option<String>,
    pub marketplace_id: Option<String>,
    /// Amazon and eBay: the OAuth token endpoint, for sandboxes and simulators. Empty or absent:
    /// the channel's real auth host for a real API host, else the endpoint itself.
    #[serde(default)]
    #[ts(optional)]
    pub auth_endpoint: Option<String>,
    pub secrets: Vec<SecretField>,
}

/// One secret as typed into the form. `Debug` hides the value so no log can show it.
#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/src/bindings/"))]
pub struct SecretField {
    pub name: String,
    pub value: String,
}

impl std::fmt::Debug for SecretField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretField {{ name: {:?}, value: *** }}", self.name)
    }
}

impl std::fmt::Debug for NewChannelRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewChannelRequest")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("endpoint", &self.endpoint)
            .field("secrets", &self.secrets)
            .finish_non_exhaustive()
    }
}

impl From<shelfsync_sync::config::RuleRecord> for RuleView {
    fn from(r: shelfsync_sync::config::RuleRecord) -> RuleView {
        RuleView {
            locations: r.locations,
            percent: r.percent,
            buffer: r.buffer,
            cap: r.cap,
            conflict: r.conflict,
        }
    }
}

impl From<shelfsync_store::User> for ManagedUser {
    fn from(user: shelfsync_store::User) -> ManagedUser {
        ManagedUser { name: user.name, role: user.role.into(), active: user.active }
    }
}
