//! The signed-in user's language (issue 19). The UI's language, first match wins: the user's
//! own choice (this module, kept in the database with the user), then the one chosen on this
//! workstation's sign-in screen (the webview's storage), then the operating system's. The
//! sign-in and lock screens show the workstation's: nobody is known there yet, or the person
//! at the screen may not be the one signed in.
//!
//! Any signed-in user sets their own language and nobody else's; the change is audited
//! ("user.language") like their PIN changes.

use crate::commands::{acting_user, session_info};
use crate::error::{AppError, Result};
use crate::ipc::SessionView;
use crate::state::AppState;

/// The languages the UI has a catalogue for: `LANGUAGES` in ui/src/lib/i18n/messages.ts (a
/// test reads that file, so the two cannot drift apart).
pub const UI_LANGUAGES: [&str; 2] = ["en", "es"];

/// `Some(language)` when the UI has that catalogue, `None` for "follow the workstation"
/// (`null` or an empty text); anything else is refused in one line.
pub fn check(language: Option<&str>) -> Result<Option<&'static str>> {
    let Some(text) = language.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    UI_LANGUAGES.iter().find(|l| **l == text).map(|l| Some(*l)).ok_or_else(|| {
        AppError::BadRequest(format!(
            "There is no '{}' language; the languages are {}.",
            text.chars().take(16).collect::<String>(),
            UI_LANGUAGES.join(", ")
        ))
    })
}

/// Sets the signed-in user's own language (`null`: follow the workstation's again) and returns
/// the session, which carries it. Refused while signed out or locked; a refused language
/// changes nothing.
pub fn set_user_language(state: &AppState, language: Option<String>) -> Result<SessionView> {
    let user = acting_user(state)?;
    let language = check(language.as_deref())?;
    state.store()?.set_user_language(&user, language, state.workstation())?;
    session_info(state)
}
