//! What each command needs before it runs, in one table: nothing (it only reads), the
//! service's identity, or a verified user whose role the policy (`shelfsync_core::may`) lets
//! do each of its actions. `main` asks this before dispatching, so no command module keeps a
//! role rule of its own, and a refused command has opened nothing for writing.
//!
//! The match is exhaustive over the clap forms: a new command does not build until it says
//! what it needs here.

use shelfsync_core::Action;

use crate::args::AuditCommand;
use crate::args::ReportCommand;
use crate::args::{
    ApprovalsCommand, Command, CountCommand, DebugCommand, EventExtra, ImportKind, PlanCommand, Qty,
    TransferPhase, UserCommand,
};
use crate::capture_args::{AlertsCommand, DriftCommand, IncidentsCommand, OrdersCommand, WebhookCommand};
use crate::kit_cmd::KitCommand;
use crate::pack_cmd::PackCommand;
use crate::sync_args::{ChannelCommand, DlqCommand, FlashSaleCommand, SyncCommand};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Access {
    /// Reads only (or touches no database): anyone. A named user is still verified.
    Open,
    /// The live service: acts as `service:<workstation>`, carrying channel data and applying
    /// the rules an admin set; no user, no PIN.
    Service,
    /// Changes something: once the database has users, a verified user whose role allows
    /// every action listed (none listed: any verified user).
    Needs(Vec<Action>),
    /// Checked by the command's own module (the hub's, which another module owns).
    Delegated,
}

fn movement(action: Action, extra: &EventExtra) -> Access {
    if extra.override_negative {
        Access::Needs(vec![action, Action::OverrideNegative])
    } else {
        Access::Needs(vec![action])
    }
}

fn qty(action: Action, q: &Qty) -> Access {
    movement(action, &q.extra)
}

pub fn access_of(command: &Command) -> Access {
    use Access::{Delegated, Needs, Open, Service};
    match command {
        Command::Init => Open,
        Command::Demo { .. } => Needs(vec![Action::LoadDemo]),
        Command::Import(ImportKind::Items { .. }) => Needs(vec![Action::ImportItems]),
        Command::Import(ImportKind::Locations { .. }) => Needs(vec![Action::ImportLocations]),
        Command::Import(ImportKind::Stock { .. }) => Needs(vec![Action::ImportStock]),
        Command::Import(ImportKind::Kits { .. }) => Needs(vec![Action::KitEdit]),
        // Packs are item master data: who may import items may load and remove them.
        Command::Import(ImportKind::Packs { .. }) => Needs(vec![Action::ImportItems]),
        Command::Pack(PackCommand::List { .. }) => Open,
        Command::Pack(PackCommand::Remove { .. }) => Needs(vec![Action::ImportItems]),
        Command::Kit(KitCommand::Show { .. }) => Open,
        // Labels read the item or locations and write a file or to a printer: nothing changes.
        Command::Label(_) => Open,
        Command::Kit(KitCommand::Set { .. } | KitCommand::Remove { .. }) => Needs(vec![Action::KitEdit]),
        Command::Export(_) => Open,
        Command::Receive(q) => qty(Action::Receive, q),
        Command::Adjust { extra, .. } => movement(Action::Adjust, extra),
        Command::Damage(q) => qty(Action::Damage, q),
        Command::WriteOff { qty: q, .. } => qty(Action::WriteOff, q),
        Command::Sale(q) => qty(Action::Sale, q),
        Command::Fulfil(q) => qty(Action::Fulfil, q),
        Command::Cancel(q) => qty(Action::Cancel, q),
        Command::Return { qty: q, .. } => qty(Action::Return, q),
        Command::Reserve(q) => qty(Action::Reserve, q),
        Command::Release(q) => qty(Action::Release, q),
        Command::Transfer {
            phase: Some(TransferPhase::Ship { .. } | TransferPhase::Receive { .. }), ..
        }
        | Command::Transfer { phase: None, .. } => Needs(vec![Action::Transfer]),
        Command::Reverse { .. } => Needs(vec![Action::Reverse]),
        // Who did what, to which item and when: supervisors and admins (verify stays open).
        Command::Audit(AuditCommand::List(_)) => Needs(vec![Action::AuditView]),
        Command::Stock { .. } | Command::Events { .. } | Command::Audit(_) | Command::Check => Open,
        Command::Scan(_) => Open,
        Command::Tolerance(_) => Needs(vec![Action::ToleranceSet]),
        Command::Count(count) => match count {
            CountCommand::Start { .. } => Needs(vec![Action::CountStart]),
            CountCommand::Scan { .. } => Needs(vec![Action::CountScan]),
            CountCommand::Submit { .. } => Needs(vec![Action::CountSubmit]),
            CountCommand::Pause { .. } | CountCommand::Resume { .. } => Needs(vec![Action::CountPause]),
            CountCommand::Plan(PlanCommand::Due { generate: true, .. }) => Needs(vec![Action::CountGenerate]),
            // Lists what is due; the store wants a user to name, so any verified one.
            CountCommand::Plan(PlanCommand::Due { generate: false, .. }) => Needs(vec![]),
            // A blind count shows its expected quantities only to a verified user who may see them.
            CountCommand::Show { .. } => Open,
        },
        Command::Approvals(ApprovalsCommand::List) => Needs(vec![Action::ApprovalsView]),
        Command::Approvals(
            ApprovalsCommand::Approve { .. }
            | ApprovalsCommand::Reject { .. }
            | ApprovalsCommand::Recount { .. },
        ) => Needs(vec![Action::ApprovalsDecide]),
        // The pack a supervisor signs shows every expected quantity, blind counts' too.
        Command::Report(ReportCommand::CountPack { .. }) => Needs(vec![Action::ApprovalsView]),
        Command::Report(_) => Open,
        Command::Settings(_) => Needs(vec![Action::SettingSet]),
        Command::User(UserCommand::Add { .. }) => Needs(vec![Action::UserAdd]),
        Command::User(UserCommand::List) => Open,
        // One's own PIN, or anyone's with UserResetPin: the store checks which.
        Command::User(UserCommand::Passwd { .. }) => Needs(vec![]),
        Command::User(UserCommand::Unlock { .. }) => Needs(vec![Action::UserUnlock]),
        Command::User(UserCommand::Deactivate { .. } | UserCommand::Activate { .. }) => {
            Needs(vec![Action::UserDeactivate])
        }
        Command::Channel(channel) => match channel {
            ChannelCommand::Add { .. } => Needs(vec![Action::ChannelAdd]),
            ChannelCommand::List => Open,
            ChannelCommand::Notifications { .. } => Needs(vec![Action::ChannelNotifications]),
            // As in the app: testing and linking use the channel's secrets.
            ChannelCommand::Test { .. } => Needs(vec![Action::ChannelTest]),
            ChannelCommand::Link { .. }
            | ChannelCommand::Map { .. }
            | ChannelCommand::ImportMappings { .. } => Needs(vec![Action::ChannelLink]),
            ChannelCommand::Rule { .. } => Needs(vec![Action::ChannelRule]),
        },
        Command::Sync(sync) => match sync {
            SyncCommand::Run { .. } => Service,
            SyncCommand::Status | SyncCommand::Explain { .. } | SyncCommand::Dlq(DlqCommand::List) => Open,
            SyncCommand::Dlq(DlqCommand::Retry { .. }) => Needs(vec![Action::DeadLetterRetry]),
            SyncCommand::FlashSale(FlashSaleCommand::Show | FlashSaleCommand::DryRun { .. }) => Open,
            SyncCommand::FlashSale(FlashSaleCommand::On { .. } | FlashSaleCommand::Off) => {
                Needs(vec![Action::SettingSet, Action::ChannelRule])
            }
        },
        Command::Sim(_) => Open,
        Command::Serve(_) | Command::Webhook(WebhookCommand::Serve(_)) => Service,
        Command::Orders(orders) => match orders {
            OrdersCommand::Poll { .. } | OrdersCommand::Listen { .. } => Service,
            OrdersCommand::CaptureRate { .. } => Open,
        },
        Command::Reconcile(args) if args.dry_run => Open,
        Command::Reconcile(_) => Needs(vec![Action::Reconcile]),
        Command::Drift(drift) => match drift {
            DriftCommand::Report { .. } => Needs(vec![Action::DriftAudit]),
            DriftCommand::History { .. } | DriftCommand::Show { .. } => Open,
        },
        Command::Alerts(alerts) => match alerts {
            // Listing first evaluates the rules an admin set, as the service does every minute:
            // it records what the data already says, in nobody's name.
            AlertsCommand::List { .. }
            | AlertsCommand::Thresholds
            | AlertsCommand::Contacts { .. }
            | AlertsCommand::Targets => Open,
            AlertsCommand::Ack { .. } => Needs(vec![Action::AlertAck]),
            AlertsCommand::Threshold { .. } => Needs(vec![Action::AlertThresholdSet]),
            AlertsCommand::TargetAdd { .. } | AlertsCommand::Smtp { .. } => {
                Needs(vec![Action::AlertContacts])
            }
            AlertsCommand::Deliver => Needs(vec![Action::AlertDeliver]),
            AlertsCommand::Hours { zone: None, days, reset: false, .. } if days.is_empty() => Open,
            AlertsCommand::Hours { .. }
            | AlertsCommand::PeakAdd { .. }
            | AlertsCommand::PeakRemove { .. } => Needs(vec![Action::BusinessHoursSet]),
        },
        Command::Incidents(incidents) => match incidents {
            IncidentsCommand::List { .. }
            | IncidentsCommand::Show { .. }
            | IncidentsCommand::Report { .. } => Open,
            IncidentsCommand::Resolve { .. } => Needs(vec![Action::IncidentResolve]),
        },
        Command::Health => Open,
        Command::Hub(_) => Delegated,
        // Scenarios run in their own temporary ledgers; --db is never touched.
        Command::Bench(_) => Open,
        // Tracking is item master data: who may import items may set it.
        Command::Item(crate::lot_cmd::ItemCommand::Set { .. }) => Needs(vec![Action::ImportItems]),
        Command::Lots(crate::lot_cmd::LotsCommand::Suggest { .. }) | Command::Expiring(_) => Open,
        // The expiry job run by hand books damage (reason `expired`) in the user's name.
        Command::Lots(crate::lot_cmd::LotsCommand::Expire { .. }) => Needs(vec![Action::Damage]),
        // The crash tests' writer: items, locations and movements.
        Command::Debug(DebugCommand::AppendScript { .. }) => Needs(vec![
            Action::ImportItems,
            Action::ImportLocations,
            Action::Receive,
            Action::Transfer,
            Action::Sale,
        ]),
    }
}
