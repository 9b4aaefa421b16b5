use std::fmt;

use serde::{Deserialize, Serialize};

/// A user's role, ordered by power (staff < supervisor < admin). What each role may do is the
/// policy's (`crate::may`), checked in the engine, never only in a UI: `Role` itself answers
/// no permission question, so no caller can keep a rule of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Staff,
    Supervisor,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Staff => "staff",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(raw: &str) -> Option<Role> {
        [Role::Staff, Role::Supervisor, Role::Admin].into_iter().find(|r| r.as_str() == raw)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Sign-in throttling: a 4-6 digit PIN space is tiny, so after `FAILURES_PER_LOCKOUT` wrong
/// PINs the user is locked out, for `FIRST_LOCKOUT_SECS` and twice as long each time after,
/// up to `MAX_LOCKOUT_SECS`.
pub struct Lockout;

impl Lockout {
    pub const FAILURES_PER_LOCKOUT: u32 = 5;
    pub const FIRST_LOCKOUT_SECS: i64 = 5 * 60;
    /// A day: long enough to stop guessing, short enough that a forgotten supervisor reset
    /// does not strand a worker for a week.
    pub const MAX_LOCKOUT_SECS: i64 = 24 * 60 * 60;
    /// A lockout that ended this long ago is forgotten: the next one starts short again. A
    /// week: a guesser who waits it out gets five tries a week, a worker who mistyped last
    /// month does not pay for it today.
    pub const QUIET_SECS: i64 = 7 * 24 * 60 * 60;

    /// Seconds of lockout for the n-th lockout (1-based).
    pub fn duration_secs(lockout_number: u32) -> i64 {
        let doublings = lockout_number.saturating_sub(1).min(20);
        (Self::FIRST_LOCKOUT_SECS << doublings).min(Self::MAX_LOCKOUT_SECS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockout_doubles_to_a_cap() {
        let cases = [(1, 300), (2, 600), (3, 1200), (9, 76_800), (10, 86_400), (60, 86_400)];
        for (n, secs) in cases {
            assert_eq!(Lockout::duration_secs(n), secs, "lockout {n}");
        }
    }

    #[test]
    fn roles_order_by_power() {
        assert!(Role::Staff < Role::Supervisor && Role::Supervisor < Role::Admin);
        assert_eq!(Role::parse("admin"), Some(Role::Admin));
        assert_eq!(Role::parse("root"), None);
    }
}
