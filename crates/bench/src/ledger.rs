//! The real ledger behind every simulated scenario: a SQLite file in a temporary directory,
//! the catalogue, three channels with their mappings, and the booking of channel orders with
//! capture's event ids (so a webhook, a poll and a reconciliation that deliver the same order
//! book it once, through the ledger's idempotent append).

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use shelfsync_capture::orders::{self as capture, Line, Order, Source};
use shelfsync_channels::ChannelKind;
use shelfsync_core::flash::FlashSaleRule;
use shelfsync_core::{Event, Item, Location, LocationCode, Movement, Role, Sku};
use shelfsync_sim::amazon::AmazonSimConfig;
use shelfsync_sim::ebay::EbaySimConfig;
use shelfsync_store::channels::listings;
use shelfsync_store::flash::FLASH_SALE_KEY;
use shelfsync_store::{AppendOutcome, ItemRecord, Store};
use shelfsync_sync::config::{self, NewChannel};
use shelfsync_sync::credentials::{Backend, Secret, Secrets};
use tempfile::TempDir;

use crate::BenchError;
use crate::timing::{CHANNEL_IDS, ChannelId};

pub const WAREHOUSE: &str = "WH1";
pub const SHOPIFY_LOCATION: &str = "gid://shopify/Location/1";
/// Never contacted: simulated scenarios push in virtual time, not over HTTP.
const UNUSED_ENDPOINT: &str = "http://127.0.0.1:9";
/// The simulator's Shopify access token (it checks the header when configured with one).
pub const SHOPIFY_TOKEN: &str = "shpat_bench";
const MARKETPLACE: &str = "ATVPDKIKX0DER";

pub fn sku(i: usize) -> String {
    format!("S{i}")
}

pub fn shopify_item(i: usize) -> String {
    format!("gid://shopify/InventoryItem/{}", 1000 + i)
}

pub fn amazon_sku(i: usize) -> String {
    format!("AMZ-S{i}")
}

pub fn ebay_offer(i: usize) -> String {
    format!("{}", 900_000 + i)
}

pub struct Ledger {
    _dir: TempDir,
    pub path: PathBuf,
    pub store: Store,
    /// listings[channel][sku]: the listing id the store's outbox uses.
    pub listings: [Vec<i64>; 3],
    /// Virtual time zero.
    pub epoch: DateTime<Utc>,
}

impl Ledger {
    /// A fresh ledger with `stock[i]` units of SKU `S{i}` received at WH1, listed on all three
    /// channels with the default allocation (100% of ATP, no buffer).
    pub fn new(stock: &[u32]) -> Result<Ledger, BenchError> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("ledger.db");
        let mut store = Store::open(&path)?;
        store.upsert_locations(&[Location {
            code: LocationCode::new(WAREHOUSE)?,
            name: "Main warehouse".into(),
            parent: None,
        }])?;
        let items = (0..stock.len())
            .map(|i| {
                Ok(ItemRecord {
                    item: Item {
                        sku: Sku::new(sku(i))?,
                        name: format!("item {i}"),
                        unit_cost_cents: 1_000,
                        category: "bench".into(),
                        safety_stock: 0,
                    },
                    barcodes: vec![],
                })
            })
            .collect::<Result<Vec<_>, BenchError>>()?;
        store.upsert_items(&items)?;
        let receipts = stock
            .iter()
            .enumerate()
            .filter(|(_, qty)| **qty > 0)
            .map(|(i, qty)| {
                let movement = Movement::Receive {
                    sku: Sku::new(sku(i))?,
                    location: LocationCode::new(WAREHOUSE)?,
                    qty: *qty,
                };
                Ok(shelfsync_store::new_event(movement, "bench", "bench"))
            })
            .collect::<Result<Vec<_>, BenchError>>()?;
        store.append_batch(&receipts).map_err(|(i, e)| BenchError::Invalid(format!("receipt {i}: {e}")))?;
        add_channels(&store, &path, dir.path(), stock.len())?;
        let mut listings: [Vec<i64>; 3] = Default::default();
        for channel in CHANNEL_IDS {
            listings[channel as usize] = listing_ids(&store, channel, stock.len())?;
        }
        let epoch = DateTime::parse_from_rfc3339("2026-11-23T00:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| BenchError::Invalid(e.to_string()))?;
        Ok(Ledger { _dir: dir, path, store, listings, epoch })
    }

    pub fn at(&self, ms: i64) -> DateTime<Utc> {
        self.epoch + chrono::Duration::milliseconds(ms)
    }

    /// Books one channel order line through capture's ids. Shopify orders go through capture's
    /// own ingest (the webhook and poll path, with its capture rows); an Amazon or eBay sale is
    /// appended with the id capture derives for the line, at the one warehouse. Returns true
    /// when recorded now, false when the ledger already had it (a re-delivery).
    pub fn book_order(
        &mut self,
        channel: ChannelId,
        order: usize,
        sku_index: usize,
        qty: u32,
        at_ms: i64,
        source: Source,
    ) -> Result<bool, BenchError> {
        let order_id = format!("{}-{order}", channel.name());
        let at = self.at(at_ms);
        if channel == ChannelId::Shopify {
            let order = Order {
                id: order_id,
                created_at: at,
                updated_at: at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                cancelled: false,
                cancelled_at: None,
                location: Some(SHOPIFY_LOCATION.into()),
                lines: vec![Line { id: "1".into(), item: shopify_item(sku_index), quantity: qty }],
                refunds: vec![],
            };
            let report = capture::ingest(&self.store, channel.name(), &order, source)?;
            if report.unmapped > 0 {
                return Err(BenchError::Invalid(format!("shopify order {} is unmapped", order.id)));
            }
            return Ok(report.recorded > 0);
        }
        let movement =
            Movement::Sale { sku: Sku::new(sku(sku_index))?, location: LocationCode::new(WAREHOUSE)?, qty };
        let event = Event {
            id: capture::line_event_id(channel.name(), &order_id, "1", "sale"),
            movement,
            actor: format!("channel:{}", channel.name()),
            workstation: "capture".into(),
            occurred_at: at,
            reason: None,
            reference: Some(format!("{} order {order_id} line 1", channel.name())),
            override_by: None,
            lot: None,
        };
        Ok(matches!(self.store.append(&event)?, AppendOutcome::Recorded { .. }))
    }

    /// A manual stock correction at the workstation.
    pub fn adjust(&mut self, sku_index: usize, delta: i64, at_ms: i64) -> Result<(), BenchError> {
        let movement = Movement::Adjust {
            sku: Sku::new(sku(sku_index))?,
            location: LocationCode::new(WAREHOUSE)?,
            delta,
        };
        let event =
            Event::with_identity(uuid::Uuid::now_v7(), self.at(at_ms), movement, "bench:staff", "ws-1")
                .with_reason("damaged in storage");
        self.store.append(&event)?;
        Ok(())
    }

    /// What the store's allocation gives a channel's listing at virtual time `at_ms` (flash-sale
    /// mode's window ends there).
    pub fn allocation(&self, channel: ChannelId, sku_index: usize, at_ms: i64) -> Result<i64, BenchError> {
        let listing = self.listings[channel as usize][sku_index];
        Ok(self.store.allocation_at(listing, self.at(at_ms))?.qty)
    }

    /// Switches flash-sale mode on as an admin does (`shelfsync sync flash-sale on`): through
    /// the audited setting, by an admin user of the scenario's ledger.
    pub fn set_flash_sale(&mut self, rule: FlashSaleRule) -> Result<(), BenchError> {
        let admin = self.store.add_user("bench-admin", Role::Admin, "7314", None, "bench")?;
        self.store.set_setting(FLASH_SALE_KEY, &FlashSaleRule::to_setting(Some(rule)), &admin, "bench")?;
        Ok(())
    }

    /// Sum of ATP over the catalogue, as the ledger believes it.
    pub fn total_atp(&self) -> Result<i64, BenchError> {
        Ok(self.store.total_atp()?)
    }

    /// Units booked as sold (committed) over the catalogue.
    pub fn total_committed(&self) -> Result<i64, BenchError> {
        Ok(self.store.total_committed()?)
    }
}

fn add_channels(
    store: &Store,
    db: &std::path::Path,
    dir: &std::path::Path,
    skus: usize,
) -> Result<(), BenchError> {
    // The simulated scenarios never call the channels, but a channel cannot exist without its
    // credentials: the simulator's, in the 0600 file store of the temporary directory.
    for channel in CHANNEL_IDS {
        add_channel(store, db, dir, channel, UNUSED_ENDPOINT, skus)?;
    }
    Ok(())
}

/// Adds one channel at `endpoint` with the channel simulator's credentials (file store next to
/// the ledger) and maps SKUs `S0..` to it; each mapping queues its listing's first push.
pub fn add_channel(
    store: &Store,
    db: &std::path::Path,
    dir: &std::path::Path,
    channel: ChannelId,
    endpoint: &str,
    skus: usize,
) -> Result<(), BenchError> {
    let secrets = Secrets::with_backend(db, Backend::File);
    let amazon = AmazonSimConfig::default();
    let ebay = EbaySimConfig::default();
    let (kind, keys) = match channel {
        ChannelId::Shopify => {
            (ChannelKind::Shopify, vec![(config::SHOPIFY_TOKEN, Secret::new(SHOPIFY_TOKEN)?)])
        }
        ChannelId::Amazon => (
            ChannelKind::Amazon,
            vec![
                (config::LWA_CLIENT_ID, Secret::new(amazon.client_id.clone())?),
                (config::LWA_CLIENT_SECRET, Secret::new(amazon.client_secret.clone())?),
                (config::LWA_REFRESH_TOKEN, Secret::new(amazon.refresh_token.clone())?),
            ],
        ),
        ChannelId::Ebay => (
            ChannelKind::Ebay,
            vec![
                (config::EBAY_CLIENT_ID, Secret::new(ebay.client_id)?),
                (config::EBAY_CLIENT_SECRET, Secret::new(ebay.client_secret)?),
                (config::EBAY_REFRESH_TOKEN, Secret::new(ebay.refresh_token)?),
            ],
        ),
    };
    let is_amazon = channel == ChannelId::Amazon;
    let new = NewChannel {
        name: channel.name().into(),
        kind,
        endpoint: endpoint.into(),
        shop: (channel == ChannelId::Shopify).then(|| "bench.myshopify.com".to_string()),
        seller_id: is_amazon.then(|| amazon.seller_id.clone()),
        marketplace_id: is_amazon.then(|| MARKETPLACE.to_string()),
    };
    config::add_channel(store, shelfsync_store::By::new("bench", "bench"), &secrets, &new, &keys)?;
    let file = dir.join(format!("{}.csv", channel.name()));
    std::fs::write(&file, mappings_csv(channel, skus))?;
    config::import_mappings(store, shelfsync_store::By::new("bench", "bench"), channel.name(), &file)?;
    Ok(())
}

/// The channel's mapping file, in the CSV form `channel import-mappings` reads.
pub fn mappings_csv(channel: ChannelId, skus: usize) -> String {
    let mut csv = match channel {
        ChannelId::Shopify => String::from("sku,location,inventory_item_id,location_id\n"),
        ChannelId::Amazon => String::from("sku,seller_sku\n"),
        ChannelId::Ebay => String::from("sku,offer_id\n"),
    };
    for i in 0..skus {
        let line = match channel {
            ChannelId::Shopify => format!("{},{WAREHOUSE},{},{SHOPIFY_LOCATION}\n", sku(i), shopify_item(i)),
            ChannelId::Amazon => format!("{},{}\n", sku(i), amazon_sku(i)),
            ChannelId::Ebay => format!("{},{}\n", sku(i), ebay_offer(i)),
        };
        csv.push_str(&line);
    }
    csv
}

fn listing_ids(store: &Store, channel: ChannelId, skus: usize) -> Result<Vec<i64>, BenchError> {
    let mut ids = vec![0; skus];
    for listings::ListingRow { id, sku, .. } in listings::of_channel(store, channel.name())? {
        let index: usize = sku
            .trim_start_matches('S')
            .parse()
            .map_err(|_| BenchError::Invalid(format!("unexpected SKU {sku}")))?;
        ids[index] = id;
    }
    if ids.contains(&0) {
        return Err(BenchError::Invalid(format!("a SKU has no {} listing", channel.name())));
    }
    Ok(ids)
}
