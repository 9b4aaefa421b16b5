//! Ledger commands: master data, stock movements, history, audit and checks.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use serde_json::json;
use shelfsync_core::{
    DomainError, Event, LocationCode, MAX_QTY, Movement, ReturnDestination, Sku, WriteOffSource,
};
use shelfsync_store::{AppendOutcome, EventFilter, MovementRequest, StockFilter, Store, demo};
use uuid::Uuid;

use crate::args::{
    AuditCommand, Command, DebugCommand, EventExtra, ExportKind, ImportKind, Qty, TransferPhase, WriteOffFrom,
};
use crate::context::Context;
use crate::count_cmd::{HIDDEN, blind_for, shown};
use crate::{CliError, output};

pub fn run(ctx: &Context, command: Command) -> Result<(), CliError> {
    match command {
        Command::Init => init(ctx),
        Command::Demo { seed } => load_demo(ctx, seed),
        Command::Import(kind) => import(ctx, kind),
        Command::Export(kind) => export(ctx, kind),
        Command::Receive(q) => {
            movement(ctx, &q, |sku, location, qty| Movement::Receive { sku, location, qty })
        }
        Command::Damage(q) => movement(ctx, &q, |sku, location, qty| Movement::Damage { sku, location, qty }),
        Command::Sale(q) => movement(ctx, &q, |sku, location, qty| Movement::Sale { sku, location, qty }),
        Command::Fulfil(q) => movement(ctx, &q, |sku, location, qty| Movement::Fulfil { sku, location, qty }),
        Command::Cancel(q) => movement(ctx, &q, |sku, location, qty| Movement::Cancel { sku, location, qty }),
        Command::Reserve(q) => {
            movement(ctx, &q, |sku, location, qty| Movement::Reserve { sku, location, qty })
        }
        Command::Release(q) => {
            movement(ctx, &q, |sku, location, qty| Movement::Release { sku, location, qty })
        }
        Command::Return { qty, damaged } => {
            let to = if damaged { ReturnDestination::Damaged } else { ReturnDestination::Stock };
            movement(ctx, &qty, |sku, location, qty| Movement::Return { sku, location, qty, to })
        }
        Command::WriteOff { qty, from } => {
            let from = match from {
                WriteOffFrom::Damaged => WriteOffSource::Damaged,
                WriteOffFrom::OnHand => WriteOffSource::OnHand,
            };
            movement(ctx, &qty, |sku, location, qty| Movement::WriteOff { sku, location, qty, from })
        }
        Command::Adjust { sku, delta, location, reason, extra } => {
            let movement =
                Movement::Adjust { sku: Sku::new(sku)?, location: LocationCode::new(location)?, delta };
            record(ctx, movement, Some(reason), &extra)
        }
        Command::Transfer { phase: Some(phase), .. } => transfer_phase(ctx, phase),
        Command::Transfer { phase: None, args } => {
            let args =
                args.ok_or_else(|| CliError::Usage("transfer needs SKU QTY --from L1 --to L2".into()))?;
            let (Some(sku), Some(qty), Some(from), Some(to)) = (args.sku, args.qty, args.from, args.to)
            else {
                return Err(CliError::Usage("transfer needs SKU QTY --from L1 --to L2".into()));
            };
            let movement = Movement::Transfer {
                sku: Sku::new(sku)?,
                from: LocationCode::new(from)?,
                to: LocationCode::new(to)?,
                qty: quantity(qty)?,
            };
            let lot = crate::lot_cmd::LotArgs {
                lot: args.lot,
                expiry: args.expiry,
                serial: args.serial,
                scan: args.scan,
            };
            record(ctx, movement, args.reason, &EventExtra { lot, ..EventExtra::default() })
        }
        Command::Reverse { event_id, reason } => reverse(ctx, &event_id, reason),
        Command::Stock { sku, location } => stock(ctx, StockFilter { sku, location }),
        Command::Events { sku, since, limit } => events(ctx, sku, since, limit),
        Command::Audit(AuditCommand::Verify) => audit_verify(ctx),
        Command::Check => check(ctx),
        Command::Debug(DebugCommand::AppendScript { seed, count }) => append_script(ctx, seed, count),
        Command::User(_)
        | Command::Scan(_)
        | Command::Tolerance(_)
        | Command::Count(_)
        | Command::Approvals(_)
        | Command::Report(_)
        | Command::Settings(_)
        | Command::Channel(_)
        | Command::Sync(_)
        | Command::Sim(_)
        | Command::Serve(_)
        | Command::Webhook(_)
        | Command::Orders(_)
        | Command::Reconcile(_)
        | Command::Drift(_)
        | Command::Alerts(_)
        | Command::Incidents(_)
        | Command::Health
        | Command::Hub(_)
        | Command::Kit(_)
        | Command::Label(_)
        | Command::Pack(_)
        | Command::Bench(_)
        | Command::Item(_)
        | Command::Lots(_)
        | Command::Expiring(_)
        | Command::Audit(AuditCommand::List(_)) => unreachable!("dispatched in main"),
    }
}

/// Converts a command-line quantity, refusing zero, negatives and absurd values by name.
fn quantity(raw: i64) -> Result<u32, CliError> {
    u32::try_from(raw)
        .ok()
        .filter(|q| (1..=MAX_QTY).contains(q))
        .ok_or(CliError::Domain(DomainError::QuantityOutOfRange { got: raw, max: i64::from(MAX_QTY) }))
}

fn movement(
    ctx: &Context,
    q: &Qty,
    make: impl FnOnce(Sku, LocationCode, u32) -> Movement,
) -> Result<(), CliError> {
    let movement = make(Sku::new(q.sku.clone())?, LocationCode::new(q.location.clone())?, quantity(q.qty)?);
    record(ctx, movement, q.reason.clone(), &q.extra)
}

fn record(
    ctx: &Context,
    movement: Movement,
    reason: Option<String>,
    extra: &EventExtra,
) -> Result<(), CliError> {
    record_lot(ctx, movement, reason, extra, None)
}

/// [`record`] with the lot already known (a reversal's or a transfer receipt's is its
/// original's); otherwise the lot flags or scan of `extra` name it (issue 21).
fn record_lot(
    ctx: &Context,
    movement: Movement,
    reason: Option<String>,
    extra: &EventExtra,
    lot: Option<shelfsync_core::LotTag>,
) -> Result<(), CliError> {
    let mut store = ctx.open_existing()?;
    let lot = match lot {
        Some(lot) => Some(lot),
        None => extra.lot.tag(&store, movement.sku().as_str(), crate::lot_cmd::today())?,
    };
    let mut event = shelfsync_store::new_event(movement, ctx.actor(), ctx.workstation.clone()).with_lot(lot);
    event.reason = reason;
    event.reference = extra.reference.clone();
    if extra.override_negative {
        // `main` checked that the actor may override (access.rs); set-up has nobody to ask.
        event.override_by = Some(ctx.actor());
    }
    if matches!(event.movement, Movement::Damage { .. } | Movement::WriteOff { .. }) {
        event.reason = event.reason.as_deref().map(shelfsync_core::loss_reason).transpose()?;
        // A request that waits for approval must be one that can post: its lot is checked now.
        store.check_lot(&event)?;
        return request(ctx, &mut store, &event);
    }
    // A negative adjustment is a loss like a write-off: the same approval threshold weighs it.
    if matches!(event.movement, Movement::Adjust { delta, .. } if delta < 0) {
        store.check_lot(&event)?;
        return request(ctx, &mut store, &event);
    }
    let outcome = store.append(&event)?;
    print_recorded(ctx, &event, outcome);
    Ok(())
}

/// Losses (damage, write-offs, negative adjustments): above the approval value they wait for
/// a supervisor, unless the policy lets the verified actor post them.
fn request(ctx: &Context, store: &mut Store, event: &Event) -> Result<(), CliError> {
    match store.request_movement(event, ctx.signed_in())? {
        MovementRequest::Posted { seq } => print_recorded(ctx, event, AppendOutcome::Recorded { seq }),
        MovementRequest::AwaitingApproval { approval, value } => {
            if ctx.json {
                output::json(
                    &json!({ "id": event.id.to_string(), "status": "awaiting_approval", "approval": approval, "value": value }),
                );
            } else {
                output::line(&format!(
                    "{} worth {value} waits for a supervisor's approval ({approval})",
                    event.movement.kind()
                ));
            }
        }
    }
    Ok(())
}

fn print_recorded(ctx: &Context, event: &Event, outcome: AppendOutcome) {
    let (seq, duplicate) = match outcome {
        AppendOutcome::Recorded { seq } => (seq, false),
        AppendOutcome::Duplicate { seq } => (seq, true),
    };
    if ctx.json {
        output::json(
            &json!({ "id": event.id.to_string(), "seq": seq, "kind": event.movement.kind(), "duplicate": duplicate }),
        );
    } else {
        let locations: Vec<String> = event.movement.locations().iter().map(ToString::to_string).collect();
        output::line(&format!(
            "recorded {} of {} at {} (event {})",
            event.movement.kind(),
            event.movement.sku(),
            locations.join(" -> "),
            event.id
        ));
    }
}

fn transfer_phase(ctx: &Context, phase: TransferPhase) -> Result<(), CliError> {
    match phase {
        TransferPhase::Ship { sku, qty, from, to, reason, lot } => {
            let movement = Movement::TransferShip {
                sku: Sku::new(sku)?,
                from: LocationCode::new(from)?,
                to: LocationCode::new(to)?,
                qty: quantity(qty)?,
            };
            record(ctx, movement, reason, &EventExtra { lot, ..EventExtra::default() })
        }
        TransferPhase::Receive { transfer_id, qty, reason } => {
            let store = ctx.open_existing()?;
            let shipment = Uuid::parse_str(&transfer_id)
                .map_err(|_| CliError::Usage(format!("unknown transfer '{transfer_id}'")))?;
            let ship = store.event(shipment)?.filter(|e| matches!(e.movement, Movement::TransferShip { .. }));
            // The receipt carries the shipment's lot (issue 21): the same units arrive.
            let Some(Event { movement: Movement::TransferShip { sku, from, to, qty: shipped }, lot, .. }) =
                ship
            else {
                return Err(CliError::Usage(format!("unknown transfer '{transfer_id}'")));
            };
            let received = match qty {
                Some(0) => 0,
                Some(q) => quantity(q)?,
                None => shipped,
            };
            drop(store);
            let movement = Movement::TransferReceive { sku, from, to, shipment, shipped, received };
            record_lot(ctx, movement, reason, &EventExtra::default(), lot)
        }
    }
}

fn reverse(ctx: &Context, event_id: &str, reason: String) -> Result<(), CliError> {
    let unknown = || CliError::Store(shelfsync_store::StoreError::UnknownEvent(event_id.to_string()));
    let id = Uuid::parse_str(event_id).map_err(|_| unknown())?;
    let original = ctx.open_existing()?.event(id)?.ok_or_else(unknown)?;
    record_lot(
        ctx,
        original.reversal(),
        Some(reason),
        &EventExtra { reference: Some(format!("reverses:{id}")), ..EventExtra::default() },
        original.lot.clone(),
    )
}

fn init(ctx: &Context) -> Result<(), CliError> {
    let store = ctx.open()?;
    if ctx.json {
        output::json(&json!({ "db": store.path() }));
    } else {
        output::line(&format!("database ready at {}", store.path().display()));
    }
    Ok(())
}

fn load_demo(ctx: &Context, seed: u64) -> Result<(), CliError> {
    let mut store = ctx.open()?;
    let events = demo::load(&mut store, seed)?;
    if ctx.json {
        output::json(&json!({ "skus": demo::DEMO_SKUS, "locations": 3, "events": events }));
    } else {
        output::line(&format!(
            "demo loaded: {} SKUs, 3 locations, {events} events over {} days",
            demo::DEMO_SKUS,
            demo::DEMO_DAYS
        ));
    }
    Ok(())
}

fn open_input(path: &Path) -> Result<File, CliError> {
    File::open(path).map_err(|source| CliError::ReadFile { path: path.display().to_string(), source })
}

fn import(ctx: &Context, kind: ImportKind) -> Result<(), CliError> {
    let mut store = ctx.open_existing()?;
    let (what, summary) = match kind {
        ImportKind::Items { file } => {
            ("items", store.import_items(open_input(&file)?, &ctx.actor(), &ctx.workstation)?)
        }
        ImportKind::Locations { file } => {
            ("locations", store.import_locations(open_input(&file)?, &ctx.actor(), &ctx.workstation)?)
        }
        ImportKind::Stock { file } => {
            ("stock", store.import_stock(open_input(&file)?, &ctx.actor(), &ctx.workstation)?)
        }
        ImportKind::Kits { file } => {
            ("kits", store.import_kits(open_input(&file)?, &ctx.actor(), &ctx.workstation)?)
        }
        ImportKind::Packs { file } => {
            ("packs", store.import_packs(open_input(&file)?, &ctx.actor(), &ctx.workstation)?)
        }
    };
    if ctx.json {
        output::json(&json!({ "imported": what, "rows": summary.rows }));
    } else {
        output::line(&format!("imported {} {what} rows", summary.rows));
    }
    Ok(())
}

fn stock(ctx: &Context, filter: StockFilter) -> Result<(), CliError> {
    let store = ctx.open_existing()?;
    let rows = shown(store.stock(&filter)?, &blind_for(ctx, &store)?);
    if ctx.json {
        // A tracked item's rows carry its lots (issue 21).
        output::json(&crate::lot_cmd::with_lots(&store, &rows)?);
        return Ok(());
    }
    let cell = |v: Option<i64>| v.map_or_else(|| "hidden".to_string(), |v| v.to_string());
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.sku.clone(),
                r.location.clone(),
                cell(r.on_hand),
                cell(r.committed),
                cell(r.reserved),
                cell(r.damaged),
                cell(r.in_transit),
                cell(r.atp),
            ]
        })
        .collect();
    output::table(
        &["SKU", "LOCATION", "ON_HAND", "COMMITTED", "RESERVED", "DAMAGED", "IN_TRANSIT", "ATP"],
        &cells,
    );
    if rows.iter().any(|r| r.blind) {
        output::line(&format!("{HIDDEN}: a supervisor sees it with --user"));
    }
    Ok(())
}

fn events(
    ctx: &Context,
    sku: Option<String>,
    since: Option<String>,
    limit: Option<usize>,
) -> Result<(), CliError> {
    let since = since
        .map(|raw| {
            chrono::DateTime::parse_from_rfc3339(&raw).map(|t| t.with_timezone(&chrono::Utc)).map_err(|_| {
                CliError::Usage(format!(
                    "--since '{raw}' is not an RFC 3339 time (e.g. 2026-11-26T09:00:00Z)"
                ))
            })
        })
        .transpose()?;
    let store = ctx.open_existing()?;
    let blind = blind_for(ctx, &store)?;
    let mut events = store.events(&EventFilter { sku, since, limit })?;
    // History adds up to the quantity an open blind count is counting: withheld from counters.
    let before = events.len();
    events.retain(|e| !blind.hides_movement(&e.event.movement));
    let withheld = before - events.len();
    if ctx.json {
        output::json(&events);
        return Ok(());
    }
    let cells: Vec<Vec<String>> = events
        .iter()
        .map(|e| {
            vec![
                e.seq.to_string(),
                e.event.occurred_at.to_rfc3339(),
                e.event.movement.kind().into(),
                e.event.movement.sku().to_string(),
                e.event.actor.clone(),
                e.event.reason.clone().unwrap_or_default(),
            ]
        })
        .collect();
    output::table(&["SEQ", "OCCURRED_AT", "KIND", "SKU", "ACTOR", "REASON"], &cells);
    if withheld > 0 {
        output::line(&format!("{withheld} events {HIDDEN}: a supervisor sees them with --user"));
    }
    Ok(())
}

fn audit_verify(ctx: &Context) -> Result<(), CliError> {
    let report = ctx.open_existing()?.verify_audit()?;
    if ctx.json {
        output::json(&report);
    }
    match report.first_break {
        None => {
            if !ctx.json {
                output::line(&format!("audit chain intact: {} entries", report.entries));
            }
            Ok(())
        }
        Some(b) => Err(CliError::Usage(format!("audit entry {} is broken: {}", b.seq, b.reason))),
    }
}

fn check(ctx: &Context) -> Result<(), CliError> {
    let store = ctx.open_existing()?;
    let integrity = store.integrity_check()?;
    let projection_ok = store.projection_matches_rebuild()?;
    // The per-lot projection (issue 21) is checked the same way.
    let lots_ok = store.lots_match_rebuild()?;
    if ctx.json {
        output::json(&json!({ "integrity_check": integrity, "projection_matches_rebuild": projection_ok,
            "lots_match_rebuild": lots_ok }));
    }
    if integrity != "ok" {
        return Err(CliError::Usage(format!("integrity_check failed: {integrity}")));
    }
    if !projection_ok {
        return Err(CliError::Usage("the balances projection differs from a rebuild from the events".into()));
    }
    if !lots_ok {
        return Err(CliError::Usage("the lot projection differs from a rebuild from the events".into()));
    }
    if !ctx.json {
        output::line(&format!(
            "ok: integrity_check passed and the projection equals a rebuild from {} events",
            store.event_count()?
        ));
    }
    Ok(())
}

fn export(ctx: &Context, kind: ExportKind) -> Result<(), CliError> {
    let store = ctx.open_existing()?;
    let (path, rows) = match kind {
        ExportKind::Stock { file } => {
            let rows = shown(store.stock(&StockFilter::default())?, &blind_for(ctx, &store)?);
            write_csv(&file, &rows)?;
            (file, rows.len())
        }
        ExportKind::Events { file } => {
            let blind = blind_for(ctx, &store)?;
            let rows: Vec<_> = store
                .events(&EventFilter::default())?
                .into_iter()
                .filter(|e| !blind.hides_movement(&e.event.movement))
                .map(|e| {
                    json!({
                        "seq": e.seq, "id": e.event.id.to_string(), "kind": e.event.movement.kind(),
                        "sku": e.event.movement.sku().to_string(),
                        "occurred_at": e.event.occurred_at.to_rfc3339(), "recorded_at": e.recorded_at,
                        "actor": e.event.actor, "workstation": e.event.workstation,
                        "reason": e.event.reason.unwrap_or_default(), "reference": e.event.reference.unwrap_or_default(),
                        "body": serde_json::to_string(&e.event.movement).unwrap_or_default(),
                    })
                })
                .collect();
            write_event_csv(&file, &rows)?;
            (file, rows.len())
        }
    };
    if ctx.json {
        output::json(&json!({ "file": path, "rows": rows }));
    } else {
        output::line(&format!("wrote {rows} rows to {}", path.display()));
    }
    Ok(())
}

fn write_csv<T: serde::Serialize>(path: &Path, rows: &[T]) -> Result<(), CliError> {
    let wrap = |e: csv::Error| CliError::WriteFile { path: path.display().to_string(), source: e.into() };
    let mut writer = csv::Writer::from_path(path).map_err(wrap)?;
    for row in rows {
        writer.serialize(row).map_err(wrap)?;
    }
    writer.flush().map_err(|source| CliError::WriteFile { path: path.display().to_string(), source })?;
    Ok(())
}

const EVENT_COLUMNS: [&str; 11] = [
    "seq",
    "id",
    "kind",
    "sku",
    "occurred_at",
    "recorded_at",
    "actor",
    "workstation",
    "reason",
    "reference",
    "body",
];

fn write_event_csv(path: &Path, rows: &[serde_json::Value]) -> Result<(), CliError> {
    let wrap = |e: csv::Error| CliError::WriteFile { path: path.display().to_string(), source: e.into() };
    let mut writer = csv::Writer::from_path(path).map_err(wrap)?;
    writer.write_record(EVENT_COLUMNS).map_err(wrap)?;
    for row in rows {
        let cells = EVENT_COLUMNS.map(|c| match &row[c] {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        });
        writer.write_record(&cells).map_err(wrap)?;
    }
    writer.flush().map_err(|source| CliError::WriteFile { path: path.display().to_string(), source })?;
    Ok(())
}

/// The crash-test child: a deterministic script of events whose ids come from the seed, so a
/// restarted child retries the very same events. Each id is printed only after its commit.
fn append_script(ctx: &Context, seed: u64, count: usize) -> Result<(), CliError> {
    use rand::{Rng, SeedableRng};
    let mut store = ctx.open()?;
    ensure_script_catalogue(&mut store)?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let stdout = std::io::stdout();
    for i in 0..count {
        // Each triple works one SKU: receive, then move one unit on, then sell it.
        let sku = Sku::new(format!("CRASH-{}", (i / 3) % 7))?;
        let (a, b) = (LocationCode::new("A")?, LocationCode::new("B")?);
        let qty: u32 = rng.random_range(2..20);
        let movement = match i % 3 {
            0 => Movement::Receive { sku, location: a, qty },
            1 => Movement::Transfer { sku, from: a, to: b, qty: 1 },
            _ => Movement::Sale { sku, location: b, qty: 1 },
        };
        let mut random = [0u8; 10];
        rng.fill(&mut random);
        let id = uuid::Builder::from_unix_timestamp_millis(1_700_000_000_000 + i as u64, &random).into_uuid();
        let at = chrono::DateTime::from_timestamp_millis(1_700_000_000_000 + i as i64).expect("in range");
        let event = Event::with_identity(id, at, movement, "crash-test", "crash-test");
        store.append(&event)?;
        let mut out = stdout.lock();
        writeln!(out, "{}", event.id)?;
        out.flush()?;
    }
    Ok(())
}

fn ensure_script_catalogue(store: &mut Store) -> Result<(), CliError> {
    use shelfsync_core::{Item, Location};
    let locations: Vec<Location> = ["A", "B"]
        .iter()
        .map(|c| Ok(Location { code: LocationCode::new(*c)?, name: format!("crash {c}"), parent: None }))
        .collect::<Result<_, DomainError>>()?;
    store.upsert_locations(&locations)?;
    let items = (0..7)
        .map(|n| {
            Ok(shelfsync_store::ItemRecord {
                item: Item {
                    sku: Sku::new(format!("CRASH-{n}"))?,
                    name: "crash item".into(),
                    unit_cost_cents: 100,
                    category: "test".into(),
                    safety_stock: 0,
                },
                barcodes: vec![],
            })
        })
        .collect::<Result<Vec<_>, DomainError>>()?;
    store.upsert_items(&items)?;
    Ok(())
}
