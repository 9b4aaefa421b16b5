//! Criterion micro-benchmarks of the hot paths: the durable ledger append, the ATP and
//! allocation arithmetic (pure, and read from SQLite), outbox selection (forming an attempt
//! group), and GS1 parsing of a scanner read. `scripts/bench.d/40-micro.sh` runs them and prints
//! the medians from `target/criterion/*/new/estimates.json`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use shelfsync_bench::ledger::{Ledger, WAREHOUSE, sku};
use shelfsync_bench::timing::ChannelId;
use shelfsync_core::{Balances, LocationCode, Movement, Sku};
use shelfsync_scan::gs1::{ParseOptions, parse_scan_data};
use shelfsync_store::{AllocationRule, LocationAtp, allocate};

/// Catalogue of the ledger-backed benchmarks: big enough that indexes matter.
const SKUS: usize = 10_000;

fn ledger_append(c: &mut Criterion) {
    let mut ledger = Ledger::new(&vec![100; SKUS]).expect("ledger");
    let mut i = 0usize;
    c.bench_function("ledger_append_durable", |b| {
        b.iter(|| {
            i += 1;
            let movement = Movement::Receive {
                sku: Sku::new(sku(i % SKUS)).expect("sku"),
                location: LocationCode::new(WAREHOUSE).expect("location"),
                qty: 1,
            };
            black_box(
                ledger.store.append(&shelfsync_store::new_event(movement, "bench", "bench")).expect("append"),
            );
        })
    });
}

fn atp(c: &mut Criterion) {
    let balances = Balances { on_hand: 120, committed: 17, reserved: 3, damaged: 2, in_transit: 5 };
    c.bench_function("atp_balances", |b| b.iter(|| black_box(black_box(balances).atp())));
    let locations = vec![
        LocationAtp { location: "WH1".into(), atp: 98 },
        LocationAtp { location: "WH2".into(), atp: 12 },
    ];
    let rule = AllocationRule { percent: 80, buffer: 2, cap: Some(500) };
    c.bench_function("allocation_pure", |b| {
        b.iter(|| black_box(allocate(black_box(rule), black_box(locations.clone()), 5, -1)))
    });
    let ledger = Ledger::new(&vec![100; SKUS]).expect("ledger");
    let mut i = 0usize;
    c.bench_function("allocation_from_sqlite", |b| {
        b.iter(|| {
            i += 1;
            black_box(ledger.allocation(ChannelId::Amazon, i % SKUS, 0).expect("allocation"))
        })
    });
}

fn outbox_selection(c: &mut Criterion) {
    // Every listing of every channel is queued by its mapping: 10,000 rows per channel.
    let ledger = Ledger::new(&vec![100; SKUS]).expect("ledger");
    let store = &ledger.store;
    c.bench_function("outbox_form_group_250_of_10000", |b| {
        b.iter(|| {
            let group =
                shelfsync_sync::queue::form_group(store, "shopify", 250).expect("select").expect("rows");
            // Released again so every iteration selects from the same queue.
            shelfsync_sync::queue::release(store, &group.listing_ids()).expect("release");
            black_box(group.rows.len())
        })
    });
}

fn gs1(c: &mut Criterion) {
    let data = b"]C1010950600013435217261231\x1d10LOT42\x1d21SERIAL7";
    let opts = ParseOptions::engine();
    parse_scan_data(data, &opts).expect("a valid GS1-128 read");
    c.bench_function("gs1_parse_gs1_128", |b| b.iter(|| black_box(parse_scan_data(black_box(data), &opts))));
}

criterion_group!(benches, ledger_append, atp, outbox_selection, gs1);
criterion_main!(benches);
