//! Every ledger command's bad input: exit 1, one `error: ...` line naming the problem, and the
//! database exactly as it was.

use std::path::Path;
use std::process::{Command, Output};

fn shelfsync(db: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_shelfsync"));
    command
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("SHELFSYNC_USER")
        .env_remove("SHELFSYNC_PIN")
        .env_remove("SHELFSYNC_NEW_PIN");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("the binary runs")
}

fn ok(db: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = shelfsync(db, args, env);
    assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// A fingerprint of everything a command could change, read through the CLI itself.
fn fingerprint(db: &Path) -> String {
    let stock = ok(db, &["stock", "--json"], &[]);
    let events = ok(db, &["events", "--json"], &[]);
    let users = ok(db, &["user", "list", "--json"], &[]);
    let audit = ok(db, &["audit", "verify", "--json"], &[]);
    format!("{stock}{events}{users}{audit}")
}

fn write(dir: &Path, name: &str, content: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn bad_input_is_refused_with_a_clear_error_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let d = dir.path();
    ok(&db, &["init"], &[]);
    ok(&db, &["import", "locations", &write(d, "l.csv", "code,name\nWH1,Main\nWH2,Second\n")], &[]);
    ok(
        &db,
        &[
            "import",
            "items",
            &write(
                d,
                "i.csv",
                "sku,name,unit_cost,category,safety_stock,barcodes\nA-1,Mug,3.50,home,2,4006381333931|MUG-1\n",
            ),
        ],
        &[],
    );
    ok(&db, &["receive", "A-1", "3", "--location", "WH1"], &[]);
    ok(&db, &["user", "add", "ada", "--role", "admin"], &[("SHELFSYNC_NEW_PIN", "1234")]);
    ok(
        &db,
        &["user", "add", "stu", "--role", "staff", "--user", "ada"],
        &[("SHELFSYNC_PIN", "1234"), ("SHELFSYNC_NEW_PIN", "5555")],
    );
    // From here the database has users: a change needs a verified user (staff will do).
    let stu = [("SHELFSYNC_USER", "stu"), ("SHELFSYNC_PIN", "5555")];
    let ship = ok(&db, &["transfer", "ship", "A-1", "1", "--from", "WH1", "--to", "WH2", "--json"], &stu);
    let ship_id =
        serde_json::from_str::<serde_json::Value>(&ship).unwrap()["id"].as_str().unwrap().to_string();

    let bad_items_dup = write(
        d,
        "dup.csv",
        "sku,name,unit_cost,category,safety_stock,barcodes\nB-1,Cup,1,home,0,4006381333931\n",
    );
    let bad_items = write(
        d,
        "bad.csv",
        "sku,name,unit_cost,category,safety_stock,barcodes\nB-1,Cup,1,home,0,\nB 2,Bad,1,home,0,\nB-3,Bad,x,home,0,\n",
    );
    let bad_header = write(d, "hdr.csv", "sku,qty\nA-1,3\n");
    let bad_stock = write(d, "stock.csv", "sku,location,qty\nA-1,WH1,5\nA-1,WH9,1\n");
    let bad_gtin = write(
        d,
        "gtin.csv",
        "sku,name,unit_cost,category,safety_stock,barcodes\nC-1,Cup,1,home,0,4006381333932\n",
    );

    // (arguments, environment, what the one error line must say). A case that names no user
    // and gives no PIN runs as ada (admin), so only the input is wrong; ANONYMOUS runs as nobody.
    type Case<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        (vec!["receive", "NOPE", "1", "--location", "WH1"], vec![], "unknown SKU 'NOPE'"),
        (vec!["receive", "A-1", "1", "--location", "WH9"], vec![], "unknown location 'WH9'"),
        (
            vec!["receive", "A-1", "0", "--location", "WH1"],
            vec![],
            "quantity must be between 1 and 1000000, got 0",
        ),
        (vec!["receive", "A-1", "-4", "--location", "WH1"], vec![], "got -4"),
        (vec!["receive", "A-1", "99999999", "--location", "WH1"], vec![], "got 99999999"),
        (
            vec!["adjust", "A-1", "-5", "--location", "WH1", "--reason", "count"],
            vec![],
            "on_hand at WH1 would go negative (2 - 5)",
        ),
        (vec!["adjust", "A-1", "0", "--location", "WH1", "--reason", "x"], vec![], "got 0"),
        (
            vec!["adjust", "A-1", "-5", "--location", "WH1", "--reason", "x", "--override"],
            ANONYMOUS.to_vec(),
            "name who acts to adjust stock: --user NAME",
        ),
        (vec!["receive", "A-1", "1", "--location", "WH1"], ANONYMOUS.to_vec(), "--user NAME"),
        (
            vec!["receive", "A-1", "1", "--location", "WH1", "--user", "ada"],
            vec![("SHELFSYNC_PIN", "4321")],
            "wrong user or PIN for 'ada'",
        ),
        (
            vec!["receive", "A-1", "1", "--location", "WH1", "--user", "ghost"],
            vec![("SHELFSYNC_PIN", "1234")],
            "wrong user or PIN for 'ghost'",
        ),
        (
            vec!["receive", "A-1", "1", "--location", "WH1"],
            vec![("SHELFSYNC_USER", "ada"), ("SHELFSYNC_PIN", "4321")],
            "wrong user or PIN for 'ada'",
        ),
        (
            vec!["receive", "A-1", "1", "--location", "WH1", "--user", "ada"],
            vec![],
            "no PIN: set SHELFSYNC_PIN",
        ),
        (vec!["stock", "--user", "ada"], vec![("SHELFSYNC_PIN", "4321")], "wrong user or PIN for 'ada'"),
        (
            vec!["adjust", "A-1", "-5", "--location", "WH1", "--reason", "x", "--override", "--user", "stu"],
            vec![("SHELFSYNC_PIN", "5555")],
            "user 'stu' (staff) may not override a negative balance",
        ),
        (
            vec!["adjust", "A-1", "-5", "--location", "WH1", "--reason", "x", "--override", "--user", "ada"],
            vec![("SHELFSYNC_PIN", "9999")],
            "wrong user or PIN",
        ),
        (
            vec!["damage", "A-1", "1", "--location", "WH1", "--reason", " "],
            vec![],
            "reason must not be empty",
        ),
        (
            vec!["damage", "A-1", "3", "--location", "WH1", "--reason", "torn"],
            vec![],
            "damaged at WH1 would exceed on_hand",
        ),
        (
            vec!["write-off", "A-1", "1", "--location", "WH1", "--reason", "x", "--from", "damaged"],
            vec![],
            "damaged at WH1 would go negative",
        ),
        (
            vec!["transfer", "A-1", "1", "--from", "WH1", "--to", "WH1"],
            vec![],
            "two different locations, got 'WH1' twice",
        ),
        (
            vec!["transfer", "A-1", "9", "--from", "WH1", "--to", "WH2"],
            vec![],
            "on_hand at WH1 would go negative (2 - 9)",
        ),
        (vec!["transfer", "receive", "not-a-uuid"], vec![], "unknown transfer 'not-a-uuid'"),
        (vec!["transfer", "receive", &ship_id, "--qty", "5"], vec![], "received 5 exceeds the 1 shipped"),
        (vec!["stock", "NOPE"], vec![], "unknown SKU 'NOPE'"),
        (vec!["events", "--since", "yesterday"], vec![], "is not an RFC 3339 time"),
        (vec!["import", "items", &bad_items], vec![], "line 3: invalid SKU 'B 2'"),
        (
            vec!["import", "items", &bad_items_dup],
            vec![],
            "barcode '04006381333931' already belongs to SKU 'A-1'",
        ),
        (
            vec!["import", "items", &bad_gtin],
            vec![],
            "line 2: invalid GTIN '4006381333932': wrong check digit",
        ),
        (vec!["import", "stock", &bad_header], vec![], "missing column(s) location"),
        (vec!["import", "stock", &bad_stock], vec![], "line 3: unknown location 'WH9'"),
        (vec!["import", "stock", "/nonexistent.csv"], vec![], "cannot read /nonexistent.csv"),
        (
            vec!["user", "add", "bob", "--role", "staff"],
            vec![ANONYMOUS[0], ("SHELFSYNC_NEW_PIN", "1111")],
            "--user NAME",
        ),
        (
            vec!["user", "add", "bob", "--role", "staff", "--user", "stu"],
            vec![("SHELFSYNC_PIN", "5555"), ("SHELFSYNC_NEW_PIN", "1111")],
            "may not add users",
        ),
        (
            vec!["user", "add", "bob", "--role", "staff", "--user", "ada"],
            vec![("SHELFSYNC_PIN", "1234"), ("SHELFSYNC_NEW_PIN", "12")],
            "4 to 64 characters",
        ),
    ];
    let before = fingerprint(&db);
    for (args, mut env, want) in cases {
        if env.contains(&ANONYMOUS[0]) {
            env.retain(|pair| *pair != ANONYMOUS[0]);
        } else if !args.contains(&"--user") && !env.iter().any(|(k, _)| k.starts_with("SHELFSYNC_PIN")) {
            env.extend([("SHELFSYNC_USER", "ada"), ("SHELFSYNC_PIN", "1234")]);
        }
        let out = shelfsync(&db, &args, &env);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?} should fail: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: one line, got {stderr:?}");
        assert!(
            stderr.starts_with("error: ") && stderr.contains(want),
            "{args:?}: got {stderr:?}, want {want:?}"
        );
        assert_eq!(fingerprint(&db), before, "{args:?} changed the database");
    }
}

/// A case environment marker: run with no user at all.
const ANONYMOUS: [(&str, &str); 1] = [("SHELFSYNC_TEST_ANONYMOUS", "1")];

#[test]
fn reading_commands_do_not_create_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("missing.db");
    let out = shelfsync(&db, &["stock"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("run `shelfsync init` first"));
    assert!(!db.exists());
}

#[test]
fn a_supervisor_override_lets_stock_go_negative_and_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let d = dir.path();
    ok(&db, &["init"], &[]);
    ok(&db, &["import", "locations", &write(d, "l.csv", "code,name\nWH1,Main\n")], &[]);
    ok(
        &db,
        &[
            "import",
            "items",
            &write(d, "i.csv", "sku,name,unit_cost,category,safety_stock,barcodes\nA-1,Mug,3.50,home,2,\n"),
        ],
        &[],
    );
    ok(&db, &["user", "add", "ada", "--role", "admin"], &[("SHELFSYNC_NEW_PIN", "1234")]);
    ok(
        &db,
        &["adjust", "A-1", "-2", "--location", "WH1", "--reason", "shrink", "--override", "--user", "ada"],
        &[("SHELFSYNC_PIN", "1234")],
    );
    let stock: serde_json::Value = serde_json::from_str(&ok(&db, &["stock", "A-1", "--json"], &[])).unwrap();
    assert_eq!(stock[0]["on_hand"], -2);
    let events: serde_json::Value = serde_json::from_str(&ok(&db, &["events", "--json"], &[])).unwrap();
    assert_eq!(events[0]["override_by"], "ada");
    assert_eq!(events[0]["actor"], "ada");
}
