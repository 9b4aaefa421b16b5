//! Amazon orders as events: SP-API `ORDER_CHANGE` notifications through the seller's SQS queue.
//!
//! ```text
//!  Amazon ──ORDER_CHANGE──▶ SQS queue ──ReceiveMessage (long poll, SigV4)──▶ listener
//!    for each message: parse ─ bad (not JSON, another type, another seller) ─▶ recorded, deleted
//!                      getOrder + getOrderItems (the poll's client and buckets)
//!                      orders::ingest(Source::Notification)   ── committed ──▶ DeleteMessageBatch
//!                      a failure leaves the message: it comes back after the visibility timeout
//!                      (booked once: the ledger's ids are the poll's), and after MAX_RECEIVES
//!                      failed deliveries it is recorded and deleted
//! ```
//!
//! A message is deleted only after its order is committed to the ledger, so a process stopped
//! between receive and booking loses nothing: the queue hands the message out again. The order
//! is fetched rather than booked from the notification's summary, so the notification, the
//! poll and a redelivery make the same event ids and the ledger books each line once.
//!
//! Setting up ([`configure`]): the queue's ARN becomes an SP-API destination and the
//! `ORDER_CHANGE` subscription points at it (both reused when they exist); the AWS key pair
//! goes to the channel secrets, the queue URL and region to `amazon_notifications`.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde::Serialize;
use shelfsync_channels::ChannelKind;
use shelfsync_channels::amazon::AmazonConfig;
use shelfsync_channels::amazon_notifications::sigv4::AwsCredentials;
use shelfsync_channels::amazon_notifications::sqs::{self, SqsClient, SqsConfig, SqsMessage};
use shelfsync_channels::amazon_notifications::{NotificationsClient, OrderChange, parse_order_change};
use shelfsync_store::Store;
use shelfsync_store::oversight::Db;
use shelfsync_store::oversight::notifications as stored;
use shelfsync_sync::config::{self, ChannelRecord, LWA_CLIENT_ID, LWA_CLIENT_SECRET, LWA_REFRESH_TOKEN};
use shelfsync_sync::credentials::{Secret, Secrets};
use tokio::sync::watch;

use crate::orders::{self, IngestReport, Source};
use crate::{CaptureError, Result, now, poll};

/// The channel secrets holding the seller's AWS key pair (for the SQS queue).
pub const AWS_ACCESS_KEY_ID: &str = "aws_access_key_id";
pub const AWS_SECRET_ACCESS_KEY: &str = "aws_secret_access_key";

/// A message whose order could not be booked this many times is recorded and deleted: an
/// order Amazon keeps refusing to show must not circle the queue forever.
pub const MAX_RECEIVES: u32 = 5;

/// Longest message body kept with a rejection.
const REJECT_BODY_MAX: usize = 2_000;

/// How long the listener waits after a failed receive before trying again (a wrong secret or
/// an unreachable queue must not spin).
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(5);

pub use shelfsync_store::oversight::notifications::{NotificationSettings, Rejection};

/// What [`configure`] did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SetupReport {
    pub channel: String,
    pub queue_url: String,
    pub queue_arn: String,
    pub region: String,
    pub destination_id: String,
    pub subscription_id: String,
    pub destination_reused: bool,
    pub subscription_reused: bool,
}

/// What one receive of one channel's queue did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ListenReport {
    pub channel: String,
    pub received: usize,
    /// Events booked (sales, cancellations).
    pub recorded: usize,
    /// Events already in the ledger (the poll or an earlier delivery booked them).
    pub duplicates: usize,
    pub unmapped: usize,
    /// Messages recorded in `notification_rejects` and deleted.
    pub rejected: usize,
    pub deleted: usize,
    /// Messages left on the queue (their order could not be fetched or booked yet).
    pub kept: usize,
    pub errors: Vec<String>,
}

fn amazon_record(store: &Store, channel: &str) -> Result<ChannelRecord> {
    let record =
        config::channel(store, channel).map_err(|_| CaptureError::UnknownChannel(channel.to_string()))?;
    if ChannelKind::parse(&record.kind) != Some(ChannelKind::Amazon) {
        return Err(CaptureError::Invalid(format!(
            "channel '{channel}' is a {} channel; ORDER_CHANGE notifications are Amazon's",
            record.kind
        )));
    }
    Ok(record)
}

fn secret(secrets: &Secrets, channel: &str, name: &str) -> Result<String> {
    Ok(secrets
        .get(channel, name)?
        .ok_or_else(|| CaptureError::Invalid(format!("channel '{channel}' has no {name} stored")))?
        .expose()
        .to_string())
}

fn amazon_config(record: &ChannelRecord, secrets: &Secrets) -> Result<AmazonConfig> {
    let mut config = AmazonConfig::new(
        &record.endpoint,
        record.seller_id.as_deref().unwrap_or_default(),
        record.marketplace_id.as_deref().unwrap_or_default(),
        &secret(secrets, &record.name, LWA_CLIENT_ID)?,
        &secret(secrets, &record.name, LWA_CLIENT_SECRET)?,
        &secret(secrets, &record.name, LWA_REFRESH_TOKEN)?,
    );
    config.auth_endpoint = record.auth_endpoint.clone();
    Ok(config)
}

/// Creates (or finds) the SQS destination and the ORDER_CHANGE subscription on Amazon, then
/// stores the AWS key pair with the channel's secrets and the queue's URL and region. Bad
/// input (not an Amazon channel, a malformed queue URL or region) is refused before any call
/// or write; a refusal by Amazon writes nothing.
pub async fn configure(
    db_path: &Path,
    secrets: &Secrets,
    channel: &str,
    queue_url: &str,
    region: &str,
    access_key_id: &Secret,
    secret_access_key: &Secret,
) -> Result<SetupReport> {
    let record = amazon_record(&Store::open(db_path)?, channel)?;
    let arn = sqs::queue_arn(queue_url, region)?;
    let client = NotificationsClient::new(&amazon_config(&record, secrets)?)?;
    let subscription = client.subscribe(&arn).await?;
    secrets.set(channel, AWS_ACCESS_KEY_ID, access_key_id)?;
    secrets.set(channel, AWS_SECRET_ACCESS_KEY, secret_access_key)?;
    stored::save(
        &Store::open(db_path)?,
        &NotificationSettings {
            channel: channel.to_string(),
            queue_url: queue_url.to_string(),
            region: region.to_string(),
            destination_id: subscription.destination_id.clone(),
            subscription_id: subscription.subscription_id.clone(),
            configured_at: now(),
        },
    )?;
    tracing::info!(channel, queue_url, "ORDER_CHANGE notifications set up");
    Ok(SetupReport {
        channel: channel.to_string(),
        queue_url: queue_url.to_string(),
        queue_arn: arn,
        region: region.to_string(),
        destination_id: subscription.destination_id,
        subscription_id: subscription.subscription_id,
        destination_reused: subscription.destination_reused,
        subscription_reused: subscription.subscription_reused,
    })
}

/// Every channel with notifications set up (or the one named, which must have them).
pub fn configured(store: &Store, only: Option<&str>) -> Result<Vec<NotificationSettings>> {
    let all = stored::all(store)?;
    if let Some(name) = only {
        amazon_record(store, name)?;
        if !all.iter().any(|s| s.channel == name) {
            return Err(CaptureError::Invalid(format!(
                "channel '{name}' has no notification queue; run: shelfsync channel notifications {name} --queue-url URL --region REGION"
            )));
        }
    }
    Ok(all.into_iter().filter(|s| only.is_none_or(|n| n == s.channel)).collect())
}

/// Messages dropped as unreadable or not ours, newest first.
pub fn rejections(db: &impl Db, limit: usize) -> Result<Vec<Rejection>> {
    Ok(stored::rejections(db, limit as i64)?)
}

fn sqs_client(settings: &NotificationSettings, secrets: &Secrets) -> Result<SqsClient> {
    Ok(SqsClient::new(SqsConfig {
        queue_url: settings.queue_url.clone(),
        region: settings.region.clone(),
        credentials: AwsCredentials {
            access_key_id: secret(secrets, &settings.channel, AWS_ACCESS_KEY_ID)?,
            secret_access_key: secret(secrets, &settings.channel, AWS_SECRET_ACCESS_KEY)?,
        },
    })?)
}

fn record_reject(db_path: &Path, channel: &str, message: &SqsMessage, reason: &str) -> Result<()> {
    tracing::warn!(channel, message_id = %message.message_id, reason, "dropped an SQS message that books nothing");
    let body: String = message.body.chars().take(REJECT_BODY_MAX).collect();
    stored::record_rejection(&Store::open(db_path)?, channel, &message.message_id, reason, &body, &now())?;
    Ok(())
}

/// Fetches the order a notification names and books it as the poll would.
async fn fetch_and_book(
    db_path: &Path,
    secrets: &Secrets,
    record: &ChannelRecord,
    change: &OrderChange,
) -> Result<IngestReport> {
    let client = poll::amazon_client(db_path, secrets, record)?;
    let order = client.order(&change.amazon_order_id).await?;
    let items = client.order_items(&change.amazon_order_id).await?;
    let lines = poll::lines(items.into_iter().map(|i| (i.id, i.seller_sku, i.quantity)));
    let order =
        poll::marketplace_order(&order.id, &order.purchase_date, &order.last_update, order.canceled, lines)?;
    // Open a store only here, after the awaits: the listener's futures hold no connection
    // across a wait.
    let store = Store::open(db_path)?;
    orders::ingest(&store, &record.name, &order, Source::Notification)
}

/// One long poll of one channel's queue (`wait` up to 20 s), its messages booked, then the
/// handled ones deleted. A refused receive (wrong AWS secret, no such queue) is the error.
pub async fn receive_once(
    db_path: &Path,
    secrets: &Secrets,
    settings: &NotificationSettings,
    wait: Duration,
) -> Result<ListenReport> {
    let record = amazon_record(&Store::open(db_path)?, &settings.channel)?;
    let client = sqs_client(settings, secrets)?;
    let messages = client.receive(wait, sqs::MAX_MESSAGES).await.map_err(|error| {
        CaptureError::Invalid(format!(
            "{}: cannot receive from {}: {error}",
            settings.channel, settings.queue_url
        ))
    })?;
    let mut report = ListenReport {
        channel: settings.channel.clone(),
        received: messages.len(),
        ..ListenReport::default()
    };
    let mut handled = Vec::new();
    for message in &messages {
        let change = match parse_order_change(&message.body) {
            Ok(change) => change,
            Err(error) => {
                record_reject(db_path, &settings.channel, message, &error.to_string())?;
                report.rejected += 1;
                handled.push(message.receipt_handle.clone());
                continue;
            }
        };
        let seller = record.seller_id.as_deref().unwrap_or_default();
        if change.seller_id != seller {
            let reason = format!(
                "order {} belongs to seller {}, not this channel's seller {seller}",
                change.amazon_order_id, change.seller_id
            );
            record_reject(db_path, &settings.channel, message, &reason)?;
            report.rejected += 1;
            handled.push(message.receipt_handle.clone());
            continue;
        }
        match fetch_and_book(db_path, secrets, &record, &change).await {
            Ok(booked) => {
                report.recorded += booked.recorded;
                report.duplicates += booked.duplicates;
                report.unmapped += booked.unmapped;
                handled.push(message.receipt_handle.clone());
            }
            Err(error) if message.receive_count >= MAX_RECEIVES => {
                let reason = format!(
                    "order {} not booked after {} deliveries: {error}",
                    change.amazon_order_id, message.receive_count
                );
                record_reject(db_path, &settings.channel, message, &reason)?;
                report.rejected += 1;
                handled.push(message.receipt_handle.clone());
            }
            Err(error) => {
                tracing::warn!(channel = %settings.channel, order = %change.amazon_order_id, %error,
                    "ORDER_CHANGE not booked yet; the message comes back after its visibility timeout");
                report.errors.push(format!("order {}: {error}", change.amazon_order_id));
                report.kept += 1;
            }
        }
    }
    if !handled.is_empty() {
        // Every handled order is committed above: only now may its message go.
        match client.delete(&handled).await {
            Ok(failures) => {
                report.deleted = handled.len() - failures.len();
                report
                    .errors
                    .extend(failures.iter().map(|f| format!("delete refused: {} {}", f.code, f.message)));
            }
            Err(error) => report.errors.push(format!(
                "delete failed (the messages come back; booking them again books nothing): {error}"
            )),
        }
    }
    Ok(report)
}

/// One long poll of every configured channel (or the one named).
pub async fn listen_once(
    db_path: &Path,
    secrets: &Secrets,
    only: Option<&str>,
    wait: Duration,
) -> Result<Vec<ListenReport>> {
    let channels = configured(&Store::open(db_path)?, only)?;
    let mut reports = Vec::new();
    for settings in &channels {
        reports.push(receive_once(db_path, secrets, settings, wait).await?);
    }
    Ok(reports)
}

async fn stopped(stop: &mut watch::Receiver<bool>) {
    while !*stop.borrow() {
        if stop.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// Listens until `stop`, while `leading` holds (the service's lease rule: nothing calls a
/// channel on a schedule unless this process holds the lease). Channels set up later are
/// picked up at the next round; `only` names one channel. `each` sees every round's reports.
pub async fn run(
    db_path: &Path,
    secrets: &Secrets,
    only: Option<&str>,
    leading: &AtomicBool,
    mut stop: watch::Receiver<bool>,
    mut each: impl FnMut(&ListenReport),
) {
    loop {
        if *stop.borrow() {
            return;
        }
        let channels = if leading.load(Ordering::SeqCst) {
            Store::open(db_path)
                .map_err(CaptureError::from)
                .and_then(|s| configured(&s, only))
                .unwrap_or_else(|error| {
                    tracing::warn!(%error, "cannot read the notification settings");
                    Vec::new()
                })
        } else {
            Vec::new()
        };
        if channels.is_empty() {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = stopped(&mut stop) => return,
            }
            continue;
        }
        // Several queues share the round: each waits its part of SQS's 20 s.
        let wait = (sqs::MAX_WAIT / channels.len() as u32).max(Duration::from_secs(1));
        for settings in &channels {
            if !leading.load(Ordering::SeqCst) {
                break;
            }
            let outcome = tokio::select! {
                outcome = receive_once(db_path, secrets, settings, wait) => outcome,
                _ = stopped(&mut stop) => return,
            };
            match outcome {
                Ok(report) => {
                    if report.received > 0 {
                        tracing::info!(channel = %report.channel, received = report.received, recorded = report.recorded,
                            rejected = report.rejected, kept = report.kept, "ORDER_CHANGE messages handled");
                    }
                    each(&report);
                }
                Err(error) => {
                    tracing::warn!(channel = %settings.channel, %error, "notification receive failed");
                    each(&ListenReport {
                        channel: settings.channel.clone(),
                        errors: vec![error.to_string()],
                        ..ListenReport::default()
                    });
                    tokio::select! {
                        _ = tokio::time::sleep(RETRY_AFTER_FAILURE) => {}
                        _ = stopped(&mut stop) => return,
                    }
                }
            }
        }
    }
}

/// The stored settings of one channel, if any.
pub fn settings(db: &impl Db, channel: &str) -> Result<Option<NotificationSettings>> {
    Ok(stored::get(db, channel)?)
}
