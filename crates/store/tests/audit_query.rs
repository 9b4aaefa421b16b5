//! The audit viewer's query on a real database: every filter agrees with filtering the whole
//! chain by hand, pages walk the chain without gaps or repeats, and the page cap holds.

mod common;

use common::*;
use shelfsync_core::Movement;
use shelfsync_store::{
    AUDIT_DETAIL_MAX_CHARS, AUDIT_PAGE_MAX, AuditFilter, AuditRecord, Store, StoreError, new_event,
};

/// A chain with entries by three people and the service, about three items and none, of
/// several kinds; returns the whole chain, newest first, as a page with no filter shows it.
fn fixture(store: &mut Store) -> Vec<AuditRecord> {
    let moves = [
        ("ana", Movement::Receive { sku: sku("S1"), location: loc("WH1"), qty: 10 }),
        ("ben", Movement::Receive { sku: sku("S2"), location: loc("WH1"), qty: 5 }),
        ("ana", Movement::Sale { sku: sku("S1"), location: loc("WH1"), qty: 2 }),
        ("service:WS1", Movement::Sale { sku: sku("S2"), location: loc("WH1"), qty: 1 }),
        ("ben", Movement::Reserve { sku: sku("S1"), location: loc("WH1"), qty: 1 }),
    ];
    for (actor, movement) in moves {
        store.append(&new_event(movement, actor, "WS1")).unwrap();
    }
    let others: &[(&str, &str, &str, String)] = &[
        ("ana", "setting.set", "approval_value", "100".into()),
        ("cy", "kit.set", "S3", r#"{"components":[["S1",2]]}"#.into()),
        ("cy", "pack.remove", "PK-6", r#"{"before":{"sku":"S2","qty":6}}"#.into()),
        ("cy", "pack.remove", "PK-7", "not json".into()),
        ("ana", "user.passwd", "ben", "x".repeat(AUDIT_DETAIL_MAX_CHARS as usize + 500)),
        ("service:WS1", "drift.run", "7", "{}".into()),
    ];
    for (actor, action, subject, detail) in others {
        store.audit(actor, "WS1", action, subject, detail).unwrap();
    }
    store
        .append(&new_event(Movement::Receive { sku: sku("S3"), location: loc("WH2"), qty: 4 }, "ben", "WS2"))
        .unwrap();
    let page =
        store.audit_entries(&AuditFilter { limit: Some(AUDIT_PAGE_MAX), ..AuditFilter::default() }).unwrap();
    assert_eq!(page.entries.len(), 12);
    assert_eq!(page.next_before, None);
    page.entries
}

fn seqs(entries: &[AuditRecord]) -> Vec<i64> {
    entries.iter().map(|e| e.seq).collect()
}

#[test]
fn entries_say_which_item_they_concern_and_cut_long_details() {
    let (_dir, mut store) = fresh_store();
    let all = fixture(&mut store);
    let items: Vec<(&str, Option<&str>)> =
        all.iter().rev().map(|e| (e.kind.as_str(), e.sku.as_deref())).collect();
    assert_eq!(
        items,
        vec![
            ("event.receive", Some("S1")),
            ("event.receive", Some("S2")),
            ("event.sale", Some("S1")),
            ("event.sale", Some("S2")),
            ("event.reserve", Some("S1")),
            ("setting.set", None),
            ("kit.set", Some("S3")),
            ("pack.remove", Some("S2")),
            ("pack.remove", None),
            ("user.passwd", None),
            ("drift.run", None),
            ("event.receive", Some("S3")),
        ]
    );
    let long = all.iter().find(|e| e.kind == "user.passwd").unwrap();
    assert!(long.detail_truncated);
    assert_eq!(long.detail.chars().count(), AUDIT_DETAIL_MAX_CHARS as usize);
    assert!(all.iter().filter(|e| e.kind != "user.passwd").all(|e| !e.detail_truncated));
}

#[test]
fn every_filter_matches_filtering_the_whole_chain() {
    let (_dir, mut store) = fresh_store();
    let all = fixture(&mut store);
    // Times taken from the chain itself: the 4th and 9th entries, oldest first.
    let oldest_first: Vec<&AuditRecord> = all.iter().rev().collect();
    let (t4, t9) = (oldest_first[3].at.clone(), oldest_first[8].at.clone());
    let some = |s: &str| Some(s.to_string());
    type Want = Box<dyn Fn(&AuditRecord) -> bool>;
    let cases: Vec<(&str, AuditFilter, Want)> = vec![
        ("no filter", AuditFilter::default(), Box::new(|_| true)),
        ("by user", AuditFilter { actor: some("ana"), ..Default::default() }, Box::new(|e| e.actor == "ana")),
        (
            "the service",
            AuditFilter { actor: some("service:WS1"), ..Default::default() },
            Box::new(|e| e.actor == "service:WS1"),
        ),
        ("a user with none", AuditFilter { actor: some("zed"), ..Default::default() }, Box::new(|_| false)),
        (
            "by item",
            AuditFilter { sku: some("S1"), ..Default::default() },
            Box::new(|e| e.sku.as_deref() == Some("S1")),
        ),
        (
            "an item through a kit and a pack",
            AuditFilter { sku: some("S2"), ..Default::default() },
            Box::new(|e| e.sku.as_deref() == Some("S2")),
        ),
        (
            "a family",
            AuditFilter { kind: some("event"), ..Default::default() },
            Box::new(|e| e.kind.starts_with("event.")),
        ),
        (
            "one kind",
            AuditFilter { kind: some("event.sale"), ..Default::default() },
            Box::new(|e| e.kind == "event.sale"),
        ),
        (
            "kind in capitals",
            AuditFilter { kind: some("Pack.Remove"), ..Default::default() },
            Box::new(|e| e.kind == "pack.remove"),
        ),
        (
            "a kind the list does not name but the chain holds",
            AuditFilter { kind: some("drift.run"), ..Default::default() },
            Box::new(|e| e.kind == "drift.run"),
        ),
        ("since", AuditFilter { since: Some(t4.clone()), ..Default::default() }, {
            let t = t4.clone();
            Box::new(move |e| e.at >= t)
        }),
        ("until", AuditFilter { until: Some(t9.clone()), ..Default::default() }, {
            let t = t9.clone();
            Box::new(move |e| e.at < t)
        }),
        (
            "user, item, kind and range together",
            AuditFilter {
                actor: some("ana"),
                sku: some("S1"),
                kind: some("event"),
                since: Some(oldest_first[0].at.clone()),
                until: Some(t9.clone()),
                ..Default::default()
            },
            {
                let (from, to) = (oldest_first[0].at.clone(), t9.clone());
                Box::new(move |e| {
                    e.actor == "ana"
                        && e.sku.as_deref() == Some("S1")
                        && e.kind.starts_with("event.")
                        && e.at >= from
                        && e.at < to
                })
            },
        ),
        (
            "a whole day by date",
            AuditFilter { since: some("2000-01-01"), until: some("2999-12-31"), ..Default::default() },
            Box::new(|_| true),
        ),
        ("before a sequence", AuditFilter { before: Some(6), ..Default::default() }, Box::new(|e| e.seq < 6)),
    ];
    for (name, filter, want) in cases {
        let got = store.audit_entries(&filter).unwrap();
        let expected: Vec<i64> = all.iter().filter(|e| want(e)).map(|e| e.seq).collect();
        assert_eq!(seqs(&got.entries), expected, "{name}");
    }
    // The filters a person gets wrong, refused with one line each and nothing read.
    let refused: &[(AuditFilter, &str)] = &[
        (AuditFilter { kind: some("widget"), ..Default::default() }, "unknown audit kind 'widget'"),
        (
            AuditFilter { kind: some("event.teleport"), ..Default::default() },
            "unknown audit kind 'event.teleport'",
        ),
        (
            AuditFilter { since: some("2026-12-05"), until: some("2026-12-04"), ..Default::default() },
            "is not before until",
        ),
        (AuditFilter { limit: Some(AUDIT_PAGE_MAX + 1), ..Default::default() }, "out of range"),
    ];
    for (filter, want) in refused {
        let error = store.audit_entries(filter).unwrap_err();
        assert!(matches!(error, StoreError::AuditFilter(_)), "{filter:?}: {error:?}");
        assert!(error.to_string().contains(want), "{filter:?}: {error}");
    }
}

#[test]
fn pages_walk_the_chain_newest_first_without_gaps_and_the_cap_holds() {
    let (_dir, mut store) = fresh_store();
    // 600 receipts in one transaction: 600 entries, more than one capped page.
    let events: Vec<_> = (0..600).map(|i| receive(["S1", "S2", "S3"][i % 3], "WH1", 1)).collect();
    store.append_batch(&events).unwrap();
    let first =
        store.audit_entries(&AuditFilter { limit: Some(AUDIT_PAGE_MAX), ..Default::default() }).unwrap();
    assert_eq!(first.entries.len(), AUDIT_PAGE_MAX as usize);
    assert_eq!((first.entries[0].seq, first.next_before), (600, Some(101)));
    let rest = store
        .audit_entries(&AuditFilter {
            limit: Some(AUDIT_PAGE_MAX),
            before: first.next_before,
            ..Default::default()
        })
        .unwrap();
    assert_eq!((rest.entries.len(), rest.next_before), (100, None));
    // Small pages of one item: every S2 entry once, newest first, then an empty end.
    for limit in [1, 7, 200] {
        let (mut walked, mut before) = (Vec::new(), None);
        loop {
            let page = store
                .audit_entries(&AuditFilter {
                    sku: Some("S2".into()),
                    limit: Some(limit),
                    before,
                    ..Default::default()
                })
                .unwrap();
            assert!(page.entries.len() <= limit as usize);
            walked.extend(seqs(&page.entries));
            match page.next_before {
                Some(next) => before = Some(next),
                None => break,
            }
        }
        let want: Vec<i64> = (1..=600).rev().filter(|seq| (seq - 1) % 3 == 1).collect();
        assert_eq!(walked, want, "limit {limit}");
    }
    assert_eq!(store.audit_entries(&AuditFilter::default()).unwrap().entries.len(), 50, "the default page");
}

/// Every action ShelfSync's sources write into the chain is a kind the filter lists, so the
/// screen suggests it and a filter for it is accepted before the chain holds one. Reads the
/// string literals of the form `family.name` in the few lines after each audit write.
#[test]
fn every_audited_action_in_the_sources_is_a_listed_kind() {
    const WRITES: [&str; 7] = [
        "audit_in(",
        "::record(",
        "record(&tx",
        "record(conn",
        "record(tx",
        "audit_in_transaction(",
        ".audit(",
    ];
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    let mut dirs = vec![root.join("crates"), root.join("src-tauri/src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if path.is_dir() && !matches!(name.as_str(), "tests" | "target" | "benches" | "node_modules") {
                dirs.push(path);
            } else if name.ends_with(".rs") {
                files.push(path);
            }
        }
    }
    let action = |s: &str| {
        let parts: Vec<&str> = s.split('.').collect();
        parts.len() >= 2
            && parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
    };
    let (mut found, mut missing) = (0, Vec::new());
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let write = WRITES.iter().any(|w| line.contains(w)) || line.trim_start().starts_with("record(");
            if line.trim_start().starts_with("//") || !write {
                continue;
            }
            for near in &lines[i..(i + 8).min(lines.len())] {
                for literal in near.split('"').skip(1).step_by(2).filter(|l| action(l)) {
                    found += 1;
                    if !shelfsync_store::AUDIT_KINDS.contains(&literal) {
                        missing.push(format!("{literal} ({})", file.display()));
                    }
                }
            }
        }
    }
    assert!(found >= 20, "the scan found only {found} audited actions: has the code's shape changed?");
    assert!(missing.is_empty(), "audited actions missing from AUDIT_KINDS: {missing:?}");
}
