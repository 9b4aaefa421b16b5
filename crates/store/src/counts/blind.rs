//! What open blind counts hide (issue 17): while a blind count is open or paused at a
//! location, the quantities the ledger expects there are not shown to people who may not see
//! a blind count's expected quantities (`Action::CountSeeExpected`). The CLI and the app ask
//! [`Store::blind_counts`] before they answer with stock, and send `null` where it hides.

use std::collections::{BTreeMap, BTreeSet};

use crate::{Result, Store};

/// Where open blind counts are: per location, the SKUs they cover, or every SKU there.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BlindCounts {
    /// `None`: every SKU at the location (a count by location, class, top N or full may take
    /// a scan of any SKU there); `Some`: an explicit SKU list, the only SKUs it may count.
    at: BTreeMap<String, Option<BTreeSet<String>>>,
}

impl BlindCounts {
    /// Nothing hidden: for people who may see expected quantities.
    pub fn none() -> BlindCounts {
        BlindCounts::default()
    }

    /// True when an open blind count covers `sku` at `location`.
    pub fn hides(&self, sku: &str, location: &str) -> bool {
        match self.at.get(location) {
            None => false,
            Some(None) => true,
            Some(Some(skus)) => skus.contains(sku),
        }
    }

    /// True when an open blind count covers `sku` somewhere: a sum over locations that
    /// includes a hidden one would show it by difference.
    pub fn hides_any(&self, sku: &str) -> bool {
        self.at.values().any(|skus| skus.as_ref().is_none_or(|skus| skus.contains(sku)))
    }

    /// True when the movement changes a bucket an open blind count covers: its amounts, added
    /// up with the rest of the history, would give the expected quantity away.
    pub fn hides_movement(&self, movement: &shelfsync_core::Movement) -> bool {
        !self.is_empty() && movement.deltas().iter().any(|d| self.hides(d.sku.as_str(), d.location.as_str()))
    }

    pub fn is_empty(&self) -> bool {
        self.at.is_empty()
    }

    fn add(&mut self, location: String, skus: Option<Vec<String>>) {
        let entry = self.at.entry(location).or_insert_with(|| Some(BTreeSet::new()));
        match (entry.as_mut(), skus) {
            (Some(known), Some(skus)) => known.extend(skus),
            _ => *entry = None,
        }
    }
}

impl Store {
    /// Every blind count not yet submitted (open or paused), by location.
    pub fn blind_counts(&self) -> Result<BlindCounts> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT location, scope, scope_label FROM count_sessions WHERE blind AND status <> 'submitted'",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
        })?;
        let mut blind = BlindCounts::default();
        for row in rows {
            let (location, scope, label) = row?;
            // Only an explicit SKU list keeps other SKUs out of the session (see `session_row`).
            let skus =
                label.starts_with("skus").then(|| serde_json::from_str::<Vec<String>>(&scope).ok()).flatten();
            blind.add(location, skus);
        }
        Ok(blind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sku_list_hides_its_skus_and_any_other_scope_hides_the_location() {
        let mut blind = BlindCounts::none();
        blind.add("WH1".into(), Some(vec!["A".into()]));
        blind.add("WH2".into(), None);
        // (sku, location, hidden)
        let cases = [("A", "WH1", true), ("B", "WH1", false), ("B", "WH2", true), ("A", "WH3", false)];
        for (sku, location, hidden) in cases {
            assert_eq!(blind.hides(sku, location), hidden, "{sku}@{location}");
        }
        assert!(blind.hides_any("B"), "WH2 hides every SKU");
        blind.add("WH1".into(), None);
        assert!(blind.hides("B", "WH1"), "a wider count at the same location widens what is hidden");
        assert!(!BlindCounts::none().hides("A", "WH1"));
    }
}
