//! The command-line surface. Forms listed in `shared/cli.md` are a contract: add, never change.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(name = "shelfsync", version, about = "Warehouse stock ledger and multi-channel inventory sync")]
pub struct Cli {
    #[command(flatten)]
    pub globals: Globals,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args)]
pub struct Globals {
    /// The database file [default: the user's data folder]
    #[arg(long, global = true, env = "SHELFSYNC_DB")]
    pub db: Option<PathBuf>,
    /// Machine-readable JSON on stdout
    #[arg(long, global = true)]
    pub json: bool,
    /// Who acts, believed only with the PIN, from SHELFSYNC_PIN or a prompt (never argv).
    /// Needed once the database has users, by every command that changes anything
    #[arg(long, global = true, env = "SHELFSYNC_USER")]
    pub user: Option<String>,
    /// This workstation's name [default: the host name]
    #[arg(long, global = true, env = "SHELFSYNC_WORKSTATION")]
    pub workstation: Option<String>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Create the database (or bring its schema up to date)
    Init,
    /// Load the demo catalogue: 1,000 SKUs, 3 locations, two weeks of sales
    Demo {
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
    /// Import master data or opening stock from CSV (all or nothing)
    #[command(subcommand)]
    Import(ImportKind),
    /// Export stock or events to CSV
    #[command(subcommand)]
    Export(ExportKind),
    /// Receive units into on_hand
    Receive(Qty),
    /// Correct on_hand by DELTA (may be negative); needs a reason
    Adjust {
        sku: String,
        #[arg(allow_negative_numbers = true)]
        delta: i64,
        #[arg(long)]
        location: String,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        extra: EventExtra,
    },
    /// Mark units damaged: they stay in on_hand (quarantined) and leave ATP
    Damage(Qty),
    /// Dispose of units, from damaged or from on_hand
    WriteOff {
        #[command(flatten)]
        qty: Qty,
        #[arg(long, value_enum, default_value = "on-hand")]
        from: WriteOffFrom,
    },
    /// Record a sale: committed += QTY
    Sale(Qty),
    /// Ship sold units: on_hand and committed both drop
    Fulfil(Qty),
    /// Cancel a sale before it ships: committed -= QTY
    Cancel(Qty),
    /// Take back returned units, to stock or to damaged
    Return {
        #[command(flatten)]
        qty: Qty,
        #[arg(long)]
        damaged: bool,
    },
    /// Hold units back from sale
    Reserve(Qty),
    /// Release held units
    Release(Qty),
    /// Move units between locations (one event, both legs), or ship/receive in two phases
    #[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
    Transfer {
        #[command(subcommand)]
        phase: Option<TransferPhase>,
        #[command(flatten)]
        args: Option<TransferArgs>,
    },
    /// Undo a mistaken event with a new event of opposite deltas that references it
    Reverse {
        event_id: String,
        #[arg(long)]
        reason: String,
    },
    /// Buckets and ATP per SKU and location
    Stock {
        sku: Option<String>,
        #[arg(long)]
        location: Option<String>,
    },
    /// The event history
    Events {
        #[arg(long)]
        sku: Option<String>,
        /// Only events that occurred at or after this RFC 3339 time
        #[arg(long)]
        since: Option<String>,
        #[arg(long)]
        limit: Option<usize>,
    },
    /// The audit chain
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Kits (bundles): a SKU made of other SKUs, with no stock of its own (`stock KIT` shows its ATP)
    #[command(subcommand)]
    Kit(crate::kit_cmd::KitCommand),
    /// Packs: a barcode that is QTY units of one item per scan (`import packs` loads them)
    #[command(subcommand)]
    Pack(crate::pack_cmd::PackCommand),
    /// Labels as ZPL or PDF: an item, a location, the scan station's command sheet
    #[command(subcommand)]
    Label(crate::label_cmd::LabelCommand),
    /// Projection equals rebuild, and PRAGMA integrity_check is ok
    Check,
    /// Scanners: parse scan data, list devices, listen to one
    #[command(subcommand)]
    Scan(ScanCommand),
    /// Set the count tolerance for a category, or the default (supervisor or admin)
    #[command(subcommand)]
    Tolerance(ToleranceCommand),
    /// Cycle counts: start, scan, submit, show
    #[command(subcommand)]
    Count(CountCommand),
    /// Count variances waiting for a supervisor
    #[command(subcommand)]
    Approvals(ApprovalsCommand),
    /// Count reports: variance per session, accuracy over time
    #[command(subcommand)]
    Report(ReportCommand),
    /// Change a setting (supervisor or admin): write_off_approval_value
    #[command(subcommand)]
    Settings(SettingsCommand),
    /// Users and roles
    #[command(subcommand)]
    User(UserCommand),
    /// Sales channels: add, list, map listings, allocation rules
    #[command(subcommand)]
    Channel(crate::sync_args::ChannelCommand),
    /// The sync engine: run, status, explain, dead letters
    #[command(subcommand)]
    Sync(crate::sync_args::SyncCommand),
    /// The channel simulator (Shopify GraphQL) on 127.0.0.1, until Ctrl-C
    Sim(crate::sync_args::SimArgs),
    /// The live service until SIGTERM or Ctrl-C: the sync engine, order polls, reconciliation,
    /// drift audits, FBA reads and alert rules while this process holds the sync lease (and a
    /// Shopify webhook receiver with --port)
    Serve(crate::capture_args::LiveServeArgs),
    /// Shopify webhook receiver (with order polling, reconciliation and alert schedules)
    #[command(subcommand)]
    Webhook(crate::capture_args::WebhookCommand),
    /// Order capture: poll channels for orders, webhook capture rate
    #[command(subcommand)]
    Orders(crate::capture_args::OrdersCommand),
    /// Compare channel quantities with ours, classify gaps, apply the conflict rule
    Reconcile(crate::capture_args::ReconcileArgs),
    /// Drift audits of the top SKUs by velocity
    #[command(subcommand)]
    Drift(crate::capture_args::DriftCommand),
    /// Alerts: list (after evaluating the rules), acknowledge, thresholds
    #[command(subcommand)]
    Alerts(crate::capture_args::AlertsCommand),
    /// Oversell incidents: list, show, resolve with a root cause, monthly report
    #[command(subcommand)]
    Incidents(crate::capture_args::IncidentsCommand),
    /// The shift-start health check per channel
    Health,
    /// Several workstations, one ledger: the shared PostgreSQL hub
    #[command(subcommand)]
    Hub(crate::hub_cmd::HubCommand),
    /// The guide's scenarios, ShelfSync beside periodic batch sync
    #[command(subcommand)]
    Bench(crate::bench_cmd::BenchCommand),
    /// Internal tools for tests
    #[command(subcommand, hide = true)]
    Debug(DebugCommand),
    /// Items: set an item's tracking (none, lot or serial)
    #[command(subcommand)]
    Item(crate::lot_cmd::ItemCommand),
    /// Lots: which to pick first (first expiry first out), run the expiry job once
    #[command(subcommand)]
    Lots(crate::lot_cmd::LotsCommand),
    /// Lots expiring within DAYS that still have sellable units
    Expiring(crate::lot_cmd::ExpiringArgs),
}

#[derive(Args, Clone)]
pub struct Qty {
    pub sku: String,
    #[arg(allow_negative_numbers = true)]
    pub qty: i64,
    #[arg(long)]
    pub location: String,
    #[arg(long)]
    pub reason: Option<String>,
    #[command(flatten)]
    pub extra: EventExtra,
}

#[derive(Args, Clone, Default)]
pub struct EventExtra {
    /// An external reference (order number, PO)
    #[arg(long)]
    pub reference: Option<String>,
    /// Let a bucket go negative; needs --user with the supervisor or admin role
    #[arg(long = "override")]
    pub override_negative: bool,
    #[command(flatten)]
    pub lot: crate::lot_cmd::LotArgs,
}

#[derive(Args)]
#[group(requires_all = ["sku", "qty", "from", "to"])]
pub struct TransferArgs {
    pub sku: Option<String>,
    #[arg(allow_negative_numbers = true)]
    pub qty: Option<i64>,
    #[arg(long)]
    pub from: Option<String>,
    #[arg(long)]
    pub to: Option<String>,
    #[arg(long)]
    pub reason: Option<String>,
    /// The lot (batch) of a lot-tracked item (fields, not a flattened group: this struct is optional)
    #[arg(long, conflicts_with = "serial")]
    pub lot: Option<String>,
    /// The lot's expiry date, YYYY-MM-DD
    #[arg(long)]
    pub expiry: Option<String>,
    /// The serial of a serial-tracked item (one unit)
    #[arg(long)]
    pub serial: Option<String>,
    /// A GS1 scan that carries the lot (10), expiry (17) or serial (21)
    #[arg(long)]
    pub scan: Option<String>,
}

#[derive(Subcommand)]
pub enum TransferPhase {
    /// Ship units: they leave FROM and are in transit to TO; prints the transfer id
    Ship {
        sku: String,
        #[arg(allow_negative_numbers = true)]
        qty: i64,
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        #[arg(long)]
        reason: Option<String>,
        #[command(flatten)]
        lot: crate::lot_cmd::LotArgs,
    },
    /// Receive a shipment; --qty less than shipped is a short receipt and needs --reason
    Receive {
        transfer_id: String,
        #[arg(long)]
        qty: Option<i64>,
        #[arg(long)]
        reason: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum WriteOffFrom {
    Damaged,
    #[value(name = "on_hand", alias = "on-hand")]
    OnHand,
}

#[derive(Subcommand)]
pub enum ImportKind {
    /// header: sku,name,unit_cost,category,safety_stock,barcodes ('|'-separated)
    Items { file: PathBuf },
    /// header: code,name[,parent]
    Locations { file: PathBuf },
    /// header: sku,location,qty (received into on_hand)
    Stock { file: PathBuf },
    /// header: kit,component,qty (each kit in the file gets exactly its rows as its definition)
    Kits { file: PathBuf },
    /// header: barcode,sku,qty (a scan of the barcode is qty units of the SKU)
    Packs { file: PathBuf },
}

#[derive(Subcommand)]
pub enum ExportKind {
    Stock { file: PathBuf },
    Events { file: PathBuf },
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Exit 0 when the chain is intact; otherwise name the first broken entry
    Verify,
    /// A page of the chain, newest first, filtered by who, item, kind and time (supervisor)
    List(crate::audit_cmd::AuditListArgs),
}

#[derive(Subcommand)]
pub enum DebugCommand {
    /// Append a scripted, deterministic run of events, printing each id after its commit.
    /// Restarting with the same seed replays the same ids (a retry), for crash tests.
    AppendScript {
        #[arg(long)]
        seed: u64,
        #[arg(long)]
        count: usize,
    },
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add a user; the PIN comes from SHELFSYNC_NEW_PIN (or a prompt). The first user needs
    /// no --user and must be an admin; after that --user must be an admin.
    Add {
        name: String,
        #[arg(long, value_enum)]
        role: RoleArg,
    },
    List,
    /// Change a PIN: your own, or anyone's as an admin; the new PIN comes from SHELFSYNC_NEW_PIN
    /// (`user reset-pin NAME` is the same command, the form cli.md names)
    #[command(alias = "reset-pin")]
    Passwd {
        name: String,
    },
    /// Clear a user's lockout and failed PINs (admins)
    Unlock {
        name: String,
    },
    /// Stop a user signing in; their name stays in the record (admins)
    Deactivate {
        name: String,
    },
    /// Let a deactivated user sign in again (admins)
    Activate {
        name: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Staff,
    Supervisor,
    Admin,
}

#[derive(Subcommand)]
pub enum ScanCommand {
    /// Parse one scan: DATA as text, or `-` for raw scanner bytes on stdin (AIM id, GS 0x1D)
    Parse { data: String },
    /// List HID and serial devices with their USB VID/PID
    Devices,
    /// Print one JSON line per scan from a device; keeps running across unplugging
    #[command(group = clap::ArgGroup::new("device").required(true).args(["serial", "hid"]))]
    Listen {
        #[arg(long)]
        serial: Option<String>,
        #[arg(long, default_value_t = 9600)]
        baud: u32,
        /// VID:PID in hex, e.g. 0c2e:0b61
        #[arg(long)]
        hid: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum ToleranceCommand {
    /// A variance is within tolerance when it is within every limit given
    Set {
        #[arg(long)]
        category: Option<String>,
        /// Absolute variance in units
        #[arg(long, allow_negative_numbers = true)]
        units: Option<i64>,
        /// Absolute variance as a percentage of the expected quantity
        #[arg(long, allow_negative_numbers = true)]
        percent: Option<f64>,
        /// Absolute variance value (units x unit cost)
        #[arg(long)]
        value: Option<String>,
        /// Post variances within tolerance on submit
        #[arg(long, value_enum, default_value = "on")]
        auto_post: OnOff,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum OnOff {
    On,
    Off,
}

#[derive(Subcommand)]
pub enum CountCommand {
    /// Open a count session over a location, a SKU list, a velocity class or the top N SKUs
    Start {
        #[arg(long)]
        location: String,
        #[arg(long = "sku")]
        skus: Vec<String>,
        /// Velocity class by units sold over 90 days: A, B or C
        #[arg(long)]
        class: Option<String>,
        /// The N fastest SKUs at the location
        #[arg(long)]
        top: Option<usize>,
        /// The counter never sees the system quantity
        #[arg(long)]
        blind: bool,
        /// Anything in scope not counted is counted as zero (after confirmation on submit)
        #[arg(long)]
        full: bool,
    },
    /// Count CODE (a SKU or any barcode of the item): QTY adds to the count, or sets it with --replace
    Scan {
        session: String,
        code: String,
        #[arg(allow_negative_numbers = true)]
        qty: i64,
        #[arg(long)]
        replace: bool,
        /// A tracked item's lot or serial counted (count each lot on its own)
        #[command(flatten)]
        lot: crate::lot_cmd::LotArgs,
    },
    /// Close counting and compute the variances
    Submit {
        session: String,
        /// In a full count, count everything not scanned as zero
        #[arg(long)]
        confirm_zero: bool,
    },
    Show {
        session: String,
    },
    /// Plans: the monthly full count and rolling cycle counts (A monthly, B quarterly, C twice a year)
    #[command(subcommand)]
    Plan(PlanCommand),
    Pause {
        session: String,
    },
    Resume {
        session: String,
    },
}

#[derive(Subcommand)]
pub enum ApprovalsCommand {
    List,
    /// Post the variance
    Approve {
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// Post nothing
    Reject {
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// Ask for a new count of the SKU; this line stays for the record
    Recount {
        id: String,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand)]
pub enum PlanCommand {
    /// The counts due now at a location; --generate opens their sessions (once per period)
    Due {
        #[arg(long)]
        location: String,
        #[arg(long)]
        generate: bool,
    },
}

#[derive(Subcommand)]
pub enum ReportCommand {
    /// Per line: counted, expected, variance in units and value, who counted, who approved
    Variance {
        session: String,
        #[arg(long)]
        csv: Option<PathBuf>,
    },
    /// Per month: share of lines within tolerance, net and absolute variance value
    Accuracy {
        #[arg(long)]
        csv: Option<PathBuf>,
    },
    /// The guide's Quick Reference measured here: each measure, its target, red flag and verdict
    Scorecard {
        /// The period, in days before --at (1 to 90; Amazon's cancellations are always 60 days)
        #[arg(long, default_value_t = 7)]
        days: u32,
        /// The end of the period (RFC 3339); now when absent
        #[arg(long)]
        at: Option<String>,
    },
    /// The count pack a supervisor signs, as PDF: one count session, or --month's full counts
    CountPack {
        /// The count session (or --month instead)
        #[arg(required_unless_present = "month", conflicts_with = "month")]
        session: Option<String>,
        /// Every full count started in this month (YYYY-MM, UTC)
        #[arg(long)]
        month: Option<String>,
        /// Where to write the PDF (nothing is written when the pack cannot be made)
        #[arg(long)]
        out: PathBuf,
    },
    /// Shrink (write-offs, on hand adjusted down, counts short, transfers short) by reason
    Shrink {
        /// The period, in days before now (1 to 366)
        #[arg(long, default_value_t = 30)]
        days: u32,
        #[arg(long)]
        csv: Option<PathBuf>,
    },
    /// Count variance per session, location or category: lines, net units, net and absolute value
    VarianceBy {
        #[arg(value_enum)]
        by: crate::report_cmd::GroupBy,
        #[arg(long)]
        csv: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum SettingsCommand {
    Set { key: String, value: String },
}
