//! Reads: stock levels, the event history, and the projection check.

use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;
use serde::Serialize;
use shelfsync_core::{Balances, Event, LocationCode, Position, Sku};

use crate::{Result, Store, StoreError};

#[derive(Clone, Debug, Default)]
pub struct StockFilter {
    pub sku: Option<String>,
    pub location: Option<String>,
}

/// One (sku, location) row as `shelfsync stock --json` prints it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StockRow {
    pub sku: String,
    pub location: String,
    pub on_hand: i64,
    pub committed: i64,
    pub reserved: i64,
    pub damaged: i64,
    pub in_transit: i64,
    pub atp: i64,
}

/// A stock row from a query whose first columns are `sku, location, on_hand, committed,
/// reserved, damaged, in_transit` (the stock table's and the search's), ATP from core.
pub(crate) fn stock_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<StockRow> {
    let b = Balances {
        on_hand: row.get(2)?,
        committed: row.get(3)?,
        reserved: row.get(4)?,
        damaged: row.get(5)?,
        in_transit: row.get(6)?,
    };
    Ok(StockRow {
        sku: row.get(0)?,
        location: row.get(1)?,
        on_hand: b.on_hand,
        committed: b.committed,
        reserved: b.reserved,
        damaged: b.damaged,
        in_transit: b.in_transit,
        atp: b.atp(),
    })
}

#[derive(Clone, Debug, Default)]
pub struct EventFilter {
    pub sku: Option<String>,
    pub since: Option<DateTime<Utc>>,
    /// Only the newest this-many events (still printed oldest first), like `tail`. Bounded so
    /// a UI list cannot load the whole log.
    pub limit: Option<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecordedEvent {
    pub seq: i64,
    pub recorded_at: String,
    #[serde(flatten)]
    pub event: Event,
}

impl Store {
    pub fn stock(&self, filter: &StockFilter) -> Result<Vec<StockRow>> {
        if let Some(sku) = &filter.sku
            && self.item(sku)?.is_none()
        {
            return Err(StoreError::UnknownSku(sku.clone()));
        }
        if let Some(location) = &filter.location
            && !self.location_exists(location)?
        {
            return Err(StoreError::UnknownLocation(location.clone()));
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT sku, location, on_hand, committed, reserved, damaged, in_transit FROM balances
             WHERE (?1 IS NULL OR sku = ?1) AND (?2 IS NULL OR location = ?2)
               AND (on_hand != 0 OR committed != 0 OR reserved != 0 OR damaged != 0 OR in_transit != 0)
             ORDER BY sku, location",
        )?;
        let rows = stmt.query_map([&filter.sku, &filter.location], stock_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn balances(&self, sku: &Sku, location: &LocationCode) -> Result<Balances> {
        crate::ledger::read_balances(&self.conn, sku.as_str(), location.as_str())
    }

    pub fn events(&self, filter: &EventFilter) -> Result<Vec<RecordedEvent>> {
        if let Some(sku) = &filter.sku
            && self.item(sku)?.is_none()
        {
            return Err(StoreError::UnknownSku(sku.clone()));
        }
        let since = filter.since.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
        let limit = filter.limit.map_or(-1, |n| n as i64);
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, recorded_at, body FROM events
             WHERE seq IN (SELECT seq FROM events
                           WHERE (?1 IS NULL OR sku = ?1) AND (?2 IS NULL OR occurred_at >= ?2)
                           ORDER BY seq DESC LIMIT ?3)
             ORDER BY seq",
        )?;
        let rows = stmt.query_map(rusqlite::params![filter.sku, since, limit], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?))
        })?;
        let mut events = Vec::new();
        for row in rows {
            let (seq, recorded_at, body) = row?;
            events.push(RecordedEvent { seq, recorded_at, event: parse_body(seq, &body)? });
        }
        Ok(events)
    }

    /// The log's first event (the lowest seq), or `None` on an empty log. `events` with a
    /// limit answers the newest ones instead.
    pub fn first_event(&self) -> Result<Option<RecordedEvent>> {
        let row = self
            .conn
            .query_row("SELECT seq, recorded_at, body FROM events ORDER BY seq LIMIT 1", [], |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?))
            })
            .optional()?;
        row.map(|(seq, recorded_at, body)| {
            Ok(RecordedEvent { seq, recorded_at, event: parse_body(seq, &body)? })
        })
        .transpose()
    }

    pub fn event_count(&self) -> Result<u64> {
        let count: i64 = self.conn.query_row("SELECT count(*) FROM events", [], |row| row.get(0))?;
        Ok(count as u64)
    }

    /// The live projection, as stored.
    pub fn projection(&self) -> Result<Position> {
        let mut stmt = self.conn.prepare(
            "SELECT sku, location, on_hand, committed, reserved, damaged, in_transit FROM balances",
        )?;
        let mut rows = stmt.query([])?;
        let mut position = Position::default();
        while let Some(row) = rows.next()? {
            let b = Balances {
                on_hand: row.get(2)?,
                committed: row.get(3)?,
                reserved: row.get(4)?,
                damaged: row.get(5)?,
                in_transit: row.get(6)?,
            };
            position.set(
                Sku::new(row.get::<_, String>(0)?)?,
                LocationCode::new(row.get::<_, String>(1)?)?,
                b,
            );
        }
        Ok(position)
    }

    /// Balances recomputed from every event body, through the same pure delta rules. Streams
    /// the log, so memory stays bounded by the number of (sku, location) pairs.
    pub fn rebuild(&self) -> Result<Position> {
        let mut stmt = self.conn.prepare("SELECT seq, body FROM events ORDER BY seq")?;
        let mut rows = stmt.query([])?;
        let mut position = Position::default();
        while let Some(row) = rows.next()? {
            let seq: i64 = row.get(0)?;
            let body: String = row.get(1)?;
            position.apply(&parse_body(seq, &body)?.deltas());
        }
        Ok(position)
    }

    /// True when the stored projection equals a rebuild from the events.
    pub fn projection_matches_rebuild(&self) -> Result<bool> {
        Ok(self.projection()?.same_as(&self.rebuild()?))
    }
}

pub(crate) fn parse_body(seq: i64, body: &str) -> Result<Event> {
    serde_json::from_str(body).map_err(|e| StoreError::CorruptEvent { seq, reason: e.to_string() })
}

impl Store {
    /// One event by id, if recorded.
    pub fn event(&self, id: uuid::Uuid) -> Result<Option<Event>> {
        use rusqlite::OptionalExtension;
        let row: Option<(i64, String)> = self
            .conn
            .prepare_cached("SELECT seq, body FROM events WHERE id = ?1")?
            .query_row([id.to_string()], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?;
        row.map(|(seq, body)| parse_body(seq, &body)).transpose()
    }
}
