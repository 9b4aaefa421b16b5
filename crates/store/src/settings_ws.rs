//! Per-workstation settings: one row per (workstation, key). The store keeps them and audits
//! each change; what a key means and which values it takes is the app's business (the app
//! validates before calling [`Store::set_workstation_setting`]), so the store stays free of
//! device and UI knowledge.

use rusqlite::{TransactionBehavior, params};

use crate::audit::audit_in;
use crate::{Result, Store, User};

/// One saved setting of one workstation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkstationSetting {
    pub key: String,
    pub value: String,
    pub updated_at: String,
    pub updated_by: String,
}

impl Store {
    /// Every saved setting of `workstation`, by key.
    pub fn workstation_settings(&self, workstation: &str) -> Result<Vec<WorkstationSetting>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT key, value, updated_at, updated_by FROM workstation_settings
             WHERE workstation = ?1 ORDER BY key",
        )?;
        let rows = statement.query_map([workstation], |row| {
            Ok(WorkstationSetting {
                key: row.get(0)?,
                value: row.get(1)?,
                updated_at: row.get(2)?,
                updated_by: row.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Saves one setting (already validated by the caller) and its audit entry in one
    /// transaction: either both are written or neither.
    pub fn set_workstation_setting(
        &mut self,
        workstation: &str,
        key: &str,
        value: &str,
        by: &User,
    ) -> Result<()> {
        let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO workstation_settings (workstation, key, value, updated_at, updated_by)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (workstation, key) DO UPDATE
             SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            params![workstation, key, value, at, by.name],
        )?;
        audit_in(&tx, &by.name, workstation, "workstation.setting", key, value)?;
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use shelfsync_core::Role;

    use super::*;

    #[test]
    fn settings_are_per_workstation_and_audited() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("s.db")).unwrap();
        let admin = User { name: "admin".into(), role: Role::Admin, active: true };
        store.set_workstation_setting("ws1", "serial_baud", "19200", &admin).unwrap();
        store.set_workstation_setting("ws1", "serial_baud", "115200", &admin).unwrap();
        store.set_workstation_setting("ws2", "serial_baud", "4800", &admin).unwrap();
        let ws1 = store.workstation_settings("ws1").unwrap();
        assert_eq!(ws1.len(), 1);
        assert_eq!(
            (ws1[0].key.as_str(), ws1[0].value.as_str(), ws1[0].updated_by.as_str()),
            ("serial_baud", "115200", "admin")
        );
        assert_eq!(store.workstation_settings("ws2").unwrap()[0].value, "4800");
        assert!(store.workstation_settings("ws3").unwrap().is_empty());
        let audited: i64 = store
            .connection()
            .query_row("SELECT count(*) FROM audit WHERE action = 'workstation.setting'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(audited, 3);
        assert!(store.verify_audit().unwrap().first_break.is_none());
    }
}
