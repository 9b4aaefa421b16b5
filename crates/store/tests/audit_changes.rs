//! Every admin and supervisor change is in the audit chain (issue 17): each operation, run
//! through the store's public operation against a real SQLite file, adds exactly one entry
//! naming the action, who did it, from which workstation and what it changed; `verify` still
//! passes; and a refused operation adds none.

mod common;

use common::*;
use shelfsync_core::Location;
use shelfsync_store::channels::registry::{self, Mapping, NewChannelRow, RuleChange};
use shelfsync_store::channels::{queue, report};
use shelfsync_store::oversight::{alerts, incidents, smtp};
use shelfsync_store::{By, Store, StoreError};

const ACTOR: &str = "ada";
const WS: &str = "ws-audit";

fn by() -> By<'static> {
    By::new(ACTOR, WS)
}

/// (seq, actor, workstation, action, subject, detail) of every entry, in order.
type Entry = (i64, String, String, String, String, String);

fn entries(store: &Store) -> Vec<Entry> {
    let conn = shelfsync_store::testing::connection(store);
    let mut stmt = conn
        .prepare("SELECT seq, actor, workstation, action, subject, detail FROM audit ORDER BY seq")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn row<'a>(name: &'a str) -> NewChannelRow<'a> {
    NewChannelRow {
        name,
        kind: "shopify",
        endpoint: "https://shop.test",
        auth_endpoint: None,
        shop: Some("demo.myshopify.com"),
        seller_id: None,
        marketplace_id: None,
    }
}

fn mapping(sku: &str, item: &str) -> Mapping {
    Mapping {
        sku: sku.into(),
        location: Some("WH1".into()),
        remote_item: format!("gid://shopify/InventoryItem/{item}"),
        remote_location: Some("gid://shopify/Location/1".into()),
    }
}

fn no_secret() -> Result<(), StoreError> {
    Ok(())
}

fn contact() -> alerts::Contact {
    alerts::Contact {
        id: 0,
        kind: "webhook".into(),
        target: "https://hooks.test/a".into(),
        from_hour: 8,
        to_hour: 18,
        days: "all".into(),
    }
}

fn relay(host: &str) -> smtp::SmtpRow {
    smtp::SmtpRow {
        host: host.into(),
        port: 587,
        security: "starttls".into(),
        from: "alerts@shop.test".into(),
        username: None,
    }
}

type Op = fn(&mut Store) -> Result<(), StoreError>;

/// In order, on one database: each case may build on the ones before it.
/// (case, operation, action, subject, a word the detail must hold)
const CHANGES: &[(&str, Op, &str, &str, &str)] = &[
    (
        "add a channel",
        |s| registry::add_channel(s, by(), &row("web"), no_secret).map(drop),
        "channel.add",
        "web",
        "shop.test",
    ),
    (
        "change its credentials",
        |s| registry::change_credentials(s, by(), "web", &["access_token"], no_secret),
        "channel.credentials",
        "web",
        "access_token",
    ),
    (
        "change its allocation rule",
        |s| {
            let change = RuleChange { percent: Some(40), buffer: Some(2), ..RuleChange::default() };
            registry::set_rule(s, by(), "web", &change).map(drop)
        },
        "channel.rule",
        "web",
        "\"percent\":40",
    ),
    (
        "map listings",
        |s| {
            registry::upsert_mappings(s, by(), "web", &[mapping("S1", "1"), mapping("S2", "2")], |_, e| e)
                .map(drop)
        },
        "channel.map",
        "web",
        "\"mappings\":2",
    ),
    (
        "re-push the channel",
        |s| registry::repush_channel(s, by(), "web").map(drop),
        "channel.repush",
        "web",
        "\"listings\":2",
    ),
    (
        "retry a dead letter",
        |s| {
            let listing = queue::queued_since(s, "web")?[0].0;
            queue::dead_letter(s, "web", &[listing], "INVALID", "refused")?;
            let id = report::dead_letters(s)?[0].id.parse::<i64>().unwrap();
            report::retry_dead_letters(s, by(), Some(id)).map(drop)
        },
        "deadletter.retry",
        "1",
        "\"retried\":1",
    ),
    (
        "set an alert threshold",
        |s| alerts::set_threshold(s, by(), "failures", 7.0),
        "alert.threshold",
        "failures",
        "\"after\":7.0",
    ),
    (
        "add an alert target",
        |s| alerts::add_contact(s, by(), &contact(), "2026-01-01T00:00:00Z").map(drop),
        "alert.target",
        "1",
        "hooks.test",
    ),
    (
        "change the SMTP relay",
        |s| smtp::set(s, by(), &relay("mail.test"), "2026-01-01T00:01:00Z"),
        "alert.smtp",
        "mail.test",
        "\"starttls\"",
    ),
    (
        "acknowledge an alert",
        |s| {
            let (id, _) =
                alerts::raise(s, "failures", "web", "failing", Some(9.0), Some(7.0), "2026-01-01T00:00:00Z")?;
            alerts::ack(s, by(), id, "2026-01-01T00:01:00Z", false)
        },
        "alert.ack",
        "1",
        "resolved",
    ),
    (
        "resolve an incident",
        |s| {
            let context = serde_json::json!({});
            let new = incidents::NewOversell {
                channel: "web",
                sku: "S1",
                location: "WH1",
                order_id: "o-1",
                oversold_units: 1,
                context: &context,
                opened_at: "2026-01-01T00:00:00Z",
                due_at: "2026-01-02T00:00:00Z",
            };
            let id = incidents::open_oversell(s, &new)?.expect("opened");
            incidents::resolve(s, by(), id, "late webhook", "2026-01-01T02:00:00Z")
        },
        "incident.resolve",
        "1",
        "late webhook",
    ),
    (
        "add a location",
        |s| {
            s.add_location(
                by(),
                &Location { code: loc("WH9"), name: "Back room".into(), parent: Some(loc("WH1")) },
            )
        },
        "location.add",
        "WH9",
        "Back room",
    ),
    (
        "import items",
        |s| {
            s.import_items(
                "sku,name,unit_cost,category,safety_stock,barcodes\nS7,Seven,1.00,parts,0,\n".as_bytes(),
                ACTOR,
                WS,
            )
            .map(drop)
        },
        "import.items",
        "items",
        "\"rows\":1",
    ),
    (
        "import locations",
        |s| s.import_locations("code,name\nWH7,Seven\nWH8,Eight\n".as_bytes(), ACTOR, WS).map(drop),
        "import.locations",
        "locations",
        "\"rows\":2",
    ),
];

#[test]
fn each_change_adds_one_entry_naming_who_what_and_where() {
    let (_dir, mut store) = fresh_store();
    for (case, op, action, subject, word) in CHANGES {
        let before = entries(&store);
        op(&mut store).unwrap_or_else(|e| panic!("{case}: {e}"));
        let after = entries(&store);
        let mine: Vec<&Entry> = after.iter().filter(|e| e.3.as_str() == *action).collect();
        let new = &after[before.len()..];
        // One entry: for the retry, the dead letter it set up (the engine's) adds none.
        assert_eq!(new.len(), 1, "{case}: exactly one new entry, got {new:?}");
        let (_, actor, ws, got_action, got_subject, detail) = &new[0];
        assert_eq!((actor.as_str(), ws.as_str()), (ACTOR, WS), "{case}");
        assert_eq!((got_action.as_str(), got_subject.as_str()), (*action, *subject), "{case}");
        assert!(detail.contains(word), "{case}: detail {detail} lacks {word}");
        assert_eq!(mine.len(), 1, "{case}: one {action} entry in all");
        let report = store.verify_audit().unwrap();
        assert_eq!(report.first_break, None, "{case}: the chain still verifies");
    }
    assert!(!entries(&store).iter().any(|e| e.4.contains("secret-value")), "no secret in the chain");
}

/// A refused change writes nothing, its entry included. (case, set-up, refused operation)
const REFUSED: &[(&str, Op, Op)] = &[
    (
        "a bad line in an item import",
        |_| Ok(()),
        |s| {
            s.import_items(
                "sku,name,unit_cost,category,safety_stock,barcodes\nS7,Seven,abc,parts,0,\n".as_bytes(),
                ACTOR,
                WS,
            )
            .map(drop)
        },
    ),
    (
        "a location under an unknown parent",
        |_| Ok(()),
        |s| s.add_location(by(), &Location { code: loc("WH9"), name: "x".into(), parent: Some(loc("NOPE")) }),
    ),
    (
        "a remote id already mapped to another SKU",
        |s| {
            registry::add_channel(s, by(), &row("web"), no_secret)?;
            registry::upsert_mappings(s, by(), "web", &[mapping("S1", "1")], |_, e| e).map(drop)
        },
        |s| registry::upsert_mappings(s, by(), "web", &[mapping("S2", "1")], |_, e| e).map(drop),
    ),
    (
        "a channel whose secret cannot be stored",
        |_| Ok(()),
        |s| {
            registry::add_channel(s, by(), &row("web"), || {
                Err(StoreError::CsvFormat("keychain locked".into()))
            })
            .map(drop)
        },
    ),
    (
        "credentials that cannot be stored",
        |s| registry::add_channel(s, by(), &row("web"), no_secret).map(drop),
        |s| {
            registry::change_credentials(s, by(), "web", &["access_token"], || {
                Err(StoreError::CsvFormat("locked".into()))
            })
        },
    ),
];

#[test]
fn a_refused_change_writes_no_entry() {
    for (case, setup, op) in REFUSED {
        let (_dir, mut store) = fresh_store();
        setup(&mut store).unwrap_or_else(|e| panic!("{case}: set-up: {e}"));
        let before = entries(&store);
        assert!(op(&mut store).is_err(), "{case}: refused");
        assert_eq!(entries(&store), before, "{case}: no new entry");
    }
}

/// Asked for something that is not there, the store changes nothing and records nothing.
/// (case, operation)
const NOTHING_TO_DO: &[(&str, Op)] = &[
    ("retry an unknown dead letter", |s| report::retry_dead_letters(s, by(), Some(99)).map(drop)),
    ("retry all with none open", |s| report::retry_dead_letters(s, by(), None).map(drop)),
    ("acknowledge an unknown alert", |s| alerts::ack(s, by(), 99, "2026-01-01T00:00:00Z", true)),
    ("resolve an unknown incident", |s| incidents::resolve(s, by(), 99, "x", "2026-01-01T00:00:00Z")),
    ("re-push a channel with no listings", |s| {
        registry::add_channel(s, by(), &row("empty"), no_secret)?;
        let before = entries(s).len();
        registry::repush_channel(s, by(), "empty")?;
        assert_eq!(entries(s).len(), before, "no listings: no entry");
        Ok(())
    }),
];

#[test]
fn nothing_to_do_records_nothing() {
    for (case, op) in NOTHING_TO_DO {
        let (_dir, mut store) = fresh_store();
        let before = entries(&store);
        op(&mut store).unwrap_or_else(|e| panic!("{case}: {e}"));
        let after = entries(&store);
        assert!(
            after.iter().skip(before.len()).all(|e| e.3 == "channel.add"),
            "{case}: only its set-up is recorded, got {:?}",
            &after[before.len()..]
        );
    }
}
