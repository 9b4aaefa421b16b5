//! The generated surface agrees with what is committed: the TypeScript client and the
//! capability file that grants the commands to the window.

use std::collections::BTreeSet;
use std::path::Path;

use super::{CLIENT_PATH, COMMANDS, binding_names, camel_case, typescript_client};

/// Fails when ui/src/client.ts differs from what the command table generates, and writes the
/// fresh client so the working tree holds it: review it, commit, rerun. Only this test writes
/// the file, so reading it from disk (unlike the ts-rs bindings) is race-free.
#[test]
fn client_is_committed() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(CLIENT_PATH);
    let rendered = typescript_client();
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != rendered {
        std::fs::write(&path, &rendered).expect("write the client");
        panic!("{} is out of date; it has been regenerated: review and commit it", path.display());
    }
}

/// The window may call exactly the table's commands: a command missing from the capability is
/// unreachable, and a grant without a command is a permission nobody reviews.
#[test]
fn capabilities_grant_exactly_the_table() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("capabilities/main.json");
    let text = std::fs::read_to_string(&path).expect("capabilities/main.json");
    let capability: serde_json::Value = serde_json::from_str(&text).expect("capability is JSON");
    let granted: Vec<String> = capability["permissions"]
        .as_array()
        .expect("a permissions list")
        .iter()
        .filter_map(|p| p.as_str())
        .filter_map(|p| p.strip_prefix("allow-"))
        .map(|p| p.replace('-', "_"))
        .collect();
    let granted_set: BTreeSet<&str> = granted.iter().map(String::as_str).collect();
    assert_eq!(granted.len(), granted_set.len(), "a command is granted twice: {granted:?}");
    let table: BTreeSet<&str> = COMMANDS.iter().copied().collect();
    assert_eq!(table.len(), COMMANDS.len(), "a command is listed twice in the table");
    let ungranted: Vec<_> = table.difference(&granted_set).collect();
    let unknown: Vec<_> = granted_set.difference(&table).collect();
    assert!(
        ungranted.is_empty() && unknown.is_empty(),
        "capabilities/main.json and command_table.rs disagree: not granted {ungranted:?}; granted but \
         not in the table {unknown:?}"
    );
}

#[test]
fn every_command_is_one_client_function() {
    let client = typescript_client();
    for name in COMMANDS {
        let entry = format!("  {}: (", camel_case(name));
        assert_eq!(client.matches(&entry).count(), 1, "{name}: one entry");
        assert!(client.contains(&format!("({name:?}")), "{name}: invoked by its own name");
    }
    // Arguments cross in camelCase, as Tauri expects them by default.
    assert!(client.contains(
        "createFirstAdmin: (name: string, pin: string, pinAgain: string): Promise<SessionView> => \
         invoke<SessionView>(\"create_first_admin\", { name, pin, pinAgain }),"
    ));
    // A command that returns nothing resolves to `void`, not `null`.
    assert!(client.contains("saveStationDraft: (draft: StationDraft): Promise<void> =>"));
}

#[test]
fn names_convert_as_tauri_does() {
    assert_eq!(camel_case("pin_again"), "pinAgain");
    assert_eq!(camel_case("wedge_max_gap_ms"), "wedgeMaxGapMs");
    assert_eq!(camel_case("users"), "users");
}

#[test]
fn imports_name_binding_types_only() {
    let names: Vec<String> = binding_names("Array<EventView> | null").collect();
    assert_eq!(names, ["EventView"]);
    assert_eq!(binding_names("string | null").count(), 0);
}
