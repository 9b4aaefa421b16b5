//! Who may do what: the one role policy. The app's commands, the CLI's commands and the
//! store's own checks all ask [`may`]; none of them keeps a rule of its own, so the app and
//! the CLI cannot disagree about a role.
//!
//! The policy is a minimum role per action (roles are ordered staff < supervisor < admin, and
//! each may do what the role below it may). Pure: no I/O, no clock.
//!
//! Not in here, because they are not about a role: "a supervisor may not decide a count they
//! took part in", "nobody approves their own request" and "a loss above the approval value
//! waits for a supervisor other than its requester, whatever the requester's role" (the store
//! checks them against the record), and the service (`serve`, `sync run`, ...), which is no user and acts only as
//! `service:<workstation>` on channel data and the rules an admin set.

use crate::Role;

/// Everything a person can ask ShelfSync to do that not everyone may.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    // Stock movements, by kind.
    Receive,
    Damage,
    WriteOff,
    Sale,
    Fulfil,
    Cancel,
    Return,
    Reserve,
    Release,
    Transfer,
    Adjust,
    /// Undo a recorded event with its opposite. Supervisors: reversing a receipt is a
    /// write-off that would skip the approval threshold.
    Reverse,
    /// Let a bucket go negative.
    OverrideNegative,
    // Imports, by kind, and master data.
    ImportItems,
    ImportLocations,
    ImportStock,
    AddLocation,
    LoadDemo,
    /// Define, change or remove a kit (its components and their quantities).
    KitEdit,
    // Counts.
    CountStart,
    CountScan,
    CountSubmit,
    CountPause,
    CountGenerate,
    /// See a blind count's expected quantities.
    CountSeeExpected,
    // Approvals, tolerances, settings.
    ApprovalsView,
    ApprovalsDecide,
    ToleranceView,
    ToleranceSet,
    SettingSet,
    // Channels and sync.
    ChannelView,
    ChannelAdd,
    ChannelRule,
    ChannelLink,
    ChannelTest,
    ChannelNotifications,
    DeadLetterRetry,
    Repush,
    // Monitoring.
    AlertAck,
    AlertThresholdView,
    AlertThresholdSet,
    /// The warehouse's business hours (zone, weekday hours) and peak days: the playbook's
    /// calendar, a supervisor's (a flash sale is planned on the floor, not by IT).
    BusinessHoursSet,
    AlertContacts,
    AlertDeliver,
    IncidentResolve,
    Reconcile,
    DriftAudit,
    /// Read the audit chain (the viewer and `audit list`): who did what, to which item, when.
    AuditView,
    // The hub.
    HubConnect,
    HubCredentials,
    // Users.
    UserList,
    UserAdd,
    UserResetPin,
    UserUnlock,
    UserDeactivate,
    // This workstation.
    ScannerRestart,
    DiagnosticsSave,
    WorkstationSettingsView,
    WorkstationSettingSet,
}

impl Action {
    /// Every action, for tables that must cover them all.
    pub const ALL: [Action; 59] = [
        Action::Receive,
        Action::Damage,
        Action::WriteOff,
        Action::Sale,
        Action::Fulfil,
        Action::Cancel,
        Action::Return,
        Action::Reserve,
        Action::Release,
        Action::Transfer,
        Action::Adjust,
        Action::Reverse,
        Action::OverrideNegative,
        Action::ImportItems,
        Action::ImportLocations,
        Action::ImportStock,
        Action::AddLocation,
        Action::LoadDemo,
        Action::KitEdit,
        Action::CountStart,
        Action::CountScan,
        Action::CountSubmit,
        Action::CountPause,
        Action::CountGenerate,
        Action::CountSeeExpected,
        Action::ApprovalsView,
        Action::ApprovalsDecide,
        Action::ToleranceView,
        Action::ToleranceSet,
        Action::SettingSet,
        Action::ChannelView,
        Action::ChannelAdd,
        Action::ChannelRule,
        Action::ChannelLink,
        Action::ChannelTest,
        Action::ChannelNotifications,
        Action::DeadLetterRetry,
        Action::Repush,
        Action::AlertAck,
        Action::AlertThresholdView,
        Action::AlertThresholdSet,
        Action::BusinessHoursSet,
        Action::AlertContacts,
        Action::AlertDeliver,
        Action::IncidentResolve,
        Action::Reconcile,
        Action::DriftAudit,
        Action::AuditView,
        Action::HubConnect,
        Action::HubCredentials,
        Action::UserList,
        Action::UserAdd,
        Action::UserResetPin,
        Action::UserUnlock,
        Action::UserDeactivate,
        Action::ScannerRestart,
        Action::DiagnosticsSave,
        Action::WorkstationSettingsView,
        Action::WorkstationSettingSet,
    ];

    /// True for the actions that only look (a list, a view, expected quantities): checking
    /// them is not activity, so a screen that polls one does not keep an idle session open.
    pub const fn only_looks(self) -> bool {
        use Action::*;
        matches!(
            self,
            CountSeeExpected
                | ApprovalsView
                | ToleranceView
                | ChannelView
                | AlertThresholdView
                | UserList
                | WorkstationSettingsView
                | AuditView
        )
    }

    /// The least role that may do it.
    pub const fn least_role(self) -> Role {
        use Action::*;
        match self {
            // The floor's daily work: anyone signed in.
            Receive | Damage | WriteOff | Sale | Fulfil | Cancel | Return | Reserve | Release | Transfer
            | Adjust | CountStart | CountScan | CountSubmit | CountPause => Role::Staff,
            // Decisions about what the ledger should say, and the engine's recovery levers.
            Reverse
            | OverrideNegative
            | ImportStock
            | KitEdit
            | CountGenerate
            | CountSeeExpected
            | ApprovalsView
            | ApprovalsDecide
            | ToleranceView
            | ToleranceSet
            | SettingSet
            | ChannelView
            | DeadLetterRetry
            | Repush
            | AlertAck
            | AlertThresholdView
            | BusinessHoursSet
            | AlertDeliver
            | IncidentResolve
            | Reconcile
            | DriftAudit
            | AuditView
            | ScannerRestart
            | DiagnosticsSave
            | WorkstationSettingsView
            | WorkstationSettingSet => Role::Supervisor,
            // What the system is: its catalogue, channels, rules, hub and people.
            ImportItems | ImportLocations | AddLocation | LoadDemo | ChannelAdd | ChannelRule
            | ChannelLink | ChannelTest | ChannelNotifications | AlertThresholdSet | AlertContacts
            | HubConnect | HubCredentials | UserList | UserAdd | UserResetPin | UserUnlock
            | UserDeactivate => Role::Admin,
        }
    }

    /// The words after "may not" in a refusal: "user 'cat' (staff) may not retry dead letters".
    pub const fn describe(self) -> &'static str {
        use Action::*;
        match self {
            Receive => "receive stock",
            Damage => "mark stock damaged",
            WriteOff => "write off stock",
            Sale => "record a sale",
            Fulfil => "fulfil a sale",
            Cancel => "cancel a sale",
            Return => "take back a return",
            Reserve => "reserve stock",
            Release => "release reserved stock",
            Transfer => "transfer stock",
            Adjust => "adjust stock",
            Reverse => "reverse an event",
            OverrideNegative => "override a negative balance",
            ImportItems => "import items",
            ImportLocations => "import locations",
            ImportStock => "import stock",
            AddLocation => "add locations",
            LoadDemo => "load the demo catalogue",
            KitEdit => "change kit definitions",
            CountStart => "start a count",
            CountScan => "count",
            CountSubmit => "submit a count",
            CountPause => "pause or resume a count",
            CountGenerate => "generate planned counts",
            CountSeeExpected => "see a blind count's expected quantities",
            ApprovalsView => "see the approvals inbox",
            ApprovalsDecide => "decide approvals",
            ToleranceView => "see tolerances",
            ToleranceSet => "change tolerances",
            SettingSet => "change settings",
            ChannelView => "see channel settings",
            ChannelAdd => "add channels",
            ChannelRule => "change allocation rules",
            ChannelLink => "link channel listings",
            ChannelTest => "test channels",
            ChannelNotifications => "set up order notifications",
            DeadLetterRetry => "retry dead letters",
            Repush => "re-push a channel",
            AlertAck => "acknowledge alerts",
            AlertThresholdView => "see the alert thresholds",
            AlertThresholdSet => "change alert thresholds",
            BusinessHoursSet => "change business hours and peak days",
            AlertContacts => "change alert contacts",
            AlertDeliver => "deliver alerts",
            IncidentResolve => "resolve incidents",
            Reconcile => "run a reconciliation",
            DriftAudit => "run a drift audit",
            AuditView => "read the audit log",
            HubConnect => "connect to a hub",
            HubCredentials => "store hub credentials",
            UserList => "manage users",
            UserAdd => "add users",
            UserResetPin => "change another user's PIN",
            UserUnlock => "unlock users",
            UserDeactivate => "deactivate users",
            ScannerRestart => "restart the scanners",
            DiagnosticsSave => "save diagnostics",
            WorkstationSettingsView => "see this workstation's settings",
            WorkstationSettingSet => "change this workstation's settings",
        }
    }
}

/// Whether `role` may do `action`.
pub fn may(role: Role, action: Action) -> bool {
    role >= action.least_role()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;

    /// (action, staff, supervisor, admin): the policy written out as a reader checks it.
    const TABLE: &[(Action, bool, bool, bool)] = &[
        (Receive, true, true, true),
        (Damage, true, true, true),
        (WriteOff, true, true, true),
        (Sale, true, true, true),
        (Fulfil, true, true, true),
        (Cancel, true, true, true),
        (Return, true, true, true),
        (Reserve, true, true, true),
        (Release, true, true, true),
        (Transfer, true, true, true),
        (Adjust, true, true, true),
        (Reverse, false, true, true),
        (OverrideNegative, false, true, true),
        (ImportItems, false, false, true),
        (ImportLocations, false, false, true),
        (ImportStock, false, true, true),
        (AddLocation, false, false, true),
        (LoadDemo, false, false, true),
        (KitEdit, false, true, true),
        (CountStart, true, true, true),
        (CountScan, true, true, true),
        (CountSubmit, true, true, true),
        (CountPause, true, true, true),
        (CountGenerate, false, true, true),
        (CountSeeExpected, false, true, true),
        (ApprovalsView, false, true, true),
        (ApprovalsDecide, false, true, true),
        (ToleranceView, false, true, true),
        (ToleranceSet, false, true, true),
        (SettingSet, false, true, true),
        (ChannelView, false, true, true),
        (ChannelAdd, false, false, true),
        (ChannelRule, false, false, true),
        (ChannelLink, false, false, true),
        (ChannelTest, false, false, true),
        (ChannelNotifications, false, false, true),
        (DeadLetterRetry, false, true, true),
        (Repush, false, true, true),
        (AlertAck, false, true, true),
        (AlertThresholdView, false, true, true),
        (AlertThresholdSet, false, false, true),
        (BusinessHoursSet, false, true, true),
        (AlertContacts, false, false, true),
        (AlertDeliver, false, true, true),
        (IncidentResolve, false, true, true),
        (Reconcile, false, true, true),
        (DriftAudit, false, true, true),
        (AuditView, false, true, true),
        (HubConnect, false, false, true),
        (HubCredentials, false, false, true),
        (UserList, false, false, true),
        (UserAdd, false, false, true),
        (UserResetPin, false, false, true),
        (UserUnlock, false, false, true),
        (UserDeactivate, false, false, true),
        (ScannerRestart, false, true, true),
        (DiagnosticsSave, false, true, true),
        (WorkstationSettingsView, false, true, true),
        (WorkstationSettingSet, false, true, true),
    ];

    #[test]
    fn every_action_as_every_role_matches_the_table() {
        for &(action, staff, supervisor, admin) in TABLE {
            let got = (may(Role::Staff, action), may(Role::Supervisor, action), may(Role::Admin, action));
            assert_eq!(got, (staff, supervisor, admin), "{action:?}");
        }
    }

    #[test]
    fn the_table_and_all_cover_every_action_once() {
        let mut listed: Vec<Action> = TABLE.iter().map(|row| row.0).collect();
        listed.sort();
        let before = listed.len();
        listed.dedup();
        assert_eq!(listed.len(), before, "an action appears twice in the table");
        let mut all = Action::ALL.to_vec();
        all.sort();
        all.dedup();
        assert_eq!(listed, all, "the table and Action::ALL list different actions");
    }

    #[test]
    fn descriptions_are_distinct_and_read_after_may_not() {
        let mut seen = std::collections::BTreeSet::new();
        for action in Action::ALL {
            let words = action.describe();
            assert!(!words.is_empty() && words == words.trim() && !words.ends_with('.'), "{action:?}");
            assert!(seen.insert(words), "{action:?}: '{words}' describes another action too");
        }
    }

    #[test]
    fn a_higher_role_may_do_all_a_lower_one_may() {
        for action in Action::ALL {
            assert!(!may(Role::Staff, action) || may(Role::Supervisor, action), "{action:?}");
            assert!(!may(Role::Supervisor, action) || may(Role::Admin, action), "{action:?}");
        }
    }
}
