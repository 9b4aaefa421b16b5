//! The release configuration keeps the webview boxed in: a strict CSP (nothing remote, no eval,
//! no inline script, no plugins or frames), and capabilities granted per named window, listing
//! app commands one by one plus event listening; no file system, shell, HTTP or remote URL.
//! Read from the same files the release build embeds: tauri.conf.json and capabilities/*.json.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

const DIR: &str = env!("CARGO_MANIFEST_DIR");

fn json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn conf() -> Value {
    json(&Path::new(DIR).join("tauri.conf.json"))
}

/// Directive -> its sources, from the object form or the string form of `app.security.csp`.
fn csp(security: &Value) -> Vec<(String, Vec<String>)> {
    let split = |s: &str| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
    match &security["csp"] {
        Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), split(v.as_str().unwrap_or("")))).collect(),
        Value::String(s) => s
            .split(';')
            .filter_map(|d| {
                let mut parts = d.split_whitespace();
                Some((parts.next()?.to_string(), parts.map(str::to_string).collect()))
            })
            .collect(),
        other => panic!("app.security.csp must be set (got {other}): without it the webview has no CSP"),
    }
}

/// The IPC origins Tauri itself needs; nothing else may be named by a scheme or host.
const IPC_SOURCES: [&str; 2] = ["ipc:", "http://ipc.localhost"];

#[test]
fn the_release_csp_is_strict() {
    let conf = conf();
    let security = &conf["app"]["security"];
    let directives = csp(security);
    let get = |name: &str| directives.iter().find(|(d, _)| d == name).map(|(_, s)| s.clone());
    assert_eq!(get("default-src"), Some(vec!["'self'".to_string()]), "default-src 'self'");
    for must_be_none in ["object-src", "base-uri", "frame-src", "form-action"] {
        assert_eq!(get(must_be_none), Some(vec!["'none'".to_string()]), "{must_be_none}");
    }
    let mut problems = Vec::new();
    for (directive, sources) in &directives {
        for source in sources {
            let remote =
                source.contains("://") || source.ends_with(':') || source == "*" || source.contains('*');
            let allowed_scheme = directive == "connect-src" && IPC_SOURCES.contains(&source.as_str())
                || directive == "img-src" && source == "data:";
            if remote && !allowed_scheme {
                problems.push(format!("{directive} allows {source}"));
            }
            if ["'unsafe-eval'", "'wasm-unsafe-eval'", "'unsafe-hashes'"].contains(&source.as_str()) {
                problems.push(format!("{directive} allows {source}"));
            }
            if source == "'unsafe-inline'" && directive != "style-src" {
                problems.push(format!("{directive} allows inline code"));
            }
        }
    }
    assert!(problems.is_empty(), "CSP too loose: {problems:?}");
    assert!(
        security["dangerousDisableAssetCspModification"].is_null(),
        "Tauri must keep adding its nonces and hashes to the CSP"
    );
    assert_ne!(security["freezePrototype"], Value::Bool(false));
    assert_ne!(conf["app"]["withGlobalTauri"], Value::Bool(true), "no global __TAURI__ for injected scripts");
}

/// The commands the app declares in its command table (src/command_table.rs, which build.rs
/// reads for the permission list): each line that starts `name(`.
fn declared_commands() -> BTreeSet<String> {
    let table = std::fs::read_to_string(Path::new(DIR).join("src/command_table.rs")).unwrap();
    table
        .lines()
        .map(str::trim)
        .filter_map(|l| l.split_once('('))
        .map(|(name, _)| name)
        .filter(|name| {
            !name.is_empty()
                && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn capabilities_are_per_window_and_grant_commands_by_name() {
    let conf = conf();
    let windows: BTreeSet<String> = conf["app"]["windows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["label"].as_str().expect("every window has a label").to_string())
        .collect();
    let commands = declared_commands();
    assert!(commands.len() >= 10, "parsed {} commands from build.rs", commands.len());
    let dir = Path::new(DIR).join("capabilities");
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        files += 1;
        let cap = json(&path);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let targets: Vec<&str> = cap["windows"]
            .as_array()
            .unwrap_or_else(|| panic!("{name}: no windows"))
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(!targets.is_empty(), "{name}: a capability names its windows");
        for target in &targets {
            assert!(!target.contains('*'), "{name}: window pattern {target}");
            assert!(windows.contains(*target), "{name}: window {target} is not in tauri.conf.json");
        }
        assert!(cap["remote"].is_null(), "{name}: no remote URL may call commands");
        for permission in cap["permissions"].as_array().unwrap() {
            let id = permission.as_str().or_else(|| permission["identifier"].as_str()).unwrap();
            let ok = match id.strip_prefix("allow-") {
                Some(command) => commands.contains(&command.replace('-', "_")),
                None => matches!(id, "core:event:allow-listen" | "core:event:allow-unlisten"),
            };
            assert!(ok, "{name}: {id} is neither a declared app command nor event listening");
        }
    }
    assert!(files >= 1, "no capability files in {}", dir.display());
}
