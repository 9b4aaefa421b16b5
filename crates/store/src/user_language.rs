//! Each user's language (issue 19): what the UI switches to when they sign in. A display
//! preference of a person, kept with the people (a user who moves to another workstation of the
//! same database keeps it), and audited like their other changes ("user.language").
//!
//! Which languages exist is the UI's business (its catalogues); the app checks the choice
//! against them before calling [`Store::set_user_language`]. The store guards the shape only:
//! two lower-case letters ([`check_language_shape`], and migration 27's CHECK behind it).

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use crate::audit::audit_in;
use crate::{Result, Store, StoreError, User};

/// Audit action of a change (the detail is the new language, empty when cleared).
pub const USER_LANGUAGE_AUDIT: &str = "user.language";

/// A language as the store keeps it: an ISO 639-1 code, two lower-case ASCII letters.
pub fn check_language_shape(language: &str) -> Result<()> {
    if language.len() == 2 && language.bytes().all(|b| b.is_ascii_lowercase()) {
        return Ok(());
    }
    Err(StoreError::Auth(format!(
        "a language is two lower-case letters such as 'en' or 'es'; got '{}'",
        language.chars().take(16).collect::<String>()
    )))
}

impl Store {
    /// `name`'s language, or `None` when they never chose one (they follow the workstation).
    pub fn user_language(&self, name: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT language FROM user_languages WHERE name = ?1")?
            .query_row([name], |row| row.get(0))
            .optional()?)
    }

    /// Sets (`Some`) or clears (`None`) `user`'s own language, with its audit entry in the same
    /// transaction. Setting the language already set writes nothing, so a picker that sends
    /// the same choice twice leaves one audit entry.
    pub fn set_user_language(
        &mut self,
        user: &User,
        language: Option<&str>,
        workstation: &str,
    ) -> Result<()> {
        if let Some(language) = language {
            check_language_shape(language)?;
        }
        let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let before: Option<String> = tx
            .query_row("SELECT language FROM user_languages WHERE name = ?1", [&user.name], |row| row.get(0))
            .optional()?;
        if before.as_deref() == language {
            return Ok(());
        }
        match language {
            Some(language) => tx.execute(
                "INSERT INTO user_languages (name, language, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (name) DO UPDATE SET language = excluded.language, updated_at = excluded.updated_at",
                params![user.name, language, at],
            )?,
            None => tx.execute("DELETE FROM user_languages WHERE name = ?1", [&user.name])?,
        };
        audit_in(&tx, &user.name, workstation, USER_LANGUAGE_AUDIT, &user.name, language.unwrap_or(""))?;
        tx.commit()?;
        Ok(())
    }
}
