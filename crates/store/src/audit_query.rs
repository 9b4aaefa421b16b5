//! Reading the audit chain back: one page of entries, newest first, filtered by who made them
//! (the actor), the item they concern, a time range and their kind.
//!
//! Why a page and not the chain: the chain grows by one entry per event for the life of the
//! database, and a page is what a screen shows and a script reads. Pages are cut by sequence
//! (`before`: the entries older than the last one seen), not by offset, because the chain only
//! grows at its head: the next page is the same whatever was appended meanwhile.
//!
//! Which item an entry concerns is not a column of `audit`; it is read from what the entry's
//! subject names: the event (`event.*`, `hub.event`), the count line (`count.approve`,
//! `count.reject`, `count.recount`), the held movement (`movement.*`), the kit (`kit.*`), or
//! the pack as it was (`pack.remove`). Entries about no one item (a sign-in lockout, a setting,
//! an import of many) have none.
//!
//! `audit` has no index but its sequence, so a filter walks the chain from the head and stops
//! after `limit` matches: a filter that matches little walks it all (BENCHMARKS has the figure).

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use thiserror::Error;

use crate::{Result, Store};

/// Entries in a page unless asked otherwise.
pub const AUDIT_PAGE_DEFAULT: u32 = 50;
/// The most entries one page holds. A page is one IPC response and one table on screen: 500
/// entries with their details cut at [`AUDIT_DETAIL_MAX_CHARS`] stay near a megabyte, and a
/// person reads a page, not ten thousand rows; a script pages on with `before`.
pub const AUDIT_PAGE_MAX: u32 = 500;
/// An entry's detail is cut here in a page (`detail_truncated` says so): a detail is JSON of
/// a before and an after, normally far shorter; this bounds a page whatever a row holds.
pub const AUDIT_DETAIL_MAX_CHARS: u32 = 2_000;
/// The longest filter text accepted (a user name, a SKU, a kind, a time): 64 is the longest
/// user name and SKU; an RFC 3339 time with an offset is 29 characters.
const FILTER_TEXT_MAX_CHARS: usize = 64;

/// Kinds by family: the part before the first dot. A kind filter is a family (`event`, every
/// stock movement) or one kind (`event.receive`).
pub const AUDIT_KINDS: &[&str] = &[
    "event.receive",
    "event.sale",
    "event.fulfil",
    "event.cancel",
    "event.return",
    "event.reserve",
    "event.release",
    "event.adjust",
    "event.damage",
    "event.write_off",
    "event.transfer",
    "event.transfer_ship",
    "event.transfer_receive",
    "event.count_posting",
    "event.reversal",
    "movement.request",
    "movement.approve",
    "movement.reject",
    "count.start",
    "count.paused",
    "count.open",
    "count.submit",
    "count.approve",
    "count.reject",
    "count.recount",
    "tolerance.set",
    "setting.set",
    "workstation.setting",
    "user.add",
    "user.lockout",
    "user.passwd",
    "user.unlock",
    "user.activate",
    "user.deactivate",
    "user.language",
    "channel.add",
    "channel.credentials",
    "channel.rule",
    "channel.repush",
    "channel.map",
    "deadletter.retry",
    "alert.ack",
    "alert.smtp",
    "alert.target",
    "alert.threshold",
    "alert.hours",
    "alert.peak_day",
    "incident.resolve",
    "import.items",
    "import.locations",
    "import.stock",
    "import.kits",
    "import.packs",
    "kit.set",
    "kit.remove",
    "pack.remove",
    "location.add",
    "hub.event",
    "hub.master",
    "hub.master.refused",
    "item.tracking",
];

/// A filter as asked for (by the CLI's flags or the app's form); [`Store::audit_entries`]
/// checks it before it reads anything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Who made the entries, exactly as the chain names them (`ana`, `service:WS1`, `hub:WS2`).
    pub actor: Option<String>,
    /// The item the entries concern.
    pub sku: Option<String>,
    /// A family (`event`) or one kind (`event.receive`).
    pub kind: Option<String>,
    /// From this time on (inclusive): RFC 3339, or a date meaning its first instant in UTC.
    pub since: Option<String>,
    /// Up to this time (exclusive): RFC 3339, or a date meaning up to the end of that day in UTC.
    pub until: Option<String>,
    /// Only entries older than this sequence number: the last `seq` of the page before.
    pub before: Option<i64>,
    /// 1 to [`AUDIT_PAGE_MAX`]; [`AUDIT_PAGE_DEFAULT`] when absent.
    pub limit: Option<u32>,
}

/// A filter refused, in one line that names the field.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum AuditFilterError {
    #[error("{field} '{value}' is not a time: use RFC 3339 (2026-12-04T09:30:00Z) or a date (2026-12-04)")]
    BadTime { field: &'static str, value: String },
    #[error("since {since} is not before until {until}: nothing could match")]
    EmptyRange { since: String, until: String },
    #[error(
        "unknown audit kind '{0}': use a family (event, count, user, ...) or a kind such as event.receive"
    )]
    UnknownKind(String),
    #[error("limit {0} is out of range: a page holds 1 to {AUDIT_PAGE_MAX} entries (page on with before)")]
    BadLimit(u32),
    #[error("before {0} is not an entry number: entries are numbered from 1")]
    BadBefore(i64),
    #[error("{field} must be 1 to {FILTER_TEXT_MAX_CHARS} characters without spaces")]
    BadText { field: &'static str },
}

/// One entry as a page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub workstation: String,
    pub kind: String,
    pub subject: String,
    /// The item the entry concerns, when it concerns one.
    pub sku: Option<String>,
    pub detail: String,
    pub detail_truncated: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditPage {
    pub entries: Vec<AuditRecord>,
    /// Pass as `before` for the next (older) page; `None` when this page is the last.
    pub next_before: Option<i64>,
    pub limit: u32,
}

/// A filter once checked: times in the chain's own format, so they compare as text.
#[derive(Debug)]
struct Checked {
    actor: Option<String>,
    sku: Option<String>,
    family: Option<String>,
    kind: Option<String>,
    since: Option<String>,
    until: Option<String>,
    before: Option<i64>,
    limit: u32,
}

fn text(field: &'static str, value: &Option<String>) -> Result<Option<String>, AuditFilterError> {
    let value = trimmed(field, value)?;
    if value.as_deref().is_some_and(|v| v.chars().any(char::is_whitespace)) {
        return Err(AuditFilterError::BadText { field });
    }
    Ok(value)
}

/// Empty means no filter; longer than [`FILTER_TEXT_MAX_CHARS`] is refused before it is parsed.
fn trimmed(field: &'static str, value: &Option<String>) -> Result<Option<String>, AuditFilterError> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) if v.chars().count() > FILTER_TEXT_MAX_CHARS => Err(AuditFilterError::BadText { field }),
        Some(v) => Ok(Some(v.to_string())),
    }
}

/// The chain's format: UTC, milliseconds, `Z` (`audit_in` writes it), so text order is time order.
fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn time(
    field: &'static str,
    value: Option<String>,
    end_of_day: bool,
) -> Result<Option<String>, AuditFilterError> {
    let Some(value) = value else { return Ok(None) };
    if let Ok(at) = DateTime::parse_from_rfc3339(&value) {
        return Ok(Some(stamp(at.with_timezone(&Utc))));
    }
    let bad = || AuditFilterError::BadTime { field, value: value.clone() };
    let date = NaiveDate::parse_from_str(&value, "%Y-%m-%d").map_err(|_| bad())?;
    let day = if end_of_day { date.succ_opt().ok_or_else(bad)? } else { date };
    Ok(Some(stamp(day.and_hms_opt(0, 0, 0).ok_or_else(bad)?.and_utc())))
}

/// Checks everything that needs no database; the kind is checked against the list here and,
/// failing that, against the chain in [`Store::audit_entries`].
fn check(filter: &AuditFilter) -> Result<Checked, AuditFilterError> {
    let limit = filter.limit.unwrap_or(AUDIT_PAGE_DEFAULT);
    if !(1..=AUDIT_PAGE_MAX).contains(&limit) {
        return Err(AuditFilterError::BadLimit(limit));
    }
    if let Some(before) = filter.before.filter(|b| *b < 1) {
        return Err(AuditFilterError::BadBefore(before));
    }
    let since = time("since", trimmed("since", &filter.since)?, false)?;
    let until = time("until", trimmed("until", &filter.until)?, true)?;
    if let (Some(since), Some(until)) = (&since, &until)
        && since >= until
    {
        return Err(AuditFilterError::EmptyRange { since: since.clone(), until: until.clone() });
    }
    let kind = text("kind", &filter.kind)?.map(|k| k.to_ascii_lowercase());
    let (family, kind) = match kind {
        Some(k) if !k.contains('.') => (Some(k), None),
        other => (None, other),
    };
    Ok(Checked {
        actor: text("actor", &filter.actor)?,
        sku: text("sku", &filter.sku)?,
        family,
        kind,
        since,
        until,
        before: filter.before,
        limit,
    })
}

fn is_family(family: &str) -> bool {
    AUDIT_KINDS.iter().any(|k| k.split('.').next() == Some(family))
}

/// The item an entry concerns, from what its subject names (see the module's doc).
const SKU_OF_ENTRY: &str = "CASE
    WHEN a.action LIKE 'event.%' OR a.action = 'hub.event'
        THEN (SELECT e.sku FROM events e WHERE e.id = a.subject)
    WHEN a.action IN ('count.approve', 'count.reject', 'count.recount')
        THEN (SELECT l.sku FROM count_lines l WHERE l.id = a.subject)
    WHEN a.action IN ('movement.request', 'movement.approve', 'movement.reject')
        THEN (SELECT p.sku FROM pending_movements p WHERE p.id = a.subject)
    WHEN a.action IN ('kit.set', 'kit.remove') THEN a.subject
    WHEN a.action = 'item.tracking' THEN a.subject
    WHEN a.action = 'pack.remove' AND json_valid(a.detail) THEN a.detail ->> '$.before.sku'
END";

impl Store {
    /// One page of the chain, newest first, filtered; a bad filter is refused before anything
    /// is read. The entries are as stored: `verify_audit` says whether they still hold.
    pub fn audit_entries(&self, filter: &AuditFilter) -> Result<AuditPage> {
        let checked = check(filter)?;
        if let Some(family) = &checked.family
            && !is_family(family)
        {
            return Err(AuditFilterError::UnknownKind(family.clone()).into());
        }
        if let Some(kind) = &checked.kind
            && !AUDIT_KINDS.contains(&kind.as_str())
            && !self.kind_in_chain(kind)?
        {
            return Err(AuditFilterError::UnknownKind(kind.clone()).into());
        }
        let sql = format!(
            "SELECT seq, at, actor, workstation, action, subject, sku, substr(detail, 1, ?9), length(detail) FROM (
                SELECT a.*, {SKU_OF_ENTRY} AS sku FROM audit a
                WHERE (?1 IS NULL OR a.actor = ?1)
                  AND (?2 IS NULL OR substr(a.action, 1, length(?2) + 1) = ?2 || '.')
                  AND (?3 IS NULL OR a.action = ?3)
                  AND (?4 IS NULL OR a.at >= ?4)
                  AND (?5 IS NULL OR a.at < ?5)
                  AND (?6 IS NULL OR a.seq < ?6)
            ) WHERE ?7 IS NULL OR sku = ?7
            ORDER BY seq DESC LIMIT ?8"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(
            params![
                checked.actor,
                checked.family,
                checked.kind,
                checked.since,
                checked.until,
                checked.before,
                checked.sku,
                checked.limit,
                AUDIT_DETAIL_MAX_CHARS,
            ],
            |row| {
                let full_chars: i64 = row.get(8)?;
                Ok(AuditRecord {
                    seq: row.get(0)?,
                    at: row.get(1)?,
                    actor: row.get(2)?,
                    workstation: row.get(3)?,
                    kind: row.get(4)?,
                    subject: row.get(5)?,
                    sku: row.get(6)?,
                    detail: row.get(7)?,
                    detail_truncated: full_chars > i64::from(AUDIT_DETAIL_MAX_CHARS),
                })
            },
        )?;
        let entries = rows.collect::<rusqlite::Result<Vec<_>>>()?;
        debug_assert!(entries.len() <= checked.limit as usize);
        debug_assert!(entries.windows(2).all(|w| w[0].seq > w[1].seq), "newest first");
        let next_before =
            if entries.len() == checked.limit as usize { entries.last().map(|e| e.seq) } else { None };
        Ok(AuditPage { entries, next_before, limit: checked.limit })
    }

    /// A kind another part of ShelfSync writes that the list above does not name yet: known
    /// once the chain holds one. Walks the chain only for a kind the list does not know.
    fn kind_in_chain(&self, kind: &str) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM audit WHERE action = ?1 LIMIT 1")?
            .query_row([kind], |_| Ok(()))
            .optional()?
            .is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(f: impl FnOnce(&mut AuditFilter)) -> AuditFilter {
        let mut filter = AuditFilter::default();
        f(&mut filter);
        filter
    }

    #[test]
    fn times_become_the_chains_format_and_dates_cover_whole_days() {
        let cases: &[(&str, bool, &str)] = &[
            ("2026-12-04", false, "2026-12-04T00:00:00.000Z"),
            ("2026-12-04", true, "2026-12-05T00:00:00.000Z"),
            ("2026-12-31", true, "2027-01-01T00:00:00.000Z"),
            ("2026-12-04T09:30:00Z", true, "2026-12-04T09:30:00.000Z"),
            ("2026-12-04T09:30:00-05:00", false, "2026-12-04T14:30:00.000Z"),
            ("2026-12-04T09:30:00.123456+01:00", false, "2026-12-04T08:30:00.123Z"),
        ];
        for (raw, end, want) in cases {
            assert_eq!(time("since", Some(raw.to_string()), *end).unwrap().as_deref(), Some(*want), "{raw}");
        }
    }

    #[test]
    fn bad_filters_are_refused_by_their_field() {
        let long = "x".repeat(65);
        let cases: Vec<(AuditFilter, &str)> = vec![
            (filter(|f| f.limit = Some(0)), "limit 0 is out of range"),
            (filter(|f| f.limit = Some(AUDIT_PAGE_MAX + 1)), "limit 501 is out of range"),
            (filter(|f| f.before = Some(0)), "before 0"),
            (filter(|f| f.since = Some("yesterday".into())), "since 'yesterday' is not a time"),
            (filter(|f| f.since = Some("last week".into())), "since 'last week' is not a time"),
            (filter(|f| f.until = Some("2026-13-01".into())), "until '2026-13-01' is not a time"),
            (
                filter(|f| {
                    f.since = Some("2026-12-05".into());
                    f.until = Some("2026-12-04".into());
                }),
                "since 2026-12-05T00:00:00.000Z is not before until",
            ),
            (
                filter(|f| {
                    f.since = Some("2026-12-04T10:00:00Z".into());
                    f.until = Some("2026-12-04T10:00:00Z".into());
                }),
                "is not before until",
            ),
            (filter(|f| f.actor = Some(long.clone())), "actor must be 1 to 64"),
            (filter(|f| f.sku = Some("A B".into())), "sku must be 1 to 64"),
        ];
        for (filter, want) in cases {
            let got = check(&filter).unwrap_err().to_string();
            assert!(got.contains(want), "{filter:?}: {got}");
            assert!(!got.contains('\n'), "one line: {got}");
        }
    }

    #[test]
    fn empty_fields_mean_no_filter_and_the_default_page() {
        let checked = check(&filter(|f| {
            f.actor = Some(" ".into());
            f.kind = Some("".into());
        }))
        .unwrap();
        assert_eq!((checked.actor, checked.kind, checked.family), (None, None, None));
        assert_eq!(checked.limit, AUDIT_PAGE_DEFAULT);
    }

    #[test]
    fn every_kind_is_family_dot_name_in_lower_case_once() {
        let mut seen = std::collections::BTreeSet::new();
        for kind in AUDIT_KINDS {
            assert!(
                kind.contains('.') && kind.chars().all(|c| c.is_ascii_lowercase() || c == '.' || c == '_'),
                "{kind}"
            );
            assert!(seen.insert(kind), "{kind} twice");
        }
        assert!(is_family("event") && is_family("hub") && !is_family("events"));
    }
}
