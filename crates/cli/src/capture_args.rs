//! Clap forms of the capture, reconciliation and monitoring commands (`shared/cli.md`,
//! "Capture, reconciliation and monitoring"). Kept apart from args.rs so this surface grows
//! without touching the ledger's.

use std::path::PathBuf;

use clap::{Args, Subcommand};

#[derive(Subcommand)]
pub enum WebhookCommand {
    /// The live service (as `shelfsync serve`) with the Shopify webhook receiver at
    /// POST /webhooks/shopify/CHANNEL_NAME, until SIGTERM or Ctrl-C
    Serve(ServeArgs),
}

/// `shelfsync serve`: the whole live service in one process.
#[derive(Args)]
pub struct LiveServeArgs {
    /// Also receive Shopify webhooks on this port (0: any free port; the URL is printed).
    /// Without it, no receiver runs here and order polling is the capture path
    #[arg(long)]
    pub port: Option<u16>,
    /// Address the receiver binds (loopback by default; put a TLS proxy in front for Shopify)
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// Minutes between Shopify order polls (Amazon's and eBay's follow their own limits)
    #[arg(long, default_value_t = 1)]
    pub poll_minutes: u64,
    /// Hours between reconciliations
    #[arg(long, default_value_t = 4)]
    pub reconcile_hours: u64,
}

#[derive(Args)]
pub struct ServeArgs {
    /// Port (0: any free port; the URL is printed)
    #[arg(long, default_value_t = 8788)]
    pub port: u16,
    /// Address to bind (loopback by default; put a TLS proxy in front for Shopify)
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// Minutes between Shopify order polls (Amazon's and eBay's follow their own limits)
    #[arg(long, default_value_t = 1)]
    pub poll_minutes: u64,
    /// Hours between reconciliations
    #[arg(long, default_value_t = 4)]
    pub reconcile_hours: u64,
}

#[derive(Subcommand)]
pub enum OrdersCommand {
    /// Read orders updated since the last poll from every channel (or one) and book them:
    /// Shopify orders.json, Amazon getOrders/getOrderItems, eBay Fulfillment getOrders
    Poll {
        #[arg(long)]
        channel: Option<String>,
    },
    /// Amazon: long-poll each channel's SQS queue for ORDER_CHANGE notifications and book the
    /// orders (fetched with getOrder/getOrderItems); messages are deleted once booked. Until
    /// Ctrl-C, while this process holds the sync lease; --once: one long poll (up to 20 s), then exit
    Listen {
        #[arg(long)]
        channel: Option<String>,
        #[arg(long)]
        once: bool,
    },
    /// Webhook capture rate per channel and day
    CaptureRate {
        #[arg(long)]
        channel: Option<String>,
        #[arg(long, default_value_t = 14)]
        days: usize,
    },
}

#[derive(Args)]
pub struct ReconcileArgs {
    #[arg(long)]
    pub channel: Option<String>,
    /// Compare and classify only: change nothing, store no report
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Subcommand)]
pub enum DriftCommand {
    /// Top SKUs by velocity against every channel; variance above 2 units flagged
    Report {
        #[arg(long, default_value_t = 50)]
        top: usize,
        /// The full-catalogue diff (the weekly audit): every SKU, whatever --top says
        #[arg(long)]
        all: bool,
        /// Also write the report as CSV
        #[arg(long)]
        csv: Option<PathBuf>,
    },
    /// Stored audits (the service's daily top 50 and weekly full catalogue, and manual runs),
    /// newest first
    History {
        #[arg(long, default_value_t = 30)]
        limit: usize,
    },
    /// One stored audit with the rows it kept
    Show { run: i64 },
}

#[derive(Subcommand)]
pub enum AlertsCommand {
    /// Evaluate the rules, then list open alerts (--all: resolved ones too)
    List {
        #[arg(long)]
        all: bool,
        /// Evaluate as at this instant (RFC 3339, e.g. 2026-11-27T15:00:00Z) [default: now]
        #[arg(long)]
        at: Option<String>,
    },
    /// Acknowledge an alert (a flagged discrepancy closes on acknowledgement)
    Ack { id: String },
    /// Set a rule's threshold (see `alerts thresholds`)
    Threshold { rule: String, value: f64 },
    /// Every rule's threshold
    Thresholds,
    /// Add an escalation contact: an outgoing webhook (JSON body) or an e-mail address, for a
    /// window of days and UTC hours
    TargetAdd {
        /// http(s)://... (webhook) or an e-mail address
        target: String,
        /// webhook or email [default: email when TARGET has an @ and is no URL, else webhook]
        #[arg(long)]
        kind: Option<String>,
        /// FROM-TO in UTC hours, TO exclusive
        #[arg(long, default_value = "0-24")]
        hours: String,
        /// all, weekdays (Monday to Friday) or weekend
        #[arg(long, default_value = "all")]
        days: String,
    },
    /// The contacts who receive alerts at a time (default: now)
    Contacts {
        /// RFC 3339, e.g. 2026-11-25T20:00:00Z
        #[arg(long)]
        at: Option<String>,
    },
    /// Set the SMTP relay e-mail alerts go through (password from SHELFSYNC_SMTP_PASSWORD)
    Smtp {
        #[arg(long)]
        host: String,
        #[arg(long, default_value_t = 587)]
        port: u16,
        /// none, starttls or tls
        #[arg(long, default_value = "starttls")]
        security: String,
        /// Sender, e.g. "ShelfSync <alerts@example.com>"
        #[arg(long)]
        from: String,
        #[arg(long)]
        username: Option<String>,
    },
    /// Evaluate the rules and deliver open alerts to the contacts on duty now
    Deliver,
    /// Escalation targets
    Targets,
    /// Business hours in the warehouse's time zone, per weekday, and the peak days: shown, or
    /// changed with --zone, --day or --reset (weekdays not named keep their hours)
    Hours {
        /// IANA time zone, e.g. America/New_York
        #[arg(long)]
        zone: Option<String>,
        /// DAYS=HOURS in local time: mon-fri=08:00-18:00, sat=22:00-06:00 (crosses midnight),
        /// sun=closed; DAYS is mon..sun, a range, weekdays, weekend or all; repeatable
        #[arg(long = "day", value_name = "DAYS=HOURS")]
        days: Vec<String>,
        /// Back to the whole UTC hours of business_start_hour/business_end_hour
        #[arg(long)]
        reset: bool,
        /// Say whether this instant (RFC 3339) is in business hours and on a peak day [default: now]
        #[arg(long)]
        at: Option<String>,
    },
    /// Add a peak day (a flash sale, Black Friday; a local date): the alert thresholds tighten on it
    PeakAdd {
        /// YYYY-MM-DD
        date: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Remove a peak day
    PeakRemove {
        /// YYYY-MM-DD
        date: String,
    },
}

#[derive(Subcommand)]
pub enum IncidentsCommand {
    /// Open incidents (--all: resolved ones too), newest first
    List {
        #[arg(long)]
        all: bool,
    },
    Show {
        id: String,
    },
    /// Record the root cause and close the incident
    Resolve {
        id: String,
        #[arg(long)]
        cause: String,
        /// Root-cause category: rate_limit, webhook_missed, peak_timing, manual_override,
        /// multi_location, feed_rejected, count_error or other (the --cause text goes beside it)
        #[arg(long)]
        category: Option<String>,
    },
    /// Incidents of a month grouped by cause
    Report {
        /// YYYY-MM [default: this month]
        #[arg(long)]
        month: Option<String>,
        /// Group by root-cause category instead of the cause's text
        #[arg(long)]
        by_category: bool,
    },
}
