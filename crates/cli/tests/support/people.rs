//! The three people the audit and blind-count tests act as, and their adding.

use std::path::Path;
use std::process::Command;

/// (name, role, PIN): an admin, a supervisor and a staff member.
pub const PEOPLE: [(&str, &str, &str); 3] =
    [("ada", "admin", "1111"), ("sam", "supervisor", "2222"), ("stu", "staff", "3333")];

pub fn pin(user: &str) -> &'static str {
    PEOPLE.iter().find(|(u, _, _)| *u == user).map(|(_, _, p)| *p).unwrap()
}

/// Adds them to the database: the admin first, freely (no users yet), the others by her.
pub fn add_people(db: &Path) {
    for (name, role, new_pin) in PEOPLE {
        let mut command = Command::new(env!("CARGO_BIN_EXE_shelfsync"));
        command
            .arg("--db")
            .arg(db)
            .args(["user", "add", name, "--role", role])
            .env("SHELFSYNC_NEW_PIN", new_pin);
        if name != "ada" {
            command.args(["--user", "ada"]).env("SHELFSYNC_PIN", pin("ada"));
        }
        assert!(command.status().unwrap().success(), "add {name}");
    }
}
