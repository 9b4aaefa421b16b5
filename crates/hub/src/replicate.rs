//! One replication round against the hub: master data up, events up, master data down, events
//! down, discrepancies down. Each step is bounded, so a round never holds the hub (or the
//! workstation's write lock) for long; a long backlog takes several rounds.

use std::collections::{BTreeSet, HashMap};

use shelfsync_core::{Balances, Event, LocationCode, Position, Sku};

use shelfsync_store::replication::discrepancies::Discrepancy;
use shelfsync_store::replication::events::{Applied, PendingEvent, PulledEvent};
use shelfsync_store::replication::master::{PendingMaster, PulledMaster};

use crate::local::LocalStore;
use crate::pg::{HubConn, NOTIFY_CHANNEL, PUSH_LOCK};
use crate::{HubError, Result};

/// Events per push transaction. Large enough that per-transaction costs (the lock, the commit's
/// fsync) vanish; small enough that one transaction holds the push lock for tens of
/// milliseconds and a lost connection redoes little.
pub const PUSH_BATCH: usize = 1_000;
/// Events per pull batch, applied in one SQLite transaction: well under the store's own 5,000
/// (MAX_BATCH), so scanning on this workstation waits at most a few tens of milliseconds.
pub const PULL_BATCH: usize = 1_000;
/// Batches per direction per round, so the lease and fresh local changes get their turn during
/// a long catch-up.
pub const BATCHES_PER_ROUND: usize = 10;

/// What a round did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Round {
    pub pushed: usize,
    pub pulled: usize,
    pub refused_up: Vec<String>,
    pub hub_head: i64,
    /// Nothing left to push and nothing left to pull.
    pub caught_up: bool,
}

/// Runs one round. `store` stays out of the awaits: each local step is synchronous.
pub async fn round(hub: &mut HubConn, store: &LocalStore, workstation: &str) -> Result<Round> {
    let mut round = Round::default();
    let master_left = push_master(hub, store, workstation).await?;
    let events_left = push_events(hub, store, workstation, &mut round).await?;
    pull_master(hub, store).await?;
    let pull_left = pull_events(hub, store, &mut round).await?;
    pull_discrepancies(hub, store).await?;
    hub.client
        .execute("UPDATE workstations SET last_pull = now() WHERE name = $1", &[&workstation])
        .await
        .map_err(hub.fail())?;
    round.caught_up = !master_left && !events_left && !pull_left;
    Ok(round)
}

/// Ships queued master-data versions. True when more remain.
async fn push_master(hub: &mut HubConn, store: &LocalStore, workstation: &str) -> Result<bool> {
    for _ in 0..BATCHES_PER_ROUND {
        let batch = store.lock().hub_pending_master(PUSH_BATCH)?;
        let Some(last) = batch.last().map(|m| m.outbox_id) else { return Ok(false) };
        let stamped = insert_master(hub, workstation, &batch).await?;
        store.lock().hub_pushed_master(last, &stamped)?;
    }
    Ok(!store.lock().hub_pending_master(1)?.is_empty())
}

/// Inserts a batch; returns each record's (kind, key, time) as the hub stamped it.
async fn insert_master(
    hub: &mut HubConn,
    workstation: &str,
    batch: &[PendingMaster],
) -> Result<Vec<(String, String, String)>> {
    let kinds: Vec<&str> = batch.iter().map(|m| m.kind.as_str()).collect();
    let keys: Vec<&str> = batch.iter().map(|m| m.key.as_str()).collect();
    let values: Vec<Option<&str>> = batch.iter().map(|m| m.value.as_deref()).collect();
    let times: Vec<&str> = batch.iter().map(|m| m.changed_at.as_str()).collect();
    let fail = hub.fail();
    let tx = hub.client.transaction().await.map_err(&fail)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&PUSH_LOCK]).await.map_err(&fail)?;
    let stamped = tx
        .query(
            "INSERT INTO master (kind, key, value, changed_at, workstation)
             SELECT k, y, v, t, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
                 WITH ORDINALITY AS u(k, y, v, t, n) ORDER BY n
             RETURNING kind, key, changed_at",
            &[&kinds, &keys, &values, &times, &workstation],
        )
        .await
        .map_err(&fail)?
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    tx.execute("SELECT pg_notify($1, 'master')", &[&NOTIFY_CHANNEL]).await.map_err(&fail)?;
    tx.commit().await.map_err(&fail)?;
    Ok(stamped)
}

/// Ships local events. True when more remain.
async fn push_events(
    hub: &mut HubConn,
    store: &LocalStore,
    workstation: &str,
    round: &mut Round,
) -> Result<bool> {
    for _ in 0..BATCHES_PER_ROUND {
        let watermark = store.lock().hub_config()?.ok_or(HubError::NotConnected)?.push_watermark;
        let batch = store.lock().hub_pending_events(watermark, PUSH_BATCH)?;
        let Some(last) = batch.last().map(|e| e.seq) else { return Ok(false) };
        let refused = push_batch(hub, workstation, &batch).await?;
        round.pushed += batch.len() - refused.len();
        round.refused_up.extend(refused.iter().map(|(id, _)| id.clone()));
        store.lock().hub_pushed_events(last, &refused)?;
    }
    let watermark = store.lock().hub_config()?.ok_or(HubError::NotConnected)?.push_watermark;
    Ok(!store.lock().hub_pending_events(watermark, 1)?.is_empty())
}

/// One push transaction: insert what is new (ON CONFLICT (id) DO NOTHING), refuse an id that
/// exists with another body, re-check the global invariants on the hub's balances for the new
/// events in hub order, and wake the pullers. Returns the refused (id, reason) pairs.
pub async fn push_batch(
    hub: &mut HubConn,
    workstation: &str,
    batch: &[PendingEvent],
) -> Result<Vec<(String, String)>> {
    let ids: Vec<&str> = batch.iter().map(|e| e.id.as_str()).collect();
    let bodies: Vec<&str> = batch.iter().map(|e| e.body.as_str()).collect();
    let hashes: Vec<&str> = batch.iter().map(|e| e.body_hash.as_str()).collect();
    let skus: Vec<&str> = batch.iter().map(|e| e.sku.as_str()).collect();
    let fail = hub.fail();
    let tx = hub.client.transaction().await.map_err(&fail)?;
    // One writer at a time: sequence numbers are then handed out in commit order, so a puller's
    // "seq > watermark" can never skip a row that commits late.
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&PUSH_LOCK]).await.map_err(&fail)?;
    let inserted = tx
        .query(
            "INSERT INTO events (id, body, body_hash, origin, sku)
             SELECT i, b, h, $5, s FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
                 WITH ORDINALITY AS u(i, b, h, s, n) ORDER BY n
             ON CONFLICT (id) DO NOTHING RETURNING seq, id",
            &[&ids, &bodies, &hashes, &skus, &workstation],
        )
        .await
        .map_err(&fail)?;
    let mut new: Vec<(i64, String)> = inserted.iter().map(|r| (r.get(0), r.get(1))).collect();
    new.sort();
    let new_ids: BTreeSet<&str> = new.iter().map(|(_, id)| id.as_str()).collect();
    let old: Vec<&str> = ids.iter().copied().filter(|id| !new_ids.contains(id)).collect();
    let by_id: HashMap<&str, &PendingEvent> = batch.iter().map(|e| (e.id.as_str(), e)).collect();
    let refused = refuse_changed_bodies(&tx, workstation, &by_id, &old).await.map_err(&fail)?;
    let events: Vec<(i64, Event)> = new
        .iter()
        .filter_map(|(seq, id)| {
            Some((*seq, serde_json::from_str::<Event>(&by_id.get(id.as_str())?.body).ok()?))
        })
        .collect();
    check_invariants(&tx, workstation, &events).await.map_err(&fail)?;
    tx.execute("UPDATE workstations SET last_push = now() WHERE name = $1", &[&workstation])
        .await
        .map_err(&fail)?;
    if !new.is_empty() {
        tx.execute("SELECT pg_notify($1, 'events')", &[&NOTIFY_CHANNEL]).await.map_err(&fail)?;
    }
    tx.commit().await.map_err(&fail)?;
    Ok(refused)
}

/// Ids the hub already had: the same body is a retry (fine); another body is refused, and the
/// refusal recorded on the hub for every workstation's report.
async fn refuse_changed_bodies(
    tx: &tokio_postgres::Transaction<'_>,
    workstation: &str,
    by_id: &HashMap<&str, &PendingEvent>,
    known: &[&str],
) -> std::result::Result<Vec<(String, String)>, tokio_postgres::Error> {
    let mut refused = Vec::new();
    if known.is_empty() {
        return Ok(refused);
    }
    for row in tx.query("SELECT id, body_hash FROM events WHERE id = ANY($1)", &[&known]).await? {
        let (id, kept): (String, String) = (row.get(0), row.get(1));
        let offered = by_id.get(id.as_str()).map(|e| e.body_hash.as_str()).unwrap_or_default();
        if kept != offered {
            tx.execute(
                "INSERT INTO refusals (event_id, workstation, offered_hash, kept_hash) VALUES ($1, $2, $3, $4)
                 ON CONFLICT DO NOTHING",
                &[&id, &workstation, &offered, &kept],
            )
            .await?;
            refused.push((id.clone(), HubError::Refused { id }.to_string()));
        }
    }
    Ok(refused)
}

/// Applies the new events' deltas to the hub's balances in hub order and records a discrepancy
/// for each event that breaks a bucket rule there (unless a supervisor override is on it). The
/// event stays: it happened; a supervisor decides what the correction is.
async fn check_invariants(
    tx: &tokio_postgres::Transaction<'_>,
    workstation: &str,
    events: &[(i64, Event)],
) -> std::result::Result<(), tokio_postgres::Error> {
    if events.is_empty() {
        return Ok(());
    }
    let keys: BTreeSet<(String, String)> = events
        .iter()
        .flat_map(|(_, e)| e.deltas())
        .map(|d| (d.sku.as_str().to_string(), d.location.as_str().to_string()))
        .collect();
    let (skus, locations): (Vec<&str>, Vec<&str>) =
        keys.iter().map(|(s, l)| (s.as_str(), l.as_str())).unzip();
    let rows = tx
        .query(
            "SELECT b.sku, b.location, on_hand, committed, reserved, damaged, in_transit
             FROM balances b JOIN unnest($1::text[], $2::text[]) AS k(sku, location)
                 ON b.sku = k.sku AND b.location = k.location",
            &[&skus, &locations],
        )
        .await?;
    let mut position = Position::default();
    for row in rows {
        let (Ok(sku), Ok(location)) =
            (Sku::new(row.get::<_, String>(0)), LocationCode::new(row.get::<_, String>(1)))
        else {
            continue;
        };
        position.set(
            sku,
            location,
            Balances {
                on_hand: row.get(2),
                committed: row.get(3),
                reserved: row.get(4),
                damaged: row.get(5),
                in_transit: row.get(6),
            },
        );
    }
    for (seq, event) in events {
        let deltas = event.deltas();
        if event.override_by.is_none()
            && let Some(violation) = position.check(&deltas)
        {
            record_discrepancy(tx, workstation, *seq, event, &violation).await?;
        }
        position.apply(&deltas);
    }
    let mut columns: [Vec<i64>; 5] = Default::default();
    for (sku, location) in &keys {
        let (Ok(sku), Ok(location)) = (Sku::new(sku.clone()), LocationCode::new(location.clone())) else {
            continue;
        };
        let b = position.get(&sku, &location);
        for (column, value) in
            columns.iter_mut().zip([b.on_hand, b.committed, b.reserved, b.damaged, b.in_transit])
        {
            column.push(value);
        }
    }
    let [on_hand, committed, reserved, damaged, in_transit] = &columns;
    tx.execute(
        "INSERT INTO balances (sku, location, on_hand, committed, reserved, damaged, in_transit)
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[])
         ON CONFLICT (sku, location) DO UPDATE SET on_hand = excluded.on_hand, committed = excluded.committed,
             reserved = excluded.reserved, damaged = excluded.damaged, in_transit = excluded.in_transit",
        &[&skus, &locations, on_hand, committed, reserved, damaged, in_transit],
    )
    .await?;
    Ok(())
}

async fn record_discrepancy(
    tx: &tokio_postgres::Transaction<'_>,
    workstation: &str,
    seq: i64,
    event: &Event,
    violation: &shelfsync_core::BucketViolation,
) -> std::result::Result<(), tokio_postgres::Error> {
    // The other side of the conflict: the latest earlier event on the SKU from elsewhere.
    let sku = event.movement.sku().as_str();
    let other: Option<String> = tx
        .query_opt(
            "SELECT id FROM events WHERE sku = $1 AND origin <> $2 AND seq < $3 ORDER BY seq DESC LIMIT 1",
            &[&sku, &workstation, &seq],
        )
        .await?
        .map(|row| row.get(0));
    tx.execute(
        "INSERT INTO discrepancies (event_id, other_event_id, workstation, sku, location, detail)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_id) DO NOTHING",
        &[
            &event.id.to_string(),
            &other,
            &workstation,
            &sku,
            &violation.location.as_str(),
            &format!("{violation} across workstations"),
        ],
    )
    .await?;
    Ok(())
}

async fn pull_master(hub: &mut HubConn, store: &LocalStore) -> Result<()> {
    for _ in 0..BATCHES_PER_ROUND {
        let after = store.lock().hub_config()?.ok_or(HubError::NotConnected)?.master_watermark;
        let rows = hub
            .client
            .query(
                "SELECT seq, kind, key, value, changed_at, workstation FROM master
                 WHERE seq > $1 ORDER BY seq LIMIT $2",
                &[&after, &(PULL_BATCH as i64)],
            )
            .await
            .map_err(hub.fail())?;
        let batch: Vec<PulledMaster> = rows
            .iter()
            .map(|r| PulledMaster {
                seq: r.get(0),
                kind: r.get(1),
                key: r.get(2),
                value: r.get(3),
                changed_at: r.get(4),
                workstation: r.get(5),
            })
            .collect();
        store.lock().hub_apply_master(&batch)?;
        if batch.len() < PULL_BATCH {
            break;
        }
    }
    Ok(())
}

/// Pulls events in hub order. True when more remain.
async fn pull_events(hub: &mut HubConn, store: &LocalStore, round: &mut Round) -> Result<bool> {
    for _ in 0..BATCHES_PER_ROUND {
        let after = store.lock().hub_config()?.ok_or(HubError::NotConnected)?.pull_watermark;
        let head: i64 = hub
            .client
            .query_one("SELECT coalesce(max(seq), 0) FROM events", &[])
            .await
            .map_err(hub.fail())?
            .get(0);
        round.hub_head = head;
        if head <= after {
            store.lock().hub_apply_events(&[], head)?;
            return Ok(false);
        }
        let rows = hub
            .client
            .query(
                "SELECT seq, id, body, origin FROM events WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3",
                &[&after, &head, &(PULL_BATCH as i64)],
            )
            .await
            .map_err(hub.fail())?;
        let batch: Vec<PulledEvent> = rows
            .iter()
            .map(|r| PulledEvent { seq: r.get(0), id: r.get(1), body: r.get(2), origin: r.get(3) })
            .collect();
        let applied: Applied = store.lock().hub_apply_events(&batch, head)?;
        round.pulled += applied.recorded;
        if let Some(missing) = applied.waiting_for {
            store.lock().hub_record_error(&format!("waiting for {missing} from the hub"))?;
            return Ok(true);
        }
    }
    let after = store.lock().hub_config()?.ok_or(HubError::NotConnected)?.pull_watermark;
    Ok(after < round.hub_head)
}

async fn pull_discrepancies(hub: &mut HubConn, store: &LocalStore) -> Result<()> {
    let after = store.lock().hub_config()?.ok_or(HubError::NotConnected)?.discrepancy_watermark;
    let rows = hub
        .client
        .query(
            "SELECT id, event_id, other_event_id, workstation, sku, location, detail,
                    to_char(detected_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')
             FROM discrepancies WHERE id > $1 ORDER BY id LIMIT $2",
            &[&after, &(PULL_BATCH as i64)],
        )
        .await
        .map_err(hub.fail())?;
    let batch: Vec<Discrepancy> = rows
        .iter()
        .map(|r| Discrepancy {
            id: r.get(0),
            event_id: r.get(1),
            other_event_id: r.get(2),
            workstation: r.get(3),
            sku: r.get(4),
            location: r.get(5),
            detail: r.get(6),
            detected_at: r.get(7),
        })
        .collect();
    store.lock().hub_store_discrepancies(&batch)?;
    Ok(())
}
