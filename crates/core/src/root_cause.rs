//! Root-cause categories of an oversell incident: the one list the app, the CLI and the
//! monthly review share.
//!
//! The guide asks for "a root cause analysis within 48 hours" of every oversell, tracked "in a
//! log" and reviewed "monthly for patterns". Patterns need categories: free text alone ("late
//! sync", "sync was late", "Shopify slow") does not group. So a resolution names one category
//! from this list, and free text beside it says what happened this time. The categories are
//! the guide's "five ways sync breaks", Amazon's silently rejected feeds (its channel section),
//! a count or receiving error in the warehouse itself (no sync failure at all), and `other`.
//! Pure: no I/O.

use thiserror::Error;

use crate::printable;

/// One category: a stable key (stored, and typed in the CLI), a label for the screen, and the
/// guide's words for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RootCause {
    pub key: &'static str,
    pub label: &'static str,
    pub guide: &'static str,
}

/// Longest category key; the store's column holds at most this many characters.
pub const MAX_KEY_LEN: usize = 32;

/// The categories, in the guide's order, `other` last.
pub const ROOT_CAUSES: [RootCause; 8] = [
    RootCause {
        key: "rate_limit",
        label: "API rate limiting",
        guide: "updates queued behind a channel's throughput limit (the guide's way 1)",
    },
    RootCause {
        key: "webhook_missed",
        label: "Missed webhook",
        guide: "a sale whose webhook never arrived or came late (way 2)",
    },
    RootCause {
        key: "peak_timing",
        label: "Timing gap at peak",
        guide: "a burst of sales faster than the sync window, a flash sale (way 3)",
    },
    RootCause {
        key: "manual_override",
        label: "Manual change outside the sync",
        guide: "stock changed in a spreadsheet or another system, not through ShelfSync (way 4)",
    },
    RootCause {
        key: "multi_location",
        label: "Transfer between locations",
        guide: "one half of a transfer recorded, the other not (way 5)",
    },
    RootCause {
        key: "feed_rejected",
        label: "Channel rejected the update",
        guide: "an update refused or silently dropped by the channel: bad mapping, bad format",
    },
    RootCause {
        key: "count_error",
        label: "Stock record wrong",
        guide: "the sync was right, the record was not: a miscount, a receipt booked wrong",
    },
    RootCause { key: "other", label: "Other", guide: "none of these: say what in the text" },
];

/// Why a category was refused: one line naming it and the choices.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("unknown root-cause category '{}': expected one of {}", printable(.0), keys().join(", "))]
pub struct UnknownCause(pub String);

/// Every key, in order.
pub fn keys() -> Vec<&'static str> {
    ROOT_CAUSES.iter().map(|c| c.key).collect()
}

/// The category with `key` (exactly, after trimming).
pub fn root_cause(key: &str) -> Result<&'static RootCause, UnknownCause> {
    let k = key.trim();
    ROOT_CAUSES.iter().find(|c| c.key == k).ok_or_else(|| UnknownCause(key.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_distinct_short_snake_case_and_other_is_last() {
        let mut seen = std::collections::BTreeSet::new();
        for c in &ROOT_CAUSES {
            assert!(seen.insert(c.key), "{} twice", c.key);
            assert!(!c.key.is_empty() && c.key.len() <= MAX_KEY_LEN, "{}", c.key);
            assert!(c.key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{}", c.key);
            assert!(!c.label.is_empty() && !c.guide.is_empty(), "{}", c.key);
        }
        assert_eq!(ROOT_CAUSES.last().map(|c| c.key), Some("other"));
    }

    #[test]
    fn categories_parse_by_key_and_refuse_anything_else() {
        let cases: &[(&str, Option<&str>)] = &[
            ("rate_limit", Some("rate_limit")),
            (" webhook_missed ", Some("webhook_missed")),
            ("other", Some("other")),
            ("Rate_Limit", None),
            ("rate limit", None),
            ("", None),
            ("late sync", None),
        ];
        for (raw, want) in cases {
            assert_eq!(root_cause(raw).ok().map(|c| c.key), *want, "{raw:?}");
        }
        let error = root_cause("bogus\n").unwrap_err().to_string();
        assert!(
            error.starts_with("unknown root-cause category 'bogus\\n': expected one of rate_limit,"),
            "{error}"
        );
        assert!(!error.contains('\n'), "{error}");
    }
}
