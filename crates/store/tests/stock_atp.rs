//! ATP is written twice, on purpose: core's `Balances::atp` for Rust, and the view `stock_atp`
//! (migration 20) for SQL that must filter or join on it. This test holds them to one rule.

mod common;

use shelfsync_core::Balances;

#[test]
fn the_view_and_core_agree_on_atp() {
    let (_dir, store) = common::fresh_store();
    // (on_hand, committed, reserved, damaged, in_transit): plain stock, each bucket alone,
    // damaged counted once, in-transit not sellable, oversold (negative), and values far from
    // zero.
    let cases: [(i64, i64, i64, i64, i64); 9] = [
        (10, 0, 0, 0, 0),
        (10, 2, 1, 3, 5),
        (0, 4, 0, 0, 0),
        (0, 0, 4, 0, 0),
        (6, 0, 0, 6, 0),
        (0, 0, 0, 0, 9),
        (3, 5, 2, 1, 0),
        (-2, 0, 0, 0, 0),
        (1_000_000, 999_999, 1, 0, 1_000_000),
    ];
    let conn = shelfsync_store::testing::connection(&store);
    for (i, (on_hand, committed, reserved, damaged, in_transit)) in cases.into_iter().enumerate() {
        let (sku, location) = (common::SKUS[i % 3], common::LOCATIONS[i / 3]);
        conn.execute(
            "INSERT INTO balances (sku, location, on_hand, committed, reserved, damaged, in_transit)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            (sku, location, on_hand, committed, reserved, damaged, in_transit),
        )
        .unwrap();
        let core = Balances { on_hand, committed, reserved, damaged, in_transit }.atp();
        let (view, buckets): (i64, (i64, i64, i64, i64, i64)) = conn
            .query_row(
                "SELECT atp, on_hand, committed, reserved, damaged, in_transit FROM stock_atp
                 WHERE sku = ?1 AND location = ?2",
                (sku, location),
                |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))),
            )
            .unwrap();
        assert_eq!(view, core, "case {i}: {:?}", cases[i]);
        assert_eq!(buckets, cases[i], "case {i}: the view passes the buckets through");
    }
    let rows: i64 = conn.query_row("SELECT count(*) FROM stock_atp", [], |r| r.get(0)).unwrap();
    assert_eq!(rows, cases.len() as i64, "one view row per balance row");
}
