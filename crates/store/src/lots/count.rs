//! Counts by lot (issue 21): a tracked item's count scan names its lot; posting the line posts
//! a variance per lot. See the parent module for where lots live.

use chrono::NaiveDate;
use rusqlite::{Connection, Transaction, params};
use shelfsync_core::{Event, LotError, LotKind, LotTag, Movement, Tracking};

use super::{MAX_LOTS_LISTED, date, tracking_of};
use crate::{Result, Store};

impl Store {
    /// One count scan of a tracked item's lot (`count scan SESSION CODE QTY --lot L`): the lot's
    /// count in the item's current round (added to, or set with `replace`) and the item's line
    /// set to the sum of its lots, in one transaction, so the session's total and its lots
    /// agree. An untracked item without a lot is the plain [`Store::count_scan`]; a tracked one
    /// without its lot, or an untracked one with a lot, is refused before anything is written.
    /// Returns the SKU.
    #[allow(clippy::too_many_arguments)] // the scan's own fields, as count_scan's
    pub fn count_scan_lot(
        &mut self,
        session: &str,
        code: &str,
        qty: i64,
        replace: bool,
        tag: Option<&LotTag>,
        by: &crate::User,
        workstation: &str,
    ) -> Result<String> {
        self.count_scan_lot_line(session, code, qty, replace, tag, by, workstation, None)
    }

    /// [`Store::count_scan_lot`] for a line of the scan station's draft: a line already
    /// recorded under `line_id` is not recorded again (a retried commit).
    #[allow(clippy::too_many_arguments)] // the scan's own fields, as count_scan_line's
    pub fn count_scan_lot_line(
        &mut self,
        session: &str,
        code: &str,
        qty: i64,
        replace: bool,
        tag: Option<&LotTag>,
        by: &crate::User,
        workstation: &str,
        line_id: Option<&str>,
    ) -> Result<String> {
        let resolved = self.resolve_units(code)?;
        let sku = resolved.sku.to_string();
        let tracking = tracking_of(&self.conn, &sku)?;
        let tag = match (tracking, tag) {
            (Tracking::None, None) => {
                return self.count_scan_line(session, code, qty, replace, by, workstation, line_id);
            }
            (Tracking::None, Some(_)) => return Err(LotError::NotTracked { sku }.into()),
            (tracking, None) => {
                return Err(LotError::Required { sku, tracking: tracking.as_str(), movement: "count" }.into());
            }
            (tracking, Some(tag)) => {
                let wanted = if tracking == Tracking::Lot { LotKind::Lot } else { LotKind::Serial };
                if tag.kind != wanted {
                    return Err(LotError::WrongKind {
                        sku,
                        tracking: tracking.as_str(),
                        given: tag.kind.as_str(),
                    }
                    .into());
                }
                tag
            }
        };
        let max = i64::from(shelfsync_core::MAX_QTY);
        if !(0..=max).contains(&qty) {
            return Err(shelfsync_core::DomainError::QuantityOutOfRange { got: qty, max }.into());
        }
        let units = i64::from(resolved.units_for(qty as u32)?);
        let tx = crate::connection::immediate(&self.conn)?;
        if crate::counts::line_recorded(&tx, line_id)? {
            return Ok(sku);
        }
        let round = crate::counts::current_round(&tx, session, &sku)?;
        let lines = count_lot_lines(&tx, session, &sku)?;
        let old = lines.iter().find(|l| l.0 == tag.code).map_or(0, |l| l.1);
        let new = if replace { units } else { old + units };
        if tag.kind == LotKind::Serial && new > 1 {
            return Err(LotError::SerialQty { sku, serial: tag.code.clone(), qty: new }.into());
        }
        let others: i64 = lines.iter().filter(|l| l.0 != tag.code).map(|l| l.1).sum();
        if others + new > max {
            return Err(shelfsync_core::DomainError::QuantityOutOfRange { got: others + new, max }.into());
        }
        // The item's line first: it checks the session (open, in scope, not yet submitted).
        crate::counts::count_entry_in(&tx, session, &sku, others + new, true, by, workstation, line_id)?;
        tx.prepare_cached(
            "INSERT INTO count_lot_lines (session, sku, round, code, counted, expiry) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (session, sku, round, code) DO UPDATE SET counted = excluded.counted,
                 expiry = coalesce(excluded.expiry, count_lot_lines.expiry)",
        )?
        .execute(params![session, sku, round, tag.code, new, tag.expiry.map(|d| d.to_string())])?;
        tx.commit()?;
        Ok(sku)
    }

    /// A session's lot counts of one item: (lot, counted).
    pub fn count_lots(&self, session: &str, sku: &str) -> Result<Vec<(String, i64)>> {
        Ok(count_lot_lines(&self.conn, session, sku)?.into_iter().map(|(code, n, _)| (code, n)).collect())
    }
}

fn count_lot_lines(
    conn: &Connection,
    session: &str,
    sku: &str,
) -> Result<Vec<(String, i64, Option<NaiveDate>)>> {
    // The item's current round: a recount counts each lot again from nothing.
    let round = crate::counts::current_round(conn, session, sku)?;
    Ok(conn
        .prepare_cached(
            "SELECT code, counted, expiry FROM count_lot_lines
             WHERE session = ?1 AND sku = ?2 AND round = ?3 ORDER BY code LIMIT ?4",
        )?
        .query_map(params![session, sku, round, MAX_LOTS_LISTED as i64], |r| {
            Ok((r.get(0)?, r.get(1)?, date(r.get(2)?)))
        })?
        .collect::<Result<_, _>>()?)
}

/// Posts a count line of a tracked item counted by lot (called where the line posts, inside
/// its transaction): each lot's variance as its own count posting (a lot on the shelf that
/// nobody counted is counted as zero), then the line's own event (its fixed id, so posting the
/// line twice books once) for whatever the item holds beyond its lots, so after posting the
/// item's on_hand is the sum of its counted lots. Each lot is set to its count as of posting.
/// False (nothing done) when the line has no lot counts: the plain posting applies.
#[allow(clippy::too_many_arguments)] // the posting's own fields, as post_variance's
pub(crate) fn post_count_by_lot(
    tx: &Transaction<'_>,
    session: &str,
    location: &str,
    sku: &str,
    event_id: uuid::Uuid,
    actor: &str,
    workstation: &str,
    reason: &str,
) -> Result<bool> {
    let lines = count_lot_lines(tx, session, sku)?;
    let kind = match tracking_of(tx, sku)? {
        Tracking::None => return Ok(false),
        Tracking::Lot => LotKind::Lot,
        Tracking::Serial => LotKind::Serial,
    };
    if lines.is_empty() {
        return Ok(false);
    }
    let posted = tx.prepare_cached("SELECT 1 FROM events WHERE id = ?1")?.exists([event_id.to_string()])?;
    if posted {
        return Ok(true);
    }
    let on_shelf: Vec<(String, i64)> = tx
        .prepare_cached(
            "SELECT code, on_hand FROM lot_balances WHERE sku = ?1 AND location = ?2 AND on_hand != 0 ORDER BY code",
        )?
        .query_map([sku, location], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut codes: Vec<(String, i64, Option<NaiveDate>)> = lines.clone();
    for (code, _) in &on_shelf {
        if !codes.iter().any(|c| &c.0 == code) {
            codes.push((code.clone(), 0, None));
        }
    }
    codes.sort();
    let sku_id = shelfsync_core::Sku::new(sku)?;
    let location_id = shelfsync_core::LocationCode::new(location)?;
    let posting = |counted: i64, expected: i64| Movement::CountPosting {
        sku: sku_id.clone(),
        location: location_id.clone(),
        session: session.into(),
        counted,
        expected,
    };
    for (code, counted, expiry) in codes {
        let expected = on_shelf.iter().find(|(c, _)| *c == code).map_or(0, |(_, n)| *n).max(0);
        if counted == expected {
            continue;
        }
        let event = crate::new_event(posting(counted, expected), actor, workstation)
            .with_reason(reason)
            .with_reference(format!("count:{session}"))
            .with_lot(Some(LotTag { kind, code, expiry }));
        crate::append_in(tx, &event)?;
    }
    let total: i64 = lines.iter().map(|l| l.1).sum();
    let on_hand = crate::ledger::read_balances(tx, sku, location)?.on_hand.max(0);
    let event =
        Event::with_identity(event_id, chrono::Utc::now(), posting(total, on_hand), actor, workstation)
            .with_reason(reason)
            .with_reference(format!("count:{session}"));
    crate::append_in(tx, &event)?;
    Ok(true)
}

/// Whether a session counted `sku` by lot.
pub(crate) fn has_lot_counts(conn: &Connection, session: &str, sku: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM count_lot_lines WHERE session = ?1 AND sku = ?2 AND round = ?3")?
        .exists(params![session, sku, crate::counts::current_round(conn, session, sku)?])?)
}
