//! A realistic demo catalogue: what a new user sees on first start, and what benchmarks and
//! end-to-end tests run against. Deterministic: the same seed gives the same database.

use chrono::{Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use shelfsync_core::{
    Barcode, BarcodeKind, Event, Item, Location, LocationCode, Movement, ReturnDestination, Sku,
    with_check_digit,
};

use uuid::Uuid;

use crate::{ItemRecord, Result, Store, StoreError};

// Sized so a first start is scan-ready in under 2 s on a 2-core machine (the app loads the demo
// before sign-in): 2,000 SKUs over three weeks was 64,587 events and ~2.5 s; this is a third.
pub const DEMO_SKUS: usize = 1_000;
pub const DEMO_DAYS: i64 = 14;
const DEMO_ACTOR: &str = "demo";
const DEMO_WORKSTATION: &str = "demo";

const CATEGORIES: [(&str, &[&str]); 5] = [
    ("apparel", &["Merino Tee", "Rain Shell", "Trail Sock", "Fleece Hoodie", "Canvas Cap"]),
    ("footwear", &["Trail Runner", "Leather Boot", "Canvas Sneaker", "Wool Slipper"]),
    ("home", &["Ceramic Mug", "Linen Towel", "Oak Tray", "Glass Carafe", "Cotton Throw"]),
    ("outdoor", &["Camp Stove", "Headlamp", "Dry Bag", "Water Filter", "Trekking Pole"]),
    ("beauty", &["Shea Balm", "Clay Mask", "Argan Oil", "Lip Tint"]),
];
const SIZES: [&str; 6] = ["XS", "S", "M", "L", "XL", "OS"];
const COLOURS: [&str; 8] = ["Black", "Navy", "Sand", "Olive", "Rust", "Grey", "White", "Teal"];

pub fn locations() -> Vec<Location> {
    let loc = |code: &str, name: &str| Location {
        code: LocationCode::new(code).expect("static code"),
        name: name.into(),
        parent: None,
    };
    vec![
        loc("WH1", "Main warehouse"),
        loc("WH2", "Overflow warehouse"),
        loc("STORE", "Retail store backroom"),
    ]
}

/// The demo items: SKU `SS-00001` ..., each with a valid GTIN-13 under a made-up company
/// prefix, normalised to GTIN-14, and an internal shelf code.
pub fn items(rng: &mut StdRng) -> Vec<ItemRecord> {
    (1..=DEMO_SKUS)
        .map(|n| {
            let (category, names) = CATEGORIES[n % CATEGORIES.len()];
            let name = format!(
                "{} {} {}",
                names[rng.random_range(0..names.len())],
                COLOURS[rng.random_range(0..COLOURS.len())],
                SIZES[n % SIZES.len()]
            );
            let gtin13 = with_check_digit(&format!("590123{n:06}"));
            let gtin = Barcode::classify(&gtin13).expect("demo GTINs carry valid check digits");
            debug_assert_eq!(gtin.kind, BarcodeKind::Gtin);
            ItemRecord {
                item: Item {
                    sku: Sku::new(format!("SS-{n:05}")).expect("static sku"),
                    name,
                    unit_cost_cents: rng.random_range(150..12_000),
                    category: category.into(),
                    safety_stock: rng.random_range(0..5),
                },
                barcodes: vec![gtin, Barcode { code: format!("INT-{n:05}"), kind: BarcodeKind::Internal }],
            }
        })
        .collect()
}

/// Loads the catalogue, opening stock and `DEMO_DAYS` of sales history. Refuses a database
/// that already holds events, so a demo never mixes with real stock.
pub fn load(store: &mut Store, seed: u64) -> Result<u64> {
    if store.event_count()? > 0 {
        return Err(StoreError::CsvFormat(
            "the database already holds events; the demo needs an empty one".into(),
        ));
    }
    let mut rng = StdRng::seed_from_u64(seed);
    store.upsert_locations(&locations())?;
    let records = items(&mut rng);
    store.upsert_items(&records)?;
    let events = history(&records, &mut rng);
    store.append_batch(&events).map_err(|(_, e)| e)?;
    Ok(events.len() as u64)
}

fn history(records: &[ItemRecord], rng: &mut StdRng) -> Vec<Event> {
    let start = Utc::now() - Duration::days(DEMO_DAYS);
    let at = |day: i64, minute: i64| start + Duration::days(day) + Duration::minutes(minute);
    let event =
        |movement, when| Event::with_identity(Uuid::now_v7(), when, movement, DEMO_ACTOR, DEMO_WORKSTATION);
    let wh = ["WH1", "WH2", "STORE"].map(|c| LocationCode::new(c).expect("static code"));
    let mut events = Vec::new();
    for record in records {
        let sku = record.item.sku.clone();
        // A few fast movers and a long tail, as in any real catalogue.
        let velocity: u32 =
            if rng.random_bool(0.05) { rng.random_range(3..8) } else { rng.random_range(0..2) };
        let mut shelf = 0;
        for (i, location) in wh.iter().enumerate() {
            let qty = rng.random_range(20..200) / (i as u32 + 1);
            if i == 0 {
                shelf = qty;
            }
            events.push(event(
                Movement::Receive { sku: sku.clone(), location: location.clone(), qty },
                at(0, i as i64),
            ));
        }
        for day in 1..DEMO_DAYS {
            // Weekly replenishment keeps fast movers in stock, as a buyer would.
            if day % 7 == 0 && shelf < 60 {
                let qty = rng.random_range(60..150);
                shelf += qty;
                events.push(event(
                    Movement::Receive { sku: sku.clone(), location: wh[0].clone(), qty },
                    at(day, 30),
                ));
            }
            for n in 0..velocity {
                let qty = rng.random_range(1..3).min(shelf);
                if qty == 0 {
                    break;
                }
                let location = wh[0].clone();
                let when = at(day, 60 + i64::from(n) * 7);
                events
                    .push(event(Movement::Sale { sku: sku.clone(), location: location.clone(), qty }, when));
                shelf -= qty;
                // The last day's orders are partly still waiting to ship.
                if day < DEMO_DAYS - 1 || n % 2 == 0 {
                    events.push(event(
                        Movement::Fulfil { sku: sku.clone(), location, qty },
                        when + Duration::hours(3),
                    ));
                }
            }
            // Damaged returns go to quarantine: on the shelf, never sellable.
            if velocity > 0 && rng.random_bool(0.02) {
                events.push(event(
                    Movement::Return {
                        sku: sku.clone(),
                        location: wh[0].clone(),
                        qty: 1,
                        to: ReturnDestination::Damaged,
                    },
                    at(day, 400),
                ));
            }
        }
    }
    events
}
