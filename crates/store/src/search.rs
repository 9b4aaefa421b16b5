//! Stock search for people (issue 19): a SKU prefix or any part of an item's name, a page at a
//! time, sorted. The exact SKU-or-barcode look-up stays `resolve_code`; this is what a worker
//! types when they do not have the label ("olive balm", "SS-001").

use rusqlite::params;

use crate::query::stock_row;
use crate::{Result, StockRow, Store, StoreError};

/// Longest search text: a SKU or barcode is at most 128 characters, so is a useful search.
pub const MAX_SEARCH_CHARS: usize = 128;
/// Rows per page at most (the table shows 200 by default).
pub const MAX_SEARCH_PAGE: u32 = 2_000;
/// Furthest page start: past a million rows nobody pages, they narrow the search.
pub const MAX_SEARCH_OFFSET: u32 = 1_000_000;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StockSort {
    #[default]
    Sku,
    Name,
}

#[derive(Clone, Debug, Default)]
pub struct StockSearch {
    /// Matched case-insensitively (ASCII) as a SKU prefix or anywhere in the name; empty: all.
    pub text: String,
    pub location: Option<String>,
    pub sort: StockSort,
    pub offset: u32,
    pub limit: u32,
}

/// One page of matches and how many rows match in all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StockSearchPage {
    pub rows: Vec<(StockRow, String)>,
    pub total: u32,
}

/// `text` as a LIKE pattern's literal part: `%`, `_` and the escape itself match only themselves.
fn like_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl Store {
    /// Stock rows (with the item's name) whose SKU starts with, or whose name contains, the
    /// search text; at most `limit` from `offset`, with the number of all matches.
    pub fn search_stock(&self, search: &StockSearch) -> Result<StockSearchPage> {
        let text = search.text.trim();
        if text.chars().count() > MAX_SEARCH_CHARS {
            return Err(StoreError::BadSearch(format!("a search is at most {MAX_SEARCH_CHARS} characters")));
        }
        if search.limit == 0 || search.limit > MAX_SEARCH_PAGE {
            return Err(StoreError::BadSearch(format!(
                "a page is 1 to {MAX_SEARCH_PAGE} rows, got {}",
                search.limit
            )));
        }
        if search.offset > MAX_SEARCH_OFFSET {
            return Err(StoreError::BadSearch(format!("a page starts at row {MAX_SEARCH_OFFSET} at most")));
        }
        if let Some(location) = &search.location
            && !self.location_exists(location)?
        {
            return Err(StoreError::UnknownLocation(location.clone()));
        }
        let literal = like_literal(text);
        let prefix = format!("{literal}%");
        let anywhere = format!("%{literal}%");
        const MATCHES: &str = "FROM balances b JOIN items i ON i.sku = b.sku
             WHERE (?1 IS NULL OR b.location = ?1)
               AND (b.on_hand != 0 OR b.committed != 0 OR b.reserved != 0 OR b.damaged != 0 OR b.in_transit != 0)
               AND (i.sku LIKE ?2 ESCAPE '\\' OR i.name LIKE ?3 ESCAPE '\\')";
        let total: i64 = self
            .conn
            .prepare_cached(&format!("SELECT count(*) {MATCHES}"))?
            .query_row(params![search.location, prefix, anywhere], |r| r.get(0))?;
        let order = match search.sort {
            StockSort::Sku => "b.sku, b.location",
            StockSort::Name => "i.name COLLATE NOCASE, b.sku, b.location",
        };
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT b.sku, b.location, b.on_hand, b.committed, b.reserved, b.damaged, b.in_transit, i.name
             {MATCHES} ORDER BY {order} LIMIT ?4 OFFSET ?5"
        ))?;
        let rows = stmt
            .query_map(params![search.location, prefix, anywhere, search.limit, search.offset], |row| {
                Ok((stock_row(row)?, row.get::<_, String>(7)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(StockSearchPage { rows, total: u32::try_from(total).unwrap_or(u32::MAX) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("search.db")).unwrap();
        crate::demo::load(&mut store, 7).unwrap();
        (dir, store)
    }

    fn search(text: &str) -> StockSearch {
        StockSearch { text: text.into(), limit: 2_000, ..StockSearch::default() }
    }

    #[test]
    fn finds_by_sku_prefix_or_any_part_of_the_name_and_pages() {
        let (_dir, store) = demo();
        let name_of = |sku: &str| store.item(sku).unwrap().unwrap().name;
        let word = name_of("SS-00009").split_whitespace().nth(1).unwrap().to_lowercase();

        let by_prefix = store.search_stock(&search("ss-0000")).unwrap();
        assert!(by_prefix.rows.iter().all(|(r, _)| r.sku.starts_with("SS-0000")), "prefix, any case");
        assert!(by_prefix.total >= 9 * 2, "nine SKUs, each at two or more locations: {}", by_prefix.total);

        let by_name = store.search_stock(&search(&word)).unwrap();
        assert!(by_name.rows.iter().any(|(r, _)| r.sku == "SS-00009"), "'{word}' finds SS-00009");
        assert!(by_name.rows.iter().all(|(_, name)| name.to_lowercase().contains(&word)));

        // Pages: consecutive pages of 5 are the first ten rows, and the total does not change.
        let page = |offset| store.search_stock(&StockSearch { offset, limit: 5, ..search(&word) }).unwrap();
        let (first, second) = (page(0), page(5));
        assert_eq!(first.total, by_name.total);
        let ten: Vec<_> =
            first.rows.iter().chain(&second.rows).map(|(r, _)| (r.sku.clone(), r.location.clone())).collect();
        let expected: Vec<_> =
            by_name.rows.iter().take(10).map(|(r, _)| (r.sku.clone(), r.location.clone())).collect();
        assert_eq!(ten, expected);

        // By name: names never go down.
        let sorted = store.search_stock(&StockSearch { sort: StockSort::Name, ..search("") }).unwrap();
        let names: Vec<String> = sorted.rows.iter().map(|(_, n)| n.to_lowercase()).collect();
        assert!(names.windows(2).all(|w| w[0] <= w[1]), "sorted by name");

        // A LIKE wildcard is a literal: '%' alone matches no name.
        assert_eq!(store.search_stock(&search("%")).unwrap().total, 0);
        assert_eq!(store.search_stock(&search("no such thing")).unwrap().total, 0);
    }

    #[test]
    fn a_bad_search_is_refused_with_its_reason() {
        let (_dir, store) = demo();
        let cases: [(&str, StockSearch, &str); 5] = [
            ("long text", search(&"x".repeat(MAX_SEARCH_CHARS + 1)), "at most 128 characters"),
            ("empty page", StockSearch { limit: 0, ..search("a") }, "1 to 2000 rows, got 0"),
            ("huge page", StockSearch { limit: MAX_SEARCH_PAGE + 1, ..search("a") }, "got 2001"),
            ("far offset", StockSearch { offset: MAX_SEARCH_OFFSET + 1, ..search("a") }, "at most"),
            ("unknown location", StockSearch { location: Some("MOON".into()), ..search("a") }, "MOON"),
        ];
        for (case, query, says) in cases {
            let error = store.search_stock(&query).unwrap_err().to_string();
            assert!(error.contains(says), "{case}: {error}");
        }
    }
}
