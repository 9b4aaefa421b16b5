//! Each user's language (issue 19): kept in the database with the user, carried by the
//! session view only while that user's session is open (the sign-in and lock screens keep the
//! workstation's), set by the user alone, audited, and a refused value changes nothing.

use shelfsync_store::AuditFilter;

use crate::commands;
use crate::error::AppError;
use crate::state::{AppState, DemoPolicy};
use crate::user_language::{UI_LANGUAGES, set_user_language};

use super::fresh_demo;

/// The audit entries of language changes, oldest first: (actor, subject, detail).
fn language_audit(state: &AppState) -> Vec<(String, String, String)> {
    let filter = AuditFilter { kind: Some("user.language".into()), ..AuditFilter::default() };
    let page = state.store().unwrap().audit_entries(&filter).unwrap();
    let mut rows: Vec<_> = page.entries.into_iter().map(|e| (e.actor, e.subject, e.detail)).collect();
    rows.reverse();
    rows
}

fn language(state: &AppState) -> Option<String> {
    commands::session_info(state).unwrap().language
}

#[test]
fn a_users_language_follows_them_and_not_the_lock_screen() {
    let (dir, state) = fresh_demo();
    assert_eq!(language(&state), None, "signed out: the workstation's");
    let view = commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    assert_eq!(view.language, None, "never chose one: the workstation's");

    let view = set_user_language(&state, Some("es".into())).unwrap();
    assert_eq!(view.language.as_deref(), Some("es"));
    assert_eq!(language(&state).as_deref(), Some("es"), "every later session view carries it");

    // Locked: the lock screen keeps the workstation's language; the PIN brings the user's back.
    assert_eq!(commands::lock_session(&state).unwrap().language, None);
    assert_eq!(
        commands::sign_in(&state, "staff".into(), "1111".into()).unwrap().language.as_deref(),
        Some("es")
    );

    // Another user has their own (none); the first keeps theirs after signing out.
    assert_eq!(commands::sign_out(&state).unwrap().language, None);
    assert_eq!(commands::sign_in(&state, "super".into(), "2222".into()).unwrap().language, None);
    assert_eq!(
        commands::sign_in(&state, "staff".into(), "1111".into()).unwrap().language.as_deref(),
        Some("es")
    );

    // The same choice again writes nothing; clearing goes back to the workstation's.
    set_user_language(&state, Some("es".into())).unwrap();
    assert_eq!(set_user_language(&state, None).unwrap().language, None);
    set_user_language(&state, Some("es".into())).unwrap();
    let staff = |detail: &str| ("staff".to_string(), "staff".to_string(), detail.to_string());
    assert_eq!(language_audit(&state), [staff("es"), staff(""), staff("es")]);
    assert!(state.store().unwrap().verify_audit().unwrap().first_break.is_none());

    // Kept in the database file: a restarted app signs staff in in Spanish.
    drop(state);
    let state = AppState::new(dir.path().join("demo.db"));
    state.boot(DemoPolicy::LoadWhenEmpty);
    assert_eq!(
        commands::sign_in(&state, "staff".into(), "1111".into()).unwrap().language.as_deref(),
        Some("es")
    );
}

#[test]
fn a_refused_language_changes_nothing() {
    let (_dir, state) = fresh_demo();
    // Nobody signed in, or the session locked: nobody's language to set.
    assert!(matches!(set_user_language(&state, Some("es".into())), Err(AppError::SignedOut)));
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    set_user_language(&state, Some("es".into())).unwrap();
    commands::lock_session(&state).unwrap();
    assert!(matches!(set_user_language(&state, Some("en".into())), Err(AppError::Locked)));
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();

    let long = "x".repeat(10_000);
    let cases: [(&str, &str); 6] = [
        ("fr", "There is no 'fr' language; the languages are en, es."),
        ("ES", "There is no 'ES' language; the languages are en, es."),
        ("es-ES", "There is no 'es-ES' language; the languages are en, es."),
        ("español", "There is no 'español' language; the languages are en, es."),
        ("e", "There is no 'e' language; the languages are en, es."),
        (&long, "There is no 'xxxxxxxxxxxxxxxx' language; the languages are en, es."),
    ];
    for (input, message) in cases {
        let error = set_user_language(&state, Some(input.into())).unwrap_err();
        assert!(matches!(error, AppError::BadRequest(_)), "{input}: {error:?}");
        assert_eq!(error.to_string(), message, "{input}");
        assert_eq!(language(&state).as_deref(), Some("es"), "{input}: nothing changed");
    }
    // Blank means "follow the workstation", as null does.
    assert_eq!(set_user_language(&state, Some("  ".into())).unwrap().language, None);
    assert_eq!(language_audit(&state).len(), 2, "es, then cleared: no entry for a refusal");
}

#[test]
fn the_store_refuses_a_language_of_the_wrong_shape() {
    let (_dir, state) = fresh_demo();
    let staff = state.store().unwrap().users().unwrap().into_iter().find(|u| u.name == "staff").unwrap();
    for bad in ["", "e", "EN", "eng", "e1", "ñe"] {
        let error = state.store().unwrap().set_user_language(&staff, Some(bad), "WS").unwrap_err();
        assert!(error.to_string().starts_with("a language is two lower-case letters"), "{bad}: {error}");
    }
    assert_eq!(state.store().unwrap().user_language("staff").unwrap(), None);
    assert!(language_audit(&state).is_empty());
}

/// Rust's list of languages is the UI's: `LANGUAGES` in messages.ts.
#[test]
fn rusts_languages_are_the_uis_catalogues() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/src/lib/i18n/messages.ts");
    let source = std::fs::read_to_string(path).unwrap();
    let line = source
        .lines()
        .find(|l| l.starts_with("export const LANGUAGES = ["))
        .expect("LANGUAGES in messages.ts");
    let inside = line.split_once('[').unwrap().1.split_once(']').unwrap().0;
    let ui: Vec<&str> =
        inside.split(',').map(|s| s.trim().trim_matches('"')).filter(|s| !s.is_empty()).collect();
    assert_eq!(ui, UI_LANGUAGES);
}
