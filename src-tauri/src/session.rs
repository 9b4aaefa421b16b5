//! Who is signed in at this workstation, held in Rust.
//!
//! The webview never says who the user is or what role they have: it asks to sign in with a
//! name and PIN, and from then on every command that acts reads the user from here. A session
//! locks after `idle` without activity; a locked session acts for nobody until the PIN is
//! entered again. Time is passed in (`now`) so the rules are tested without sleeping.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use shelfsync_store::User;

use crate::error::{AppError, Result};

/// Environment variable: seconds without activity before the session locks.
pub const IDLE_ENV: &str = "SHELFSYNC_IDLE_LOCK_SECS";
/// Default idle lock: five minutes, long enough to walk an aisle, short enough that a
/// workstation left behind does not keep acting for its last user.
pub const DEFAULT_IDLE: Duration = Duration::from_secs(5 * 60);
/// Shortest and longest idle lock accepted from the environment.
pub const MIN_IDLE: Duration = Duration::from_secs(10);
pub const MAX_IDLE: Duration = Duration::from_secs(12 * 60 * 60);

/// `$SHELFSYNC_IDLE_LOCK_SECS` within bounds, else the default (with a warning when invalid).
pub fn idle_from_env() -> Duration {
    match std::env::var(IDLE_ENV) {
        Err(_) => DEFAULT_IDLE,
        Ok(raw) => match raw.trim().parse::<u64>().map(Duration::from_secs) {
            Ok(d) if (MIN_IDLE..=MAX_IDLE).contains(&d) => d,
            _ => {
                tracing::warn!(
                    "ignoring {IDLE_ENV}={raw:?}: use {} to {} seconds",
                    MIN_IDLE.as_secs(),
                    MAX_IDLE.as_secs()
                );
                DEFAULT_IDLE
            }
        },
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

struct Signed {
    user: User,
    last_active: Instant,
    locked: bool,
}

/// The one session of this window.
pub struct Sessions {
    /// The idle lock in milliseconds: changed at once when a supervisor saves a new one.
    idle_ms: std::sync::atomic::AtomicU64,
    inner: Mutex<Option<Signed>>,
}

/// What the session looks like from outside, at one moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionState {
    SignedOut,
    Active(User),
    Locked(User),
}

impl Sessions {
    pub fn new(idle: Duration) -> Sessions {
        Sessions { idle_ms: std::sync::atomic::AtomicU64::new(millis(idle)), inner: Mutex::new(None) }
    }

    pub fn idle(&self) -> Duration {
        Duration::from_millis(self.idle_ms.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// A new idle lock, applied from the next check (the workstation settings).
    pub fn set_idle(&self, idle: Duration) {
        self.idle_ms.store(millis(idle), std::sync::atomic::Ordering::Relaxed);
    }

    /// Starts a session for a user the store has just authenticated. Replaces any other.
    pub fn start(&self, user: User, now: Instant) {
        *self.lock() = Some(Signed { user, last_active: now, locked: false });
    }

    pub fn end(&self) {
        *self.lock() = None;
    }

    /// Locks now, as the UI asks when it has seen no input for the idle time.
    pub fn lock_now(&self) {
        if let Some(signed) = self.lock().as_mut() {
            signed.locked = true;
        }
    }

    /// The state at `now`, locking the session first if it has been idle too long.
    pub fn state(&self, now: Instant) -> SessionState {
        let mut guard = self.lock();
        match guard.as_mut() {
            None => SessionState::SignedOut,
            Some(signed) => {
                if now.saturating_duration_since(signed.last_active) > self.idle() {
                    signed.locked = true;
                }
                if signed.locked {
                    SessionState::Locked(signed.user.clone())
                } else {
                    SessionState::Active(signed.user.clone())
                }
            }
        }
    }

    /// The signed-in, unlocked user, for a look (a screen's list, its polling): not activity,
    /// so a dashboard left open still locks after the idle time.
    pub fn user(&self, now: Instant) -> Result<User> {
        match self.state(now) {
            SessionState::SignedOut => Err(AppError::SignedOut),
            SessionState::Locked(_) => Err(AppError::Locked),
            SessionState::Active(user) => Ok(user),
        }
    }

    /// The user to act as: the signed-in, unlocked user, whose activity is refreshed (the
    /// user's own action: a scan, a commit, a decision).
    pub fn act(&self, now: Instant) -> Result<User> {
        let user = self.user(now)?;
        if let Some(signed) = self.lock().as_mut() {
            signed.last_active = now;
        }
        Ok(user)
    }

    /// Marks activity (a key press, a tap) without acting. A locked session stays locked.
    pub fn touch(&self, now: Instant) {
        let _ = self.act(now);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Signed>> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use shelfsync_core::Role;

    use super::*;

    fn staff() -> User {
        User { name: "staff".into(), role: Role::Staff, active: true }
    }

    #[test]
    fn signed_out_acts_for_nobody() {
        let sessions = Sessions::new(Duration::from_secs(60));
        assert!(matches!(sessions.user(Instant::now()), Err(AppError::SignedOut)));
        assert_eq!(sessions.state(Instant::now()), SessionState::SignedOut);
    }

    #[test]
    fn activity_keeps_a_session_open_and_idleness_locks_it() {
        let t0 = Instant::now();
        let s = |n| t0 + Duration::from_secs(n);
        let sessions = Sessions::new(Duration::from_secs(60));
        sessions.start(staff(), t0);
        assert_eq!(sessions.act(s(50)).unwrap(), staff());
        assert_eq!(sessions.act(s(100)).unwrap(), staff(), "activity at 50 s moved the deadline");
        sessions.touch(s(150));
        assert_eq!(sessions.state(s(200)), SessionState::Active(staff()));
        assert!(matches!(sessions.user(s(211)), Err(AppError::Locked)), "61 s idle");
        assert!(matches!(sessions.user(s(212)), Err(AppError::Locked)), "stays locked");
        assert_eq!(sessions.state(s(212)), SessionState::Locked(staff()));
        sessions.start(staff(), s(220));
        assert!(sessions.user(s(221)).is_ok(), "signing in again unlocks");
    }

    #[test]
    fn looking_is_not_activity() {
        let t0 = Instant::now();
        let s = |n| t0 + Duration::from_secs(n);
        let sessions = Sessions::new(Duration::from_secs(60));
        sessions.start(staff(), t0);
        // A dashboard polling every 10 s: each look answers, none moves the deadline.
        for n in (10..=60).step_by(10) {
            assert_eq!(sessions.user(s(n)).unwrap(), staff(), "a look at {n} s");
        }
        assert!(matches!(sessions.user(s(61)), Err(AppError::Locked)), "61 s after the last action");
        assert!(matches!(sessions.act(s(62)), Err(AppError::Locked)), "and acting is refused too");
    }

    #[test]
    fn lock_now_and_sign_out() {
        let t0 = Instant::now();
        let sessions = Sessions::new(Duration::from_secs(60));
        sessions.start(staff(), t0);
        sessions.lock_now();
        assert!(matches!(sessions.user(t0), Err(AppError::Locked)));
        sessions.end();
        assert!(matches!(sessions.user(t0), Err(AppError::SignedOut)));
    }
}
