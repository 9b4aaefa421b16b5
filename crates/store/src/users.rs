//! Users, roles and sign-in. PINs are hashed with Argon2id; wrong PINs lock the user out with
//! a back-off that doubles. Every check lives here, in Rust, so no UI can skip it.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use shelfsync_core::{Action, Lockout, Role, may};

use crate::audit::audit_in;
use crate::{Result, Store, StoreError};

/// Shortest and longest secret accepted. Four digits is the floor a keypad user will accept;
/// the lockout is what makes so small a space safe.
const MIN_SECRET_LEN: usize = 4;
const MAX_SECRET_LEN: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct User {
    pub name: String,
    pub role: Role,
    pub active: bool,
}

/// OWASP's minimum for Argon2id: 19 MiB, two passes, one lane.
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("constant parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_secret(secret: &str) -> Result<String> {
    let salt_bytes: [u8; 16] = rand::random();
    let salt = SaltString::encode_b64(&salt_bytes)
        .map_err(|e| StoreError::Auth(format!("cannot make a salt: {e}")))?;
    hasher()
        .hash_password(secret.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Auth(format!("cannot hash the PIN: {e}")))
}

fn check_secret_shape(secret: &str) -> Result<()> {
    let len = secret.chars().count();
    if !(MIN_SECRET_LEN..=MAX_SECRET_LEN).contains(&len) {
        return Err(StoreError::Auth(format!(
            "a PIN or password must have {MIN_SECRET_LEN} to {MAX_SECRET_LEN} characters"
        )));
    }
    Ok(())
}

fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'));
    if !ok {
        return Err(StoreError::Auth(format!(
            "invalid user name '{name}': use 1 to 64 letters, digits, '-', '_', '.' or '@'"
        )));
    }
    Ok(())
}

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl Store {
    pub fn user_count(&self) -> Result<u64> {
        let count: i64 = self.conn.query_row("SELECT count(*) FROM users", [], |row| row.get(0))?;
        Ok(count as u64)
    }

    pub fn users(&self) -> Result<Vec<User>> {
        let mut stmt = self.conn.prepare("SELECT name, role, active FROM users ORDER BY name")?;
        let rows = stmt.query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, bool>(2)?))
        })?;
        let mut users = Vec::new();
        for row in rows {
            let (name, role, active) = row?;
            users.push(User { name, role: parse_role(&role)?, active });
        }
        Ok(users)
    }

    /// Adds a user. The first user of a database needs no creator and must be an admin; after
    /// that only an admin may add users.
    pub fn add_user(
        &mut self,
        name: &str,
        role: Role,
        secret: &str,
        creator: Option<&User>,
        workstation: &str,
    ) -> Result<User> {
        check_name(name)?;
        check_secret_shape(secret)?;
        let hash = hash_secret(secret)?;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let existing: i64 = tx.query_row("SELECT count(*) FROM users", [], |row| row.get(0))?;
        let actor = match (existing, creator) {
            // The first user must be able to add the others (only an admin may, per core's
            // policy); otherwise nobody could ever add a user again.
            (0, _) if !may(role, Action::UserAdd) => {
                return Err(StoreError::Auth("the first user must be an admin".into()));
            }
            (0, _) => format!("bootstrap:{name}"),
            (_, None) => {
                return Err(StoreError::Auth("adding a user needs --user with the admin role".into()));
            }
            (_, Some(c)) if !may(c.role, Action::UserAdd) => return Err(refusal(c, Action::UserAdd)),
            (_, Some(c)) => c.name.clone(),
        };
        let taken = tx
            .prepare_cached("SELECT 1 FROM users WHERE name = ?1")?
            .query_row([name], |_| Ok(()))
            .optional()?;
        if taken.is_some() {
            return Err(StoreError::Auth(format!("user '{name}' already exists")));
        }
        tx.execute(
            "INSERT INTO users (name, role, pin_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![name, role.as_str(), hash, stamp(Utc::now())],
        )?;
        audit_in(&tx, &actor, workstation, "user.add", name, role.as_str())?;
        tx.commit()?;
        Ok(User { name: name.into(), role, active: true })
    }

    /// Checks a user's PIN at `now`. Wrong PINs count towards a lockout, and the count is
    /// committed even though the sign-in fails: a crash or retry must not reset it.
    pub fn authenticate(
        &mut self,
        name: &str,
        secret: &str,
        workstation: &str,
        now: DateTime<Utc>,
    ) -> Result<User> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let row: Option<(String, String, u32, u32, Option<String>, bool)> = tx
            .prepare_cached("SELECT role, pin_hash, failed_attempts, lockouts, locked_until, active FROM users WHERE name = ?1")?
            .query_row([name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
            .optional()?;
        // The same message for an unknown user and a wrong PIN: no hint which names exist.
        let Some((role, pin_hash, failed, lockouts, locked_until, active)) = row else {
            return Err(StoreError::WrongPin(name.into()));
        };
        if !active {
            return Err(StoreError::Deactivated(name.into()));
        }
        let until = locked_until.as_deref().and_then(|t| DateTime::parse_from_rfc3339(t).ok());
        if let Some(until) = until
            && until > now
        {
            return Err(StoreError::LockedOut { user: name.into(), until: stamp(until.with_timezone(&Utc)) });
        }
        // Lockouts decay: one that ended a quiet period ago no longer doubles the next.
        let lockouts = match until {
            Some(until) if now - until.with_timezone(&Utc) > Duration::seconds(Lockout::QUIET_SECS) => 0,
            _ => lockouts,
        };
        let parsed = PasswordHash::new(&pin_hash)
            .map_err(|e| StoreError::Auth(format!("stored hash unreadable: {e}")))?;
        if hasher().verify_password(secret.as_bytes(), &parsed).is_ok() {
            tx.execute("UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE name = ?1", [name])?;
            tx.commit()?;
            return Ok(User { name: name.into(), role: parse_role(&role)?, active });
        }
        let failed = failed + 1;
        if failed >= Lockout::FAILURES_PER_LOCKOUT {
            let lockouts = lockouts + 1;
            let until = now + Duration::seconds(Lockout::duration_secs(lockouts));
            tx.execute(
                "UPDATE users SET failed_attempts = 0, lockouts = ?2, locked_until = ?3 WHERE name = ?1",
                params![name, lockouts, stamp(until)],
            )?;
            audit_in(&tx, name, workstation, "user.lockout", name, &stamp(until))?;
            tx.commit()?;
            return Err(StoreError::LockedOut { user: name.into(), until: stamp(until) });
        }
        tx.execute("UPDATE users SET failed_attempts = ?2 WHERE name = ?1", params![name, failed])?;
        tx.commit()?;
        Err(StoreError::WrongPin(name.into()))
    }
}

impl Store {
    /// Changes a user's PIN: their own, or anyone's as an admin. Clears any lockout.
    pub fn change_pin(&mut self, name: &str, secret: &str, by: &User, workstation: &str) -> Result<()> {
        if by.name != name {
            require(by, Action::UserResetPin)?;
        }
        check_secret_shape(secret)?;
        let hash = hash_secret(secret)?;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let changed = tx.execute(
            "UPDATE users SET pin_hash = ?2, failed_attempts = 0, locked_until = NULL WHERE name = ?1",
            params![name, hash],
        )?;
        if changed == 0 {
            return Err(StoreError::Auth(format!("unknown user '{name}'")));
        }
        audit_in(&tx, &by.name, workstation, "user.passwd", name, "")?;
        tx.commit()?;
        Ok(())
    }
}

impl Store {
    /// Clears a user's lockout and failed PINs (an admin's, audited).
    pub fn unlock_user(&mut self, name: &str, by: &User, workstation: &str) -> Result<()> {
        require(by, Action::UserUnlock)?;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let changed = tx.execute(
            "UPDATE users SET failed_attempts = 0, lockouts = 0, locked_until = NULL WHERE name = ?1",
            [name],
        )?;
        if changed == 0 {
            return Err(StoreError::Auth(format!("unknown user '{name}'")));
        }
        audit_in(&tx, &by.name, workstation, "user.unlock", name, "")?;
        tx.commit()?;
        Ok(())
    }

    /// Deactivates a user (they can no longer sign in; their name stays in the record) or
    /// activates them again: an admin's, audited. Nobody deactivates themselves, so the last
    /// admin cannot lock everyone out of user management.
    pub fn set_user_active(&mut self, name: &str, active: bool, by: &User, workstation: &str) -> Result<()> {
        require(by, Action::UserDeactivate)?;
        if !active && by.name == name {
            return Err(StoreError::Auth(format!("'{name}' cannot deactivate themselves")));
        }
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let changed = tx.execute("UPDATE users SET active = ?2 WHERE name = ?1", params![name, active])?;
        if changed == 0 {
            return Err(StoreError::Auth(format!("unknown user '{name}'")));
        }
        let what = if active { "user.activate" } else { "user.deactivate" };
        audit_in(&tx, &by.name, workstation, what, name, "")?;
        tx.commit()?;
        Ok(())
    }
}

pub fn forbidden(user: &User, action: &str) -> StoreError {
    StoreError::Forbidden { user: user.name.clone(), role: user.role, action: action.into() }
}

/// The refusal of `action` to `user`, in the policy's words.
pub fn refusal(user: &User, action: Action) -> StoreError {
    forbidden(user, action.describe())
}

/// Refuses unless the role policy (`shelfsync_core::may`) lets `user` do `action`.
pub fn require(user: &User, action: Action) -> Result<()> {
    if may(user.role, action) { Ok(()) } else { Err(refusal(user, action)) }
}

fn parse_role(raw: &str) -> Result<Role> {
    Role::parse(raw).ok_or_else(|| StoreError::Auth(format!("unknown role '{raw}' in the database")))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, 8, 0, 0).unwrap()
    }

    /// Five wrong PINs at `at`: the lockout's length in seconds.
    fn lock_out(store: &mut Store, at: DateTime<Utc>) -> i64 {
        for _ in 1..Lockout::FAILURES_PER_LOCKOUT {
            assert!(matches!(store.authenticate("cat", "0000", "ws", at), Err(StoreError::WrongPin(_))));
        }
        let Err(StoreError::LockedOut { until, .. }) = store.authenticate("cat", "0000", "ws", at) else {
            panic!("the fifth wrong PIN locks out");
        };
        (DateTime::parse_from_rfc3339(&until).unwrap().with_timezone(&Utc) - at).num_seconds()
    }

    fn store_with_users(dir: &tempfile::TempDir) -> (Store, User) {
        let mut store = Store::open(dir.path().join("users.db")).unwrap();
        let ada = store.add_user("ada", Role::Admin, "2468", None, "ws").unwrap();
        store.add_user("sam", Role::Supervisor, "1357", Some(&ada), "ws").unwrap();
        store.add_user("cat", Role::Staff, "1122", Some(&ada), "ws").unwrap();
        (store, ada)
    }

    #[test]
    fn a_lockout_is_forgotten_after_a_quiet_week_and_not_before() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, _) = store_with_users(&dir);
        let first = lock_out(&mut store, t0());
        assert_eq!(first, Lockout::duration_secs(1));
        // (seconds after the lockout ended, the next lockout's length)
        let cases = [(60, Lockout::duration_secs(2)), (Lockout::QUIET_SECS + 1, Lockout::duration_secs(1))];
        let mut ended = t0() + Duration::seconds(first);
        for (quiet, want) in cases {
            let at = ended + Duration::seconds(quiet);
            let got = lock_out(&mut store, at);
            assert_eq!(got, want, "{quiet} s after the last lockout");
            ended = at + Duration::seconds(got);
        }
    }

    #[test]
    fn admins_unlock_and_deactivate_users_and_others_may_not() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, ada) = store_with_users(&dir);
        let sam = User { name: "sam".into(), role: Role::Supervisor, active: true };
        lock_out(&mut store, t0());
        let refused = store.unlock_user("cat", &sam, "ws").unwrap_err();
        assert_eq!(refused.to_string(), "user 'sam' (supervisor) may not unlock users");
        assert!(matches!(store.authenticate("cat", "1122", "ws", t0()), Err(StoreError::LockedOut { .. })));
        store.unlock_user("cat", &ada, "ws").unwrap();
        store.authenticate("cat", "1122", "ws", t0()).unwrap();

        let refused = store.set_user_active("cat", false, &sam, "ws").unwrap_err();
        assert_eq!(refused.to_string(), "user 'sam' (supervisor) may not deactivate users");
        let own = store.set_user_active("ada", false, &ada, "ws").unwrap_err();
        assert!(own.to_string().contains("cannot deactivate themselves"), "{own}");
        store.set_user_active("cat", false, &ada, "ws").unwrap();
        let error = store.authenticate("cat", "1122", "ws", t0()).unwrap_err();
        assert!(matches!(&error, StoreError::Deactivated(name) if name == "cat"), "{error:?}");
        assert_eq!(error.to_string(), "user 'cat' is deactivated");
        store.set_user_active("cat", true, &ada, "ws").unwrap();
        store.authenticate("cat", "1122", "ws", t0()).unwrap();
        assert!(store.unlock_user("nobody", &ada, "ws").unwrap_err().to_string().contains("unknown user"));

        let audited: i64 = store
            .connection()
            .query_row(
                "SELECT count(*) FROM audit WHERE action IN ('user.unlock', 'user.deactivate', 'user.activate')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(audited, 3, "every change is in the audit chain");
        assert!(store.verify_audit().unwrap().first_break.is_none());
    }
}
