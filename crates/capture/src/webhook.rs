//! The Shopify webhook receiver: `POST /webhooks/shopify/{channel}`.
//!
//! A delivery is checked (HMAC-SHA256 of the raw body with the channel's webhook secret,
//! compared in constant time), stored in the durable inbox and answered; a background task
//! processes the inbox. Shopify gives a receiver 5 seconds, so nothing slow happens before the
//! answer. A forged, malformed or unsupported delivery is refused and records nothing.
//!
//! Replays book nothing twice. The inbox keeps one row per (channel, `X-Shopify-Event-Id`) and
//! one per (channel, SHA-256 of the body): the event id is outside the HMAC, so a captured
//! signed body sent again under a fresh id is the same delivery. Rows are pruned once processed
//! and older than [`DEDUPE_WINDOW`]; past it, what a replay could do is still nothing: orders,
//! cancellations and refunds are ledger events with ids derived from the order (booked once
//! ever), and a level no newer than the newest applied to its listing is stale (see
//! `webhook_level_marks`).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use base64::Engine as _;
use chrono::{DateTime, SecondsFormat, Utc};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use shelfsync_channels::ChannelKind;
use shelfsync_store::Store;
use shelfsync_store::channels::changes;
use shelfsync_store::outbox::queued_group_qty;
use shelfsync_store::oversight::webhook_inbox::{self as inbox, Delivery};
use shelfsync_store::oversight::{Db, Tx};
use shelfsync_sync::config::{SHOPIFY_WEBHOOK_SECRET, list_channels};
use shelfsync_sync::credentials::Secrets;
use tokio::net::TcpListener;
use tokio::sync::{Notify, mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::orders::{self, Source, gid, id_of, listing_for};
use crate::{CaptureError, Result, now};

/// Largest body accepted: Shopify order payloads are tens of KiB; a megabyte is far above.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Inbox rows processed per pass.
const BATCH: usize = 200;

/// How long a processed delivery stays in the inbox, deduplicating its event id and its body.
/// Shopify retries a delivery that got no 2xx answer for at most 48 hours (its documentation
/// has said 19 attempts over 48 hours, lately 8 over 4 hours), so every legitimate redelivery
/// meets its first copy within 2 days; 7 days is over three times that, and a week of inbox at
/// tens of thousands of deliveries a day stays small. Past the window nothing depends on the
/// row (see the module documentation).
pub const DEDUPE_WINDOW: Duration = Duration::from_secs(7 * 24 * 3600);

/// How often the receiver's processor prunes the inbox.
const PRUNE_EVERY: Duration = Duration::from_secs(60);

/// Most rows one prune deletes (one transaction, a bounded hold on the write lock); the next
/// prune goes on. At one a minute that is 14 million a day, far above any inflow.
const PRUNE_BATCH: usize = 10_000;

/// Rows stored before issue 17's migration (no body hash) filled in per transaction when the
/// receiver starts.
const BACKFILL_BATCH: usize = 1_000;

pub const TOPICS: [&str; 4] =
    ["orders/create", "orders/cancelled", "refunds/create", "inventory_levels/update"];

/// True when `header` (base64) is the HMAC-SHA256 of `body` under `secret`. Constant time.
pub fn verify(secret: &[u8], body: &[u8], header: &str) -> bool {
    let Ok(expected) = base64::engine::general_purpose::STANDARD.decode(header.trim()) else { return false };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else { return false };
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

/// The header value Shopify would send for `body`: for tests and the simulator's callers.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// One accepted delivery on its way to the inbox, with the answer's way back: `Ok(true)` new,
/// `Ok(false)` a duplicate, `Err` not stored.
struct Pending {
    channel: String,
    event_id: String,
    topic: String,
    body: String,
    body_sha256: String,
    stored: oneshot::Sender<std::result::Result<bool, String>>,
}

/// Deliveries waiting for the inbox writer: beyond this, handlers wait (back-pressure) rather
/// than pile up memory.
const WRITER_QUEUE: usize = 4_096;

/// Most deliveries stored in one transaction: one fsync for a group (group commit), and a bound
/// on how long the first in a group waits for the rest.
const GROUP_MAX: usize = 256;

#[derive(Clone)]
struct AppState {
    inbox: mpsc::Sender<Pending>,
    /// Channel name -> webhook secret. Shopify channels without a secret refuse every delivery.
    secrets: Arc<HashMap<String, Option<Vec<u8>>>>,
    wake: Arc<Notify>,
}

/// A running receiver. Dropping it stops the server and the processor.
pub struct RunningReceiver {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    server: JoinHandle<()>,
    processor: JoinHandle<()>,
}

impl RunningReceiver {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = tokio::time::timeout(Duration::from_secs(5), &mut self.server).await;
        self.processor.abort();
    }
}

impl Drop for RunningReceiver {
    fn drop(&mut self) {
        self.server.abort();
        self.processor.abort();
    }
}

/// Starts the receiver on `addr` (port 0: any free port) with the Shopify channels' secrets as
/// stored at `channel add`, and the inbox processor beside it.
pub async fn serve(db_path: &Path, secrets: &Secrets, addr: SocketAddr) -> Result<RunningReceiver> {
    let store = Store::open(db_path)?;
    backfill_body_hashes(&store)?;
    let mut by_channel = HashMap::new();
    for channel in list_channels(&store)? {
        if ChannelKind::parse(&channel.kind) == Some(ChannelKind::Shopify) {
            let secret = secrets.get(&channel.name, SHOPIFY_WEBHOOK_SECRET)?;
            by_channel.insert(channel.name, secret.map(|s| s.expose().as_bytes().to_vec()));
        }
    }
    let wake = Arc::new(Notify::new());
    // The inbox writer and the processor take turns at SQLite's write lock through this gate:
    // a waiter is handed the lock at once, where SQLite's busy handler would sleep up to 100 ms.
    let gate: WriteGate = Arc::default();
    let state = AppState {
        inbox: spawn_writer(store, wake.clone(), gate.clone()),
        secrets: Arc::new(by_channel),
        wake,
    };
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let app = Router::new()
        .route("/webhooks/shopify/{channel}", post(receive))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state.clone());
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stop_rx.await;
            })
            .await;
    });
    let processor = spawn_processor(db_path.to_path_buf(), state.wake.clone(), gate);
    Ok(RunningReceiver { addr, stop: Some(stop_tx), server, processor })
}

fn refuse(status: StatusCode, message: impl Into<String>) -> (StatusCode, axum::Json<Value>) {
    (status, axum::Json(json!({ "error": message.into() })))
}

async fn receive(
    State(state): State<AppState>,
    UrlPath(channel): UrlPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, axum::Json<Value>) {
    let Some(secret) = state.secrets.get(&channel) else {
        return refuse(StatusCode::NOT_FOUND, format!("unknown shopify channel '{channel}'"));
    };
    let Some(secret) = secret else {
        return refuse(StatusCode::UNAUTHORIZED, format!("channel '{channel}' has no webhook secret"));
    };
    let header =
        |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty());
    let Some(hmac) = header("x-shopify-hmac-sha256") else {
        return refuse(StatusCode::UNAUTHORIZED, "missing X-Shopify-Hmac-Sha256");
    };
    if !verify(secret, &body, hmac) {
        return refuse(StatusCode::UNAUTHORIZED, "HMAC does not match the body");
    }
    let Some(topic) = header("x-shopify-topic").filter(|t| TOPICS.contains(t)) else {
        return refuse(StatusCode::BAD_REQUEST, "missing or unsupported X-Shopify-Topic");
    };
    let Some(event_id) = header("x-shopify-event-id").filter(|id| id.len() <= 200) else {
        return refuse(StatusCode::BAD_REQUEST, "missing X-Shopify-Event-Id");
    };
    let Ok(text) = std::str::from_utf8(&body) else {
        return refuse(StatusCode::BAD_REQUEST, "body is not UTF-8");
    };
    if let Err(error) =
        serde_json::from_str::<Value>(text).map_err(|e| e.to_string()).and_then(|v| check_payload(topic, &v))
    {
        return refuse(StatusCode::BAD_REQUEST, format!("invalid {topic} payload: {error}"));
    }
    let (reply, stored) = oneshot::channel();
    let pending = Pending {
        channel,
        event_id: event_id.to_string(),
        topic: topic.to_string(),
        body: text.to_string(),
        body_sha256: body_sha256(&body),
        stored: reply,
    };
    if state.inbox.send(pending).await.is_err() {
        return refuse(StatusCode::SERVICE_UNAVAILABLE, "inbox unavailable: the writer stopped");
    }
    match stored.await {
        Ok(Ok(true)) => (StatusCode::OK, axum::Json(json!({ "status": "accepted" }))),
        Ok(Ok(false)) => (StatusCode::OK, axum::Json(json!({ "status": "duplicate" }))),
        // Not stored: a 5xx makes Shopify deliver again later.
        Ok(Err(error)) => refuse(StatusCode::SERVICE_UNAVAILABLE, format!("inbox unavailable: {error}")),
        Err(_) => refuse(StatusCode::SERVICE_UNAVAILABLE, "inbox unavailable: the writer stopped"),
    }
}

/// The inbox writer: one thread owning the inbox connection, storing deliveries in groups (one
/// transaction, one fsync each) and answering each only after its group is committed, so an
/// answered delivery is durable. Ends when the receiver is gone.
/// The turn at SQLite's write lock shared by the inbox writer and the processor, the writer
/// first: the processor waits while the writer is waiting.
#[derive(Default)]
struct Gate {
    lock: std::sync::Mutex<()>,
    writer_waiting: AtomicUsize,
}

type WriteGate = Arc<Gate>;

fn spawn_writer(store: Store, wake: Arc<Notify>, gate: WriteGate) -> mpsc::Sender<Pending> {
    let (tx, mut rx) = mpsc::channel::<Pending>(WRITER_QUEUE);
    std::thread::spawn(move || {
        while let Some(first) = rx.blocking_recv() {
            let mut group = vec![first];
            while group.len() < GROUP_MAX {
                match rx.try_recv() {
                    Ok(next) => group.push(next),
                    Err(_) => break,
                }
            }
            let result = {
                gate.writer_waiting.fetch_add(1, Ordering::AcqRel);
                let _turn = gate.lock.lock().unwrap_or_else(|p| p.into_inner());
                gate.writer_waiting.fetch_sub(1, Ordering::AcqRel);
                store_group(&store, &group)
            };
            match result {
                Ok(inserted) => {
                    if inserted.iter().any(|new| *new) {
                        wake.notify_one();
                    }
                    for (pending, new) in group.into_iter().zip(inserted) {
                        let _ = pending.stored.send(Ok(new));
                    }
                }
                Err(error) => {
                    for pending in group {
                        let _ = pending.stored.send(Err(error.to_string()));
                    }
                }
            }
        }
    });
    tx
}

fn store_group(store: &Store, group: &[Pending]) -> Result<Vec<bool>> {
    let stamp = now();
    let deliveries: Vec<Delivery<'_>> = group
        .iter()
        .map(|p| Delivery {
            channel: &p.channel,
            event_id: &p.event_id,
            topic: &p.topic,
            body: &p.body,
            body_sha256: &p.body_sha256,
        })
        .collect();
    // Ignored (a duplicate) when either the event id or the body is already stored for the
    // channel.
    Ok(inbox::store_group(store, &deliveries, &stamp)?)
}

/// The inbox's key for a body: SHA-256 of the raw bytes the HMAC covers, hex.
fn body_sha256(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))
}

/// Gives rows stored before issue 17's migration their body hash, so a replay of one of them
/// is a duplicate too. A row whose body another row already holds keeps no hash (the first
/// copy holds it). Bounded by the inbox, which the prune bounds.
fn backfill_body_hashes(db: &impl Db) -> Result<usize> {
    Ok(inbox::backfill_body_hashes(db, BACKFILL_BATCH, body_sha256)?)
}

/// Deletes inbox rows processed before `now` minus [`DEDUPE_WINDOW`], at most [`PRUNE_BATCH`]
/// of them, oldest first. A row not yet processed is never pruned. Returns how many went.
pub fn prune_inbox(db: &impl Db, now: DateTime<Utc>) -> Result<usize> {
    let window = chrono::Duration::from_std(DEDUPE_WINDOW).expect("the window fits");
    let cutoff = (now - window).to_rfc3339_opts(SecondsFormat::Millis, true);
    Ok(inbox::prune(db, &cutoff, PRUNE_BATCH)?)
}

/// The shape check done before a delivery is accepted: what processing will need is there.
fn check_payload(topic: &str, value: &Value) -> std::result::Result<(), String> {
    let result = match topic {
        "orders/create" | "orders/cancelled" => orders::parse_order(value).map(|_| ()),
        "refunds/create" => {
            id_of(&value["order_id"], "order_id").and_then(|_| orders::parse_refund(value)).map(|_| ())
        }
        _ => parse_level(value).map(|_| ()),
    };
    result.map_err(|e| e.to_string())
}

/// An `inventory_levels/update` payload: the item, the location, the level and when the
/// channel set it (`updated_at`, UTC to the millisecond, so stored marks compare as text).
struct Level {
    item: String,
    location: String,
    available: i64,
    updated_at: String,
}

fn parse_level(value: &Value) -> Result<Level> {
    let item = gid(&value["inventory_item_id"], "InventoryItem", "inventory_item_id")?;
    let location = gid(&value["location_id"], "Location", "location_id")?;
    let available = value["available"]
        .as_i64()
        .ok_or_else(|| CaptureError::Invalid("available is missing or not an integer".into()))?;
    // Shopify always sends it; without it a replayed level could not be told from a new one.
    let updated_at = value["updated_at"]
        .as_str()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc).to_rfc3339_opts(SecondsFormat::Millis, true))
        .ok_or_else(|| CaptureError::Invalid("updated_at is missing or not RFC 3339".into()))?;
    Ok(Level { item, location, available, updated_at })
}

fn spawn_processor(db_path: PathBuf, wake: Arc<Notify>, gate: WriteGate) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut pruned_at: Option<Instant> = None;
        loop {
            let path = db_path.clone();
            let gate = gate.clone();
            // The prune rides on the processor (at start, then every PRUNE_EVERY): wherever
            // deliveries are received, the inbox is also kept to its window.
            let prune = pruned_at.is_none_or(|at| at.elapsed() >= PRUNE_EVERY);
            if prune {
                pruned_at = Some(Instant::now());
            }
            let _ = tokio::task::spawn_blocking(move || -> Result<usize> {
                let store = Store::open(&path)?;
                let done = process_inbox_gated(&store, Some(&gate))?;
                if prune {
                    let _turn = gate.lock.lock().unwrap_or_else(|p| p.into_inner());
                    if let Err(error) = prune_inbox(&store, Utc::now()) {
                        tracing::warn!(%error, "webhook inbox prune failed; the next one retries");
                    }
                }
                Ok(done)
            })
            .await;
            // Woken by each delivery; a periodic pass picks up anything left by a restart.
            let _ = tokio::time::timeout(Duration::from_secs(1), wake.notified()).await;
        }
    })
}

/// Processes unprocessed inbox rows, oldest first, until none is left. Each row's outcome is
/// kept: "ok", "echo", "stale", "unmapped", "duplicate" or the error that stopped it.
pub fn process_inbox(store: &Store) -> Result<usize> {
    process_inbox_gated(store, None)
}

/// [`process_inbox`], each write transaction taken in turn with the receiver's writer.
fn process_inbox_gated(store: &Store, gate: Option<&Gate>) -> Result<usize> {
    let turn = || gate.map(|g| g.lock.lock().unwrap_or_else(|p| p.into_inner()));
    let writer_waiting = gate.map(|g| &g.writer_waiting);
    let mut done = 0;
    loop {
        let rows = inbox::waiting(store, BATCH)?;
        if rows.is_empty() {
            return Ok(done);
        }
        let mut outcomes = Vec::with_capacity(rows.len());
        for chunk in rows.chunks(TX_ROWS) {
            // The writer goes first: deliveries are answered only once stored.
            while writer_waiting.is_some_and(|w| w.load(Ordering::Acquire) > 0) {
                std::thread::sleep(Duration::from_micros(200));
            }
            let _turn = turn();
            outcomes.extend(process_chunk(store, chunk)?);
        }
        done += outcomes.len();
    }
}

/// Inbox rows booked per transaction: one fsync for several orders, short enough that the
/// writer's wait for its turn stays a few milliseconds.
const TX_ROWS: usize = 8;

/// Books a chunk of rows in one transaction and marks them processed in it. When a row fails,
/// the chunk rolls back and each row goes alone, so the failing one keeps its error and the
/// others are booked.
fn process_chunk(store: &Store, rows: &[inbox::Waiting]) -> Result<Vec<(i64, String)>> {
    let tx = store.immediate_tx()?;
    let mut outcomes = Vec::with_capacity(rows.len());
    for inbox::Waiting { id, channel, topic, body } in rows {
        match process_one(&tx, channel, topic, body) {
            Ok(outcome) => outcomes.push((*id, outcome)),
            Err(_) => break,
        }
    }
    if outcomes.len() == rows.len() {
        mark(&tx, &outcomes)?;
        tx.commit()?;
        return Ok(outcomes);
    }
    drop(tx);
    let mut outcomes = Vec::with_capacity(rows.len());
    for inbox::Waiting { id, channel, topic, body } in rows {
        let tx = store.immediate_tx()?;
        let outcome = match process_one(&tx, channel, topic, body) {
            Ok(outcome) => outcome,
            Err(error) => {
                drop(tx);
                let tx = store.immediate_tx()?;
                let failed = [(*id, format!("error: {error}"))];
                mark(&tx, &failed)?;
                tx.commit()?;
                outcomes.extend(failed);
                continue;
            }
        };
        let done = [(*id, outcome)];
        mark(&tx, &done)?;
        tx.commit()?;
        outcomes.extend(done);
    }
    Ok(outcomes)
}

fn mark(tx: &Tx<'_>, outcomes: &[(i64, String)]) -> Result<()> {
    inbox::mark_processed(tx, outcomes, &now())?;
    Ok(())
}

/// One inbox row, inside the caller's transaction.
fn process_one(tx: &Tx<'_>, channel: &str, topic: &str, body: &str) -> Result<String> {
    let value: Value = serde_json::from_str(body).map_err(|e| CaptureError::Invalid(e.to_string()))?;
    match topic {
        "orders/create" | "orders/cancelled" => {
            let order = orders::parse_order(&value)?;
            let report = orders::ingest_in(tx, channel, &order, Source::Webhook)?;
            Ok(if report.unmapped > 0 { "unmapped".into() } else { "ok".into() })
        }
        "refunds/create" => {
            let order_id = id_of(&value["order_id"], "order_id")?;
            let refund = orders::parse_refund(&value)?;
            orders::ingest_refund_in(tx, channel, &order_id, &refund)?;
            Ok("ok".into())
        }
        _ => level_update(tx, channel, &value),
    }
}

/// `inventory_levels/update`: our own write coming back (the level equals what the channel last
/// acknowledged from us) is an echo and ignored; anything else is a change made on the channel,
/// handed to the engine as a detected channel change.
fn level_update(tx: &Tx<'_>, channel: &str, value: &Value) -> Result<String> {
    let Level { item, location, available, updated_at } = parse_level(value)?;
    let Some(listing) = listing_for(tx, channel, &item, Some(&location))? else {
        return Ok("unmapped".into());
    };
    // A level no newer than the newest applied is a replay or arrived out of order: the
    // channel has reported a later state since, and this one changes nothing. Equal times are
    // stale too: a replay of the newest level itself must not apply again once its inbox row
    // is pruned (a second real change within the same second is left to the next push's
    // compare-and-set and to reconciliation).
    let mark = inbox::level_mark(tx, listing.id)?;
    if mark.is_some_and(|mark| updated_at <= mark) {
        return Ok("stale".into());
    }
    inbox::set_level_mark(tx, listing.id, &updated_at)?;
    let acked = changes::acked_qty(tx, listing.id)?;
    let Some(acked) = acked else { return Ok("unknown_base".into()) };
    if acked == available {
        return Ok("echo".into());
    }
    let pending = queued_group_qty(tx, listing.id);
    if pending == Some(available) {
        return Ok("echo".into());
    }
    // From here on the channel holds `available`: that is our belief of its level, so the next
    // push compares against it (a compare against the old level would be stale, and the engine
    // would record this same change a second time).
    changes::set_acked_qty(tx, listing.id, available)?;
    // The channel already shows what we would push (unseen sales held back included): nothing
    // new to hold back.
    if shelfsync_store::outbox::allocation_for(tx, listing.id)?.qty == available {
        return Ok("consistent".into());
    }
    // The part of a drop that is this channel's own sales already booked (the order came
    // before this level) is settled at once, never held back as an unseen sale.
    let booked = shelfsync_store::outbox::take_booked_drop(tx, listing.id, acked - available)?;
    let expected = acked - booked;
    if expected == available {
        shelfsync_store::outbox::requeue_listing(tx, listing.id, &now())?;
        return Ok("consistent".into());
    }
    changes::record_change(tx, listing.id, channel, expected, available, &now())?;
    shelfsync_store::outbox::requeue_listing(tx, listing.id, &now())?;
    Ok("channel_change".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_follow_rfc_4231_and_refuse_any_change() {
        // RFC 4231 test case 2, base64 as Shopify sends it.
        let key = b"Jefe";
        let body = b"what do ya want for nothing?";
        let header = "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=";
        assert_eq!(sign(key, body), header);
        assert!(verify(key, body, header));
        assert!(verify(key, body, &format!(" {header} ")), "surrounding blanks are not part of the value");
        assert!(!verify(key, b"what do ya want for nothing!", header), "one byte of the body changed");
        assert!(!verify(b"Jeff", body, header), "another key");
        assert!(!verify(key, body, "W9zBRr9gdU5qBCQm"), "a truncated digest");
        assert!(!verify(key, body, "not base64 at all"));
        assert!(!verify(key, body, ""));
    }
}
