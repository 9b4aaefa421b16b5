//! Signing in: the demo users, roles held in Rust, and the lockout after five wrong PINs.

use crate::commands;
use crate::error::AppError;
use crate::floor_refusal::FloorRefusal;
use crate::ipc::*;

use super::fresh_demo;

#[test]
fn demo_users_sign_in_and_roles_are_held_in_rust() {
    let (_dir, state) = fresh_demo();
    let info = commands::session_info(&state).unwrap();
    assert!(info.user.is_none());
    assert_eq!(info.idle_lock_secs, 300);
    let names: Vec<_> = info.demo_users.iter().map(|u| (u.name.as_str(), u.pin.as_str())).collect();
    assert_eq!(names, [("admin", "3333"), ("staff", "1111"), ("super", "2222")]);

    // Nothing acts before sign-in.
    assert!(matches!(commands::classify_scan(&state, "SS-00001".into()), Err(AppError::SignedOut)));
    assert!(matches!(commands::approvals(&state), Err(AppError::SignedOut)));

    let error = commands::sign_in(&state, "staff".into(), "9999".into()).unwrap_err();
    assert_eq!(error.to_string(), "wrong user or PIN for 'staff'");
    let error = commands::sign_in(&state, " ".into(), "1111".into()).unwrap_err();
    assert!(matches!(error, AppError::Refused(FloorRefusal::NoUserName)), "{error:?}");

    let info = commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    assert_eq!(info.user, Some(UserView { name: "staff".into(), role: RoleView::Staff }));
    assert!(!info.can_approve && !info.locked);
    // Staff may not see or decide approvals: refused in Rust whatever the UI shows.
    let error = commands::approvals(&state).unwrap_err();
    assert_eq!(error.to_string(), "user 'staff' (staff) may not see the approvals inbox");
    let error =
        commands::decide(&state, "x".into(), DecisionView::Approve, "ok".into(), "1111".into()).unwrap_err();
    assert!(error.to_string().contains("may not"), "{error}");

    let info = commands::lock_session(&state).unwrap();
    assert!(info.locked);
    assert!(matches!(commands::classify_scan(&state, "SS-00001".into()), Err(AppError::Locked)));
    let info = commands::sign_in(&state, "super".into(), "2222".into()).unwrap();
    assert!(info.can_approve);
    assert!(commands::approvals(&state).unwrap().is_empty());
    let info = commands::sign_out(&state).unwrap();
    assert!(info.user.is_none());
}

#[test]
fn five_wrong_pins_lock_the_user_out() {
    let (_dir, state) = fresh_demo();
    for _ in 0..4 {
        assert!(commands::sign_in(&state, "staff".into(), "0000".into()).is_err());
    }
    let error = commands::sign_in(&state, "staff".into(), "0000".into()).unwrap_err();
    assert!(error.to_string().starts_with("user 'staff' is locked out until "), "{error}");
    let error = commands::sign_in(&state, "staff".into(), "1111".into()).unwrap_err();
    assert!(error.to_string().contains("locked out"), "even the right PIN waits: {error}");
}

/// The floor's "Details" (latency, device and database paths) is offered by Rust, from the
/// role policy: supervisors and admins get it, staff and a signed-out window do not.
#[test]
fn only_supervisors_and_admins_are_offered_the_developer_details() {
    let (_dir, state) = fresh_demo();
    assert!(!commands::session_info(&state).unwrap().can_see_details, "signed out");
    for (user, pin, sees) in [("staff", "1111", false), ("super", "2222", true), ("admin", "3333", true)] {
        let info = commands::sign_in(&state, user.into(), pin.into()).unwrap();
        assert_eq!(info.can_see_details, sees, "{user}");
    }
}

/// The idle lock follows the user's own actions, decided in Rust: screens that poll (the sync
/// dashboard, approvals, alerts) do not keep a session open; a scan or a key press does.
#[test]
fn polling_screens_do_not_keep_an_idle_session_open() {
    use std::time::{Duration, Instant};
    let (_dir, state) = fresh_demo();
    let idle = Duration::from_secs(1);
    state.sessions.set_idle(idle);
    let run_for = |what: &dyn Fn()| {
        let started = Instant::now();
        while started.elapsed() < idle + Duration::from_millis(500) {
            what();
            std::thread::sleep(Duration::from_millis(50));
        }
    };

    commands::sign_in(&state, "super".into(), "2222".into()).unwrap();
    run_for(&|| {
        let _ = commands::sync_status(&state);
        let _ = commands::approvals(&state);
        let _ = crate::ops::alerts(&state, false);
    });
    assert!(commands::session_info(&state).unwrap().locked, "polling alone let the session lock");
    assert!(matches!(commands::sync_status(&state), Err(AppError::Locked)), "and a locked look is refused");

    // The control: the user's own input (pings) and scans keep it open for as long.
    commands::sign_in(&state, "super".into(), "2222".into()).unwrap();
    run_for(&|| {
        commands::session_ping(&state).unwrap();
        commands::classify_scan(&state, "SS-00001".into()).unwrap();
    });
    assert!(!commands::session_info(&state).unwrap().locked, "activity keeps the session open");
}
