//! How a refused command reaches the webview: a stable code the UI translates, the values its
//! sentence names, and Rust's English sentence, which the UI shows when its catalogue has no
//! message for the code (and always in English, so the English words never drift).

use std::collections::BTreeMap;

wire! {
    /// A refused command. `code` is stable ("stock.unknownSku", "signin.lockedOut"): the UI's
    /// catalogue key is `errors.` + code. `args` are the values the message names (a SKU, a
    /// location, a limit), numbers as numbers.
    pub struct IpcError {
        pub code: String,
        pub message: String,
        #[ts(type = "Record<string, string | number>")]
        pub args: BTreeMap<String, serde_json::Value>,
    }
}
