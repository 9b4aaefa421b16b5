//! Workstation settings (precedence, validation, roles) and "Save diagnostics", without a window.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use shelfsync_store::{StoreError, testing};
use shelfsync_sync::config::{NewChannel, SHOPIFY_TOKEN, add_channel};
use shelfsync_sync::credentials::{Backend, Secret, Secrets};

use crate::commands;
use crate::diagnostics;
use crate::error::AppError;
use crate::ipc::SettingSource;
use crate::state::{AppState, DemoPolicy};
use crate::workstation_settings::{self as ws, resolve, validate};

fn booted() -> (tempfile::TempDir, AppState) {
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::new(dir.path().join("ws.db"));
    state.boot(DemoPolicy::LoadWhenEmpty);
    (dir, state)
}

fn as_user(state: &AppState, name: &str, pin: &str) {
    commands::sign_out(state).unwrap();
    commands::sign_in(state, name.into(), pin.into()).unwrap();
}

fn saved_rows(state: &AppState) -> i64 {
    testing::connection(&state.store().unwrap())
        .query_row("SELECT count(*) FROM workstation_settings", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn validation_accepts_good_values_and_names_what_is_wrong_with_bad_ones() {
    // (key, input, Ok(stored form) or Err(part of the message))
    let cases: &[(&str, &str, Result<&str, &str>)] = &[
        ("serial_scanner", "", Ok("")),
        ("serial_scanner", " /dev/ttyACM0 , COM3 ", Ok("/dev/ttyACM0,COM3")),
        ("serial_scanner", "/dev/tty\nx", Err("device path")),
        ("serial_baud", "9600", Ok("9600")),
        ("serial_baud", "115200", Ok("115200")),
        ("serial_baud", "9601", Err("one of 1200, 2400")),
        ("serial_baud", "fast", Err("one of")),
        ("hid_scanner", "AUTO", Ok("auto")),
        ("hid_scanner", "no", Ok("off")),
        ("hid_scanner", "05E0:1200", Ok("05e0:1200")),
        ("hid_scanner", "0x5e0:0x1200", Ok("05e0:1200")),
        ("hid_scanner", "05e0", Err("VID:PID")),
        ("hid_scanner", "12345:1", Err("VID:PID")),
        ("idle_lock_secs", "10", Ok("10")),
        ("idle_lock_secs", "43200", Ok("43200")),
        ("idle_lock_secs", "9", Err("from 10 to 43200")),
        ("idle_lock_secs", "-5", Err("whole number")),
        ("demo_channels", "Off", Ok("off")),
        ("demo_channels", "yes", Ok("on")),
        ("demo_channels", "maybe", Err("'on' or 'off'")),
        ("webhook_addr", "", Ok("")),
        ("webhook_addr", "0.0.0.0:8787", Ok("0.0.0.0:8787")),
        ("webhook_addr", "localhost:80", Err("IP:PORT")),
        ("webhook_addr", "1.2.3.4", Err("IP:PORT")),
        ("wedge_max_gap_ms", "30", Ok("30")),
        ("wedge_max_gap_ms", "250", Ok("250")),
        ("wedge_max_gap_ms", "0", Err("from 1 to 250")),
        ("wedge_max_gap_ms", "251", Err("from 1 to 250")),
        ("colour", "blue", Err("no workstation setting 'colour'")),
    ];
    for (key, input, want) in cases {
        let got = validate(key, input);
        match (want, &got) {
            (Ok(stored), Ok(value)) => assert_eq!(value, stored, "{key}={input:?}"),
            (Err(part), Err(message)) => assert!(message.contains(part), "{key}={input:?}: {message}"),
            _ => panic!("{key}={input:?}: want {want:?}, got {got:?}"),
        }
    }
}

#[test]
fn environment_overrides_saved_which_overrides_the_default() {
    let saved: BTreeMap<String, String> = [
        ("idle_lock_secs", "600"),
        ("serial_scanner", "/dev/ttyUSB0"),
        ("serial_baud", "19200"),
        ("webhook_addr", "bad address"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let env = |name: &str| match name {
        "SHELFSYNC_IDLE_LOCK_SECS" => Some("120".to_string()),
        "SHELFSYNC_HID_SCANNER" => Some("sideways".to_string()),
        _ => None,
    };
    let all = resolve(&saved, env);
    let get = |key: &str| all.iter().find(|r| r.key == key).unwrap().clone();
    assert_eq!(
        (get("idle_lock_secs").value.as_str(), get("idle_lock_secs").source),
        ("120", SettingSource::Env)
    );
    assert_eq!(
        (get("serial_scanner").value.as_str(), get("serial_scanner").source),
        ("/dev/ttyUSB0", SettingSource::Saved)
    );
    assert_eq!(
        (get("serial_baud").value.as_str(), get("serial_baud").source),
        ("19200", SettingSource::Saved)
    );
    assert_eq!(
        (get("demo_channels").value.as_str(), get("demo_channels").source),
        ("on", SettingSource::Default)
    );
    // A saved value the rule refuses (written by hand) falls back to the default.
    assert_eq!(
        (get("webhook_addr").value.as_str(), get("webhook_addr").source),
        ("", SettingSource::Default)
    );
    // A refused environment value is ignored, said so, and the next source wins.
    let hid = get("hid_scanner");
    assert_eq!((hid.value.as_str(), hid.source), ("auto", SettingSource::Default));
    assert!(hid.env_refused.as_deref().unwrap().contains("VID:PID"));
    assert_eq!(ws::idle_of(&all), Duration::from_secs(120));
    assert_eq!(ws::baud_of(&all), 19200);
}

#[test]
fn a_supervisor_saves_a_setting_and_the_idle_lock_changes_at_once() {
    let (_dir, state) = booted();
    as_user(&state, "super", "2222");
    let views = ws::set_workstation_setting(&state, "idle_lock_secs".into(), " 90 ".into()).unwrap();
    let idle = views.iter().find(|v| v.key == "idle_lock_secs").unwrap();
    assert_eq!((idle.value.as_str(), &idle.source), ("90", &SettingSource::Saved));
    assert_eq!(idle.env_var.as_deref(), Some("SHELFSYNC_IDLE_LOCK_SECS"));
    assert_eq!(state.sessions.idle(), Duration::from_secs(90));
    ws::set_workstation_setting(&state, "wedge_max_gap_ms".into(), "80".into()).unwrap();
    assert_eq!(ws::wedge_max_gap_ms(&state).unwrap(), Some(80));
    let audited: i64 = testing::connection(&state.store().unwrap())
        .query_row(
            "SELECT count(*) FROM audit WHERE action = 'workstation.setting' AND actor = 'super'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 2);
}

#[test]
fn bad_values_are_refused_with_nothing_written() {
    let (_dir, state) = booted();
    as_user(&state, "admin", "3333");
    ws::set_workstation_setting(&state, "serial_baud".into(), "4800".into()).unwrap();
    let before = testing::connection(&state.store().unwrap()).total_changes();
    for (key, value) in
        [("serial_baud", "9601"), ("idle_lock_secs", "5"), ("hid_scanner", "x:y"), ("nope", "1")]
    {
        match ws::set_workstation_setting(&state, key.into(), value.into()) {
            Err(AppError::BadRequest(message)) => assert!(!message.is_empty()),
            other => panic!("{key}={value}: {other:?}"),
        }
    }
    assert_eq!(testing::connection(&state.store().unwrap()).total_changes(), before);
    assert_eq!(saved_rows(&state), 1);
    let baud =
        ws::workstation_settings(&state).unwrap().into_iter().find(|v| v.key == "serial_baud").unwrap();
    assert_eq!(baud.value, "4800");
}

#[test]
fn staff_may_not_read_or_change_settings_or_save_diagnostics() {
    let (dir, state) = booted();
    as_user(&state, "staff", "1111");
    let forbidden = |r: Result<(), AppError>| matches!(r, Err(AppError::Store(StoreError::Forbidden { .. })));
    assert!(forbidden(ws::workstation_settings(&state).map(drop)));
    assert!(forbidden(ws::set_workstation_setting(&state, "serial_baud".into(), "4800".into()).map(drop)));
    assert!(forbidden(diagnostics::save_diagnostics(&state).map(drop)));
    assert_eq!(saved_rows(&state), 0);
    assert!(
        std::fs::read_dir(dir.path()).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with("diagnostics-"))
    );
    // Anyone may read the wedge timing: the scan station needs it before sign-in.
    commands::sign_out(&state).unwrap();
    assert_eq!(ws::wedge_max_gap_ms(&state).unwrap(), None, "none saved");
}

#[test]
fn diagnostics_hold_logs_versions_health_and_settings_and_no_secret() {
    const TOKEN: &str = "shpat_DIAG_secret_token_4711";
    let (dir, state) = booted();
    let db = state.db_path().to_path_buf();
    {
        let store = state.store().unwrap();
        let new = NewChannel {
            name: "shop".into(),
            kind: shelfsync_channels::ChannelKind::Shopify,
            endpoint: "http://127.0.0.1:9".into(),
            shop: Some("demo.myshopify.com".into()),
            seller_id: None,
            marketplace_id: None,
        };
        let creds = [(SHOPIFY_TOKEN, Secret::new(TOKEN).unwrap())];
        add_channel(
            &store,
            shelfsync_store::By::new("tester", "ws-test"),
            &Secrets::with_backend(&db, Backend::File),
            &new,
            &creds,
        )
        .unwrap();
    }
    // Logs: a recent one that (against the rules) carries the token, a large one, an old one.
    let logs = dir.path().join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    std::fs::write(logs.join("shelfsync.log.today"), format!("start\nleaked {TOKEN}\nend\n")).unwrap();
    let big = vec![b'x'; usize::try_from(diagnostics::LOG_CAP_BYTES).unwrap() + 1000];
    std::fs::write(logs.join("shelfsync.log.big"), &big).unwrap();
    let old = logs.join("shelfsync.log.old");
    std::fs::write(&old, "old\n").unwrap();
    let four_days_ago = SystemTime::now() - Duration::from_secs(4 * 24 * 3600);
    std::fs::File::options().write(true).open(&old).unwrap().set_modified(four_days_ago).unwrap();
    // The token in the environment too, under the name a user might give it.
    // SAFETY: nextest runs each test in its own process; nothing else reads this variable.
    unsafe {
        std::env::set_var("SHELFSYNC_SECRETS", "file");
        std::env::set_var("SHOPIFY_ACCESS_TOKEN", TOKEN);
        std::env::set_var(shelfsync_logging::LOG_DIR_ENV, &logs);
    }
    as_user(&state, "super", "2222");
    let view = diagnostics::save_diagnostics(&state).unwrap();
    let folder = std::path::PathBuf::from(&view.folder);
    assert_eq!(folder.parent().unwrap(), dir.path(), "next to the database");
    for name in
        ["versions.txt", "health.json", "settings.json", "logs/shelfsync.log.today", "logs/shelfsync.log.big"]
    {
        assert!(view.files.iter().any(|f| f == name), "{name} in {:?}", view.files);
    }
    assert!(!view.files.iter().any(|f| f.ends_with("shelfsync.log.old")), "older than 3 days");
    let big_copy = std::fs::metadata(folder.join("logs/shelfsync.log.big")).unwrap().len();
    assert_eq!(big_copy, diagnostics::LOG_CAP_BYTES);
    let versions = std::fs::read_to_string(folder.join("versions.txt")).unwrap();
    assert!(versions.contains(env!("CARGO_PKG_VERSION")), "{versions}");
    let health: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(folder.join("health.json")).unwrap()).unwrap();
    assert!(health.get("error").is_none(), "{health}");
    let settings: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(folder.join("settings.json")).unwrap()).unwrap();
    assert_eq!(settings["settings"]["serial_baud"]["value"], "9600");
    let today = std::fs::read_to_string(folder.join("logs/shelfsync.log.today")).unwrap();
    assert!(today.contains("leaked [redacted]"), "{today}");
    let pin_hash: String = testing::connection(&state.store().unwrap())
        .query_row("SELECT pin_hash FROM users WHERE name = 'admin'", [], |r| r.get(0))
        .unwrap();
    for file in diagnostics::walk(&folder) {
        let bytes = std::fs::read(&file).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(TOKEN), "{} carries the channel token", file.display());
        assert!(!text.contains(&pin_hash), "{} carries a PIN hash", file.display());
    }
}

#[test]
fn secret_looking_keys_are_recognised() {
    for key in ["webhook_secret", "access_token", "pin", "api_key", "admin_password"] {
        assert!(diagnostics::looks_secret(key), "{key}");
    }
    for key in ["serial_scanner", "serial_baud", "hid_scanner", "idle_lock_secs", "webhook_addr", "keyboard"]
    {
        assert!(!diagnostics::looks_secret(key), "{key}");
    }
}

#[test]
fn the_service_and_demo_channels_start_from_the_saved_settings_unless_the_environment_says_otherwise() {
    let (_dir, state) = booted();
    as_user(&state, "admin", "3333");
    ws::set_workstation_setting(&state, "demo_channels".into(), "off".into()).unwrap();
    ws::set_workstation_setting(&state, "webhook_addr".into(), "127.0.0.1:18787".into()).unwrap();
    ws::set_workstation_setting(&state, "idle_lock_secs".into(), "45".into()).unwrap();
    state.sessions.set_idle(Duration::from_secs(300));
    // What the boot thread does once the store is open, before the service starts.
    ws::boot_snapshot(&state);
    assert_eq!(state.sessions.idle(), Duration::from_secs(45));
    assert!(!crate::demo_channels::enabled_from_env());
    let config = crate::service::config(state.workstation()).unwrap();
    assert_eq!(config.webhook, Some("127.0.0.1:18787".parse().unwrap()));
    // The environment still wins.
    // SAFETY: nextest runs each test in its own process; nothing else reads these variables.
    unsafe {
        std::env::set_var(crate::demo_channels::DEMO_CHANNELS_ENV, "on");
        std::env::set_var(crate::service::WEBHOOK_ENV, "127.0.0.1:18788");
    }
    assert!(crate::demo_channels::enabled_from_env());
    let config = crate::service::config(state.workstation()).unwrap();
    assert_eq!(config.webhook, Some("127.0.0.1:18788".parse().unwrap()));
    unsafe {
        std::env::remove_var(crate::demo_channels::DEMO_CHANNELS_ENV);
        std::env::remove_var(crate::service::WEBHOOK_ENV);
    }
    ws::forget_boot_snapshot();
}
