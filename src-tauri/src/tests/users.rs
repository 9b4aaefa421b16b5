//! Settings → Users for admins (issue 17): unlock, deactivate and activate, and reset another
//! user's PIN, from the app as from the CLI; each refused to others and audited by the store.

use crate::admin;
use crate::commands;
use crate::state::{AppState, DemoPolicy};

fn demo() -> (tempfile::TempDir, AppState) {
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::new(dir.path().join("users.db"));
    state.boot(DemoPolicy::LoadWhenEmpty);
    (dir, state)
}

#[test]
fn an_admin_unlocks_deactivates_and_resets_a_pin_and_nobody_else_may() {
    let (_dir, state) = demo();
    // Five wrong PINs lock staff out.
    for _ in 0..5 {
        assert!(commands::sign_in(&state, "staff".into(), "0000".into()).is_err());
    }
    let locked = commands::sign_in(&state, "staff".into(), "1111".into()).unwrap_err().to_string();
    assert!(locked.contains("locked out"), "{locked}");

    // A supervisor may do none of it, and nothing changes.
    commands::sign_in(&state, "super".into(), "2222".into()).unwrap();
    let refusals = [
        admin::unlock_user(&state, "staff".into()).unwrap_err().to_string(),
        admin::set_user_active(&state, "staff".into(), false).unwrap_err().to_string(),
        admin::reset_user_pin(&state, "staff".into(), "5555".into()).unwrap_err().to_string(),
    ];
    for refusal in &refusals {
        assert!(refusal.contains("(supervisor) may not"), "{refusal}");
    }
    commands::sign_out(&state).unwrap();
    assert!(commands::sign_in(&state, "staff".into(), "1111".into()).is_err(), "still locked out");

    // The admin unlocks staff, resets the PIN, deactivates and activates them again.
    commands::sign_in(&state, "admin".into(), "3333".into()).unwrap();
    admin::unlock_user(&state, "staff".into()).unwrap();
    admin::reset_user_pin(&state, "staff".into(), "5555".into()).unwrap();
    let bad_pin = admin::reset_user_pin(&state, "staff".into(), "12".into()).unwrap_err().to_string();
    assert!(bad_pin.to_lowercase().contains("pin"), "a too-short PIN is refused: {bad_pin}");
    let users = admin::set_user_active(&state, "staff".into(), false).unwrap();
    assert!(!users.iter().find(|u| u.name == "staff").unwrap().active);
    let own = admin::set_user_active(&state, "admin".into(), false).unwrap_err().to_string();
    assert!(own.contains("cannot deactivate themselves"), "{own}");
    let unknown = admin::unlock_user(&state, "nobody".into()).unwrap_err().to_string();
    assert!(unknown.contains("nobody"), "{unknown}");
    commands::sign_out(&state).unwrap();
    assert!(commands::sign_in(&state, "staff".into(), "5555".into()).is_err(), "deactivated");

    commands::sign_in(&state, "admin".into(), "3333".into()).unwrap();
    admin::set_user_active(&state, "staff".into(), true).unwrap();
    commands::sign_out(&state).unwrap();
    assert!(commands::sign_in(&state, "staff".into(), "1111".into()).is_err(), "the old PIN is gone");
    commands::sign_in(&state, "staff".into(), "5555".into()).unwrap();
}
