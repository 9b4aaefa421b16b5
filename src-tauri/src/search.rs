//! Stock search for people (issue 19): the Stock screen falls back to it when what was typed
//! is not a SKU or barcode. The rules and limits are the store's (`Store::search_stock`).

use shelfsync_store::{StockSearch, StockSort};

use crate::commands::looking_user;
use crate::error::{AppError, Result};
use crate::ipc::{StockLevel, StockSearchQuery, StockSearchRow, StockSearchView};
use crate::state::AppState;

/// Rows per page when the query names none (the Stock table's page).
const DEFAULT_PAGE_ROWS: u32 = 200;

pub fn search_stock(state: &AppState, query: StockSearchQuery) -> Result<StockSearchView> {
    looking_user(state)?;
    let sort = match query.sort.as_deref().map(str::trim) {
        None | Some("") | Some("sku") => StockSort::Sku,
        Some("name") => StockSort::Name,
        Some(other) => return Err(AppError::BadRequest(format!("Sort by 'sku' or 'name', not '{other}'."))),
    };
    let search = StockSearch {
        text: query.text,
        location: query.location.map(|l| l.trim().to_string()).filter(|l| !l.is_empty()),
        sort,
        offset: query.offset.unwrap_or(0),
        limit: query.limit.unwrap_or(DEFAULT_PAGE_ROWS),
    };
    let store = state.store()?;
    let page = store.search_stock(&search)?;
    let blind = crate::commands::blind_for(state, &store)?;
    let rows = page
        .rows
        .into_iter()
        .map(|(row, name)| {
            let level = StockLevel::shown(row, &blind);
            StockSearchRow { sku: level.sku, name, location: level.location, buckets: level.buckets }
        })
        .collect();
    Ok(StockSearchView { rows, total: page.total, offset: search.offset })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands;
    use crate::state::DemoPolicy;

    #[test]
    fn the_stock_screen_finds_by_name_and_refuses_bad_queries() {
        let dir = tempfile::tempdir().unwrap();
        let state = AppState::new(dir.path().join("search.db"));
        state.boot(DemoPolicy::LoadWhenEmpty);
        let query = |text: &str| StockSearchQuery {
            text: text.into(),
            location: None,
            sort: None,
            offset: None,
            limit: None,
        };
        assert!(search_stock(&state, query("SS-0001")).is_err(), "signed out: refused");

        commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
        let name = commands::item_lookup(&state, "SS-00009".into()).unwrap().name;
        let word = name.split_whitespace().next().unwrap().to_string();
        let found = search_stock(&state, query(&word)).unwrap();
        assert!(found.rows.iter().any(|r| r.sku == "SS-00009" && r.name == name), "'{word}' finds {name}");
        assert!(found.rows.len() <= DEFAULT_PAGE_ROWS as usize);

        let by_name =
            search_stock(&state, StockSearchQuery { sort: Some("name".into()), ..query("") }).unwrap();
        assert!(by_name.rows.windows(2).all(|w| w[0].name.to_lowercase() <= w[1].name.to_lowercase()));

        let cases: [(&str, StockSearchQuery, &str); 3] = [
            ("sort", StockSearchQuery { sort: Some("atp".into()), ..query("a") }, "Sort by 'sku' or 'name'"),
            ("page", StockSearchQuery { limit: Some(0), ..query("a") }, "1 to 2000 rows"),
            ("location", StockSearchQuery { location: Some("MOON".into()), ..query("a") }, "MOON"),
        ];
        for (case, bad, says) in cases {
            let error = search_stock(&state, bad).unwrap_err().to_string();
            assert!(error.contains(says), "{case}: {error}");
        }
    }
}
