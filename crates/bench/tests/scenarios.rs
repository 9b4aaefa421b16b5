//! Every scenario in its --quick form: structural facts that would fail if the world, the
//! ledger or the comparison broke. No timings are asserted.

use serde_json::Value;
use shelfsync_bench::{BenchError, Report, Scenario};

fn run(scenario: Scenario) -> Report {
    let report = scenario.run(true).unwrap_or_else(|e| panic!("{}: {e}", scenario.name()));
    assert!(report.quick);
    for row in &report.rows {
        for column in &report.columns {
            assert!(row.contains_key(*column), "{}: row {row:?} lacks {column}", scenario.name());
        }
    }
    assert!(!report.guide.is_empty() && !report.notes.is_empty());
    report
}

fn int(row: &serde_json::Map<String, Value>, key: &str) -> i64 {
    row[key].as_i64().unwrap_or_else(|| panic!("{key} in {row:?}"))
}

fn modes(report: &Report) -> Vec<String> {
    report.rows.iter().map(|r| r["mode"].as_str().unwrap().to_string()).collect()
}

fn row<'a>(report: &'a Report, mode: &str) -> &'a serde_json::Map<String, Value> {
    report.rows.iter().find(|r| r["mode"] == mode).unwrap_or_else(|| panic!("no {mode} row"))
}

/// Units are conserved between the simulated channels and the real ledger file: every unit sold
/// is either booked in the ledger (committed) or still unbooked, and the real stock left is the
/// initial stock minus what sold.
fn assert_conserved(report: &Report) {
    for r in &report.rows {
        let sold = int(r, "sold_units");
        assert_eq!(int(r, "ledger_committed_units") + int(r, "unbooked_units"), sold, "{r:?}");
        assert_eq!(int(r, "initial_units") - sold, int(r, "remaining_units"), "{r:?}");
        // Per-SKU oversells add up to at least the catalogue's net shortfall.
        assert!(int(r, "oversold_units") >= (-int(r, "remaining_units")).max(0), "{r:?}");
    }
}

fn assert_shelfsync_oversells_no_more_than_batch(report: &Report, rows: &[&serde_json::Map<String, Value>]) {
    let shelfsync = rows.iter().find(|r| r["mode"] == "shelfsync").expect("a shelfsync row");
    for batch in rows.iter().filter(|r| r["mode"].as_str().unwrap().starts_with("batch")) {
        assert!(
            int(shelfsync, "oversold_units") <= int(batch, "oversold_units"),
            "{}: shelfsync {shelfsync:?} oversold more than {batch:?}",
            report.scenario
        );
    }
}

#[test]
fn flash_sale_rows_for_every_mode_and_flash_sale_mode_never_oversells() {
    let report = run(Scenario::FlashSale);
    // Both 'shelfsync' rows are the product as built, with flash-sale mode off (its default)
    // and on; no row models what is not built.
    assert_eq!(modes(&report), ["shelfsync", "shelfsync-flash-sale", "batch-15m", "batch-5m", "batch-30s"]);
    assert_conserved(&report);
    for r in &report.rows {
        assert_eq!(int(r, "demand_units"), 50);
        assert_eq!(int(r, "initial_units"), 40);
        assert_eq!(int(r, "sold_units") + int(r, "refused_units"), 50, "{r:?}");
    }
    let shelfsync = row(&report, "shelfsync");
    assert_eq!(shelfsync["within_limits"], true, "{shelfsync:?}");
    let batch_15m = int(row(&report, "batch-15m"), "oversold_units");
    assert!(batch_15m > 0, "the 15-minute batch runs out of stock");
    // As built (Shopify by webhook, Amazon through SQS, eBay by its 30 s poll), ShelfSync
    // oversells less than the 15-minute batch it replaces.
    assert!(int(shelfsync, "oversold_units") < batch_15m, "{shelfsync:?}");
    assert!(
        int(shelfsync, "oversold_units") <= int(row(&report, "batch-5m"), "oversold_units"),
        "{shelfsync:?}"
    );
    let flash = row(&report, "shelfsync-flash-sale");
    assert_eq!(int(flash, "oversold_units"), 0, "{flash:?}");
    assert_eq!(flash["within_limits"], true, "{flash:?}");
}

/// Seeds the flash-sale invariant is checked over in CI (BENCHMARKS.md runs 100 with
/// `scripts/bench.d/55-seeds.sh`): each is one flash sale through a real ledger file.
const FLASH_SEEDS: u64 = 40;

/// Flash-sale mode's promise over seeds, not one seed's story: no unit is ever sold twice (the
/// listings add up to no more than the stock), the ledger books every sale the channels made,
/// and when the sale is over every channel lists what the rule gives again (a unit shared to
/// a channel whose buyers stopped is not stranded there). The price, units refused while
/// stock remained, is reported by the bench (`stranded_units`), not hidden.
#[test]
fn flash_sale_mode_oversells_nothing_and_sells_the_whole_stock_on_every_seed() {
    use shelfsync_bench::flash::{DEMAND, STOCK, setup};
    use shelfsync_bench::world::{Mode, World};
    let mut oversold_without = 0;
    for seed in 1..=FLASH_SEEDS {
        let world = setup(seed);
        let with = World::run(&world, &Mode::shelfsync_flash_sale()).unwrap();
        assert_eq!(with.oversold_units, 0, "seed {seed}: {with:?}");
        assert!(with.sold_units <= i64::from(STOCK), "seed {seed}: {with:?}");
        assert_eq!(with.sold_units + with.refused_units, DEMAND as i64, "seed {seed}");
        assert!(with.all_right_at_end, "seed {seed}: a listing kept its flash share after the sale");
        assert_eq!(with.ledger_committed + with.unbooked_units, with.sold_units, "seed {seed}");
        oversold_without += World::run(&world, &Mode::shelfsync()).unwrap().oversold_units;
    }
    // The control: without the mode, the same seeds oversell (BENCHMARKS.md: 45 of 100 do),
    // so the assertion above is not passing for want of a hard case.
    assert!(oversold_without > 0, "no seed oversold without flash-sale mode");
}

#[test]
fn webhook_loss_phantoms_are_recovered_only_by_polling_and_reconciliation() {
    let report = run(Scenario::WebhookLoss);
    assert_eq!(
        modes(&report),
        ["shelfsync", "shelfsync-webhooks-only", "batch-15m", "batch-5m", "batch-30s"]
    );
    assert_conserved(&report);
    let days = shelfsync_bench::loss::days(true) as usize;
    for r in &report.rows {
        assert_eq!(r["phantom_units_by_day"].as_array().unwrap().len(), days, "{r:?}");
    }
    let only = row(&report, "shelfsync-webhooks-only");
    let full = row(&report, "shelfsync");
    assert!(int(only, "lost_notifications") > 0, "1% of the orders lose their webhook");
    assert_eq!(int(only, "lost_notifications"), int(full, "lost_notifications"), "the same world");
    assert!(int(only, "phantom_units_end") > 0, "{only:?}");
    assert!(int(full, "phantom_units_end") < int(only, "phantom_units_end"), "{full:?}");
    // Polls deliver orders the webhooks already booked: the ledger's idempotent append drops them.
    assert!(int(full, "duplicates_deduped") > 0, "{full:?}");
    assert_eq!(int(only, "unbooked_units"), int(only, "phantom_units_end"));
}

#[test]
fn sync_halt_has_a_row_per_halt_and_mode_and_longer_halts_risk_more() {
    let report = run(Scenario::SyncHalt);
    assert_eq!(report.rows.len(), 4 * 4);
    assert_conserved(&report);
    for mode in ["shelfsync", "batch-15m", "batch-5m", "batch-30s"] {
        let at_risk: Vec<i64> =
            report.rows.iter().filter(|r| r["mode"] == mode).map(|r| int(r, "units_at_risk")).collect();
        assert_eq!(at_risk.len(), 4, "{mode}");
        // The same orders: a longer halt contains the shorter one's window.
        assert!(at_risk.windows(2).all(|w| w[0] <= w[1]), "{mode}: {at_risk:?}");
        assert!(at_risk[3] > at_risk[0], "{mode}: {at_risk:?}");
    }
    for halt in ["5m", "30m", "2h", "24h"] {
        let rows: Vec<_> = report.rows.iter().filter(|r| r["halt"] == halt).collect();
        assert_eq!(rows.len(), 4, "{halt}");
        assert_shelfsync_oversells_no_more_than_batch(&report, &rows);
    }
}

#[test]
fn offline_override_puts_every_channel_right_after_the_reconnect() {
    let report = run(Scenario::OfflineOverride);
    assert_eq!(modes(&report), ["shelfsync", "batch-15m", "batch-5m", "batch-30s"]);
    for r in &report.rows {
        assert_eq!(r["all_channels_right"], true, "{r:?}");
        assert!(int(r, "adjusted_units") < 0, "{r:?}");
        let waits = r["per_channel_s"].as_array().unwrap();
        assert_eq!(waits.len(), 3);
        // Nothing reaches a channel before the workstation is back.
        assert!(waits.iter().all(|w| w.as_f64().unwrap() >= 0.0), "{r:?}");
    }
    let batch_15m = row(&report, "batch-15m")["reconnect_to_all_right_s"].as_f64().unwrap();
    assert!(batch_15m <= 900.0, "a 15-minute batch runs within 15 minutes of the reconnect");
}

#[test]
fn rate_limit_repushes_the_catalogue_over_http_while_sales_continue() {
    let report = run(Scenario::RateLimit);
    let channels: Vec<&str> = report.rows.iter().map(|r| r["channel"].as_str().unwrap()).collect();
    assert_eq!(channels, ["shopify", "amazon", "ebay"]);
    for r in &report.rows {
        assert_eq!(r["mode"], "shelfsync");
        assert_eq!(int(r, "listings_pushed"), int(r, "listings"), "every listing reached {r:?}");
        assert!(r["throttled"].is_u64() && r["share_of_limit_pct"].is_f64(), "{r:?}");
        // Each sale made during the re-push is either measured or counted as undelivered.
        let sales = int(r, "sales_during_repush");
        assert!(int(r, "sales_undelivered") <= sales, "{r:?}");
        assert_eq!(r["sale_latency_p50_s"].is_null(), sales == int(r, "sales_undelivered"), "{r:?}");
    }
    let sales: i64 = report.rows.iter().map(|r| int(r, "sales_during_repush")).sum();
    assert!(sales > 0, "sales were made while the catalogue was re-pushed");
    assert!(report.rows[1]["bulk_feeds"].as_f64().unwrap() >= 1.0, "Amazon's bulk path carried the re-push");
}

#[test]
fn unknown_scenarios_are_refused_by_name() {
    for name in ["", "flash", "Flash-Sale", "rate_limit"] {
        match Scenario::parse(name) {
            Err(BenchError::UnknownScenario(got)) => assert_eq!(got, name),
            other => panic!("{name:?}: {other:?}"),
        }
    }
    for scenario in Scenario::ALL {
        assert_eq!(Scenario::parse(scenario.name()).unwrap(), scenario);
    }
}

#[test]
fn extra_batch_intervals_are_bounded_and_add_a_row_each() {
    let bad = [vec![0], vec![86_401], vec![60; shelfsync_bench::MAX_EXTRA_INTERVALS + 1]];
    for batch_every in bad {
        let options =
            shelfsync_bench::Options { quick: true, batch_every: batch_every.clone(), ..Default::default() };
        match Scenario::FlashSale.run_with(&options) {
            Err(BenchError::Invalid(message)) => assert!(message.contains("batch interval"), "{message}"),
            other => panic!("{batch_every:?}: {other:?}"),
        }
    }
    let options = shelfsync_bench::Options { quick: true, batch_every: vec![120], ..Default::default() };
    let report = Scenario::OfflineOverride.run_with(&options).unwrap();
    assert_eq!(modes(&report), ["shelfsync", "batch-15m", "batch-5m", "batch-30s", "batch-120s"]);
}

/// `--seed` (BENCHMARKS.md's runs over 100 seeds): a seed replays exactly, another seed is
/// another story, and no seed is the fixed one unless asked.
#[test]
fn a_seed_replays_and_another_seed_tells_another_story() {
    let run = |seed| {
        let options = shelfsync_bench::Options { quick: true, seed, ..Default::default() };
        Scenario::FlashSale.run_with(&options).unwrap().json_rows()
    };
    let fixed = run(None);
    assert_eq!(run(Some(shelfsync_bench::SEED)), fixed, "the default is the fixed seed");
    assert_eq!(run(Some(7)), run(Some(7)), "a seed replays");
    let stories: std::collections::BTreeSet<String> =
        (1..=5).map(|seed| serde_json::to_string(&run(Some(seed))).unwrap()).collect();
    assert!(stories.len() > 1, "five seeds, one story: the seed is not used");
}
