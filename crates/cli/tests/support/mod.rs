//! Running the real `shelfsync` binary from the channel, capture and marketplace tests.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// Every secret a command reads from the environment: cleared so the developer's own shell
/// never leaks into a test.
const SECRET_VARS: [&str; 8] = [
    "SHELFSYNC_SHOPIFY_TOKEN",
    "SHELFSYNC_SHOPIFY_WEBHOOK_SECRET",
    "SHELFSYNC_LWA_CLIENT_ID",
    "SHELFSYNC_LWA_CLIENT_SECRET",
    "SHELFSYNC_LWA_REFRESH_TOKEN",
    "SHELFSYNC_EBAY_CLIENT_ID",
    "SHELFSYNC_EBAY_CLIENT_SECRET",
    "SHELFSYNC_EBAY_REFRESH_TOKEN",
];

pub fn shelfsync(db: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_shelfsync"));
    // No keychain on CI boxes; force the file so every machine runs the same path.
    command.arg("--db").arg(db).args(args).env("SHELFSYNC_SECRETS", "file");
    for key in SECRET_VARS {
        command.env_remove(key);
    }
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("the binary runs")
}

pub fn ok(db: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = shelfsync(db, args, env);
    assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

pub fn json(db: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.push("--json");
    serde_json::from_str(&ok(db, &all, &[])).unwrap()
}

pub fn write(dir: &Path, name: &str, content: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path.to_str().unwrap().to_string()
}
