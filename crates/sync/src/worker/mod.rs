//! One worker per channel: drains the channel's outbox rows urgent first (a ledger event's
//! update before a re-push's), oldest first within each, in attempt groups of up to the
//! channel's batch size, paced by the mirrored rate limit, and maps every answer onto ack,
//! retry (same key or new), or dead letter. A bulk submission (Amazon's feed, minutes long)
//! runs beside the fast path, so the updates a sale causes meanwhile do not wait for it.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::SeedableRng;
use rand::rngs::StdRng;
use shelfsync_channels::{
    BulkOutcome, Channel, ChannelError, PushOutcome, PushRequest, QuantityUpdate, RateStatus, Rejection,
    RejectionKind,
};
use shelfsync_store::Store;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::Result;
use crate::backoff::Backoff;
use crate::limiter::CostBucket;
use crate::queue::{self, Failure, Group, Selection};

// The worker's methods by concern; each file is another `impl Worker` block.
mod bulk;
mod listing_watch;
mod outcome;
mod reads;

pub use listing_watch::read_budget;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Drain until nothing is due (waiting for backoffs that end within `once_wait_limit`).
    Once,
    /// Run until stopped.
    Daemon,
}

#[derive(Clone, Copy, Debug)]
pub struct WorkerConfig {
    pub backoff: Backoff,
    /// Failed attempts before a row goes to the dead-letter queue. Eight full-jitter retries
    /// from 1 s reach the 5-minute cap territory: about 8 minutes of trying in all.
    pub max_attempts: u32,
    /// Attempts an offline channel may burn per row: enough to show in status, never enough
    /// to dead-letter a row just because the network was down.
    pub offline_attempt_bound: u32,
    /// How often an idle worker looks for new rows: the floor of event-to-channel latency.
    pub idle_poll: Duration,
    /// Smaller batches than the channel's maximum (tests of ordering); None: the channel's.
    pub max_batch: Option<usize>,
    /// In `Once` mode, the longest backoff worth waiting for before exiting.
    pub once_wait_limit: Duration,
    /// In `Once` mode, offline probes before giving up on the channel for this run.
    pub once_offline_probes: u32,
    pub seed: u64,
    /// How soon a row a channel limit held back (eBay's revision cap) is looked at again.
    pub deferred_retry: Duration,
    /// How long after an accepted (not applied) push its value is read back. Amazon applies
    /// accepted patches within minutes; two minutes also keeps `--once` runs from waiting.
    pub confirm_after: Duration,
    /// Read-backs that find the accepted value missing before the row is dead-lettered
    /// (re-sent in between).
    pub confirm_gaps: u32,
    /// After a stuck bulk submission, how long the fast path carries everything.
    pub bulk_pause: Duration,
    /// Longest wait between two probes of an offline channel: its return is noticed within
    /// this (the guide's offline override must reach the channel soon after the reconnect; a
    /// probe is one small call, so even every 10 s costs nothing against any channel's limit).
    pub offline_probe_max: Duration,
    /// How long a read before an urgent push stays good for the rows it covered. One read
    /// covers a channel's read limit of SKUs (Amazon 20, eBay 25) and serves the pushes that
    /// follow it (Amazon patches one SKU at 5/s: 20 take 4 s); a row waiting longer (a
    /// backoff, an outage) is read again before it goes.
    pub read_fresh: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            backoff: Backoff::default(),
            max_attempts: 8,
            offline_attempt_bound: 2,
            idle_poll: Duration::from_millis(100),
            max_batch: None,
            once_wait_limit: Duration::from_secs(30),
            once_offline_probes: 3,
            seed: 0,
            deferred_retry: Duration::from_secs(300),
            confirm_after: Duration::from_secs(120),
            confirm_gaps: 3,
            bulk_pause: Duration::from_secs(30 * 60),
            offline_probe_max: Duration::from_secs(10),
            read_fresh: Duration::from_secs(10),
        }
    }
}

/// What a worker did in one run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkerSummary {
    pub channel: String,
    pub calls: u64,
    pub pushed: u64,
    pub throttled: u64,
    pub failures: u64,
    pub stale: u64,
    pub bulk_submissions: u64,
    /// Reads made before urgent pushes, and the unseen sales (units) they found.
    pub reads_before_push: u64,
    pub unseen_units: i64,
    /// Reads of the listing watch (flash-sale mode), the unseen sales (units) they found
    /// (also counted in `unseen_units`), and the reads that failed.
    pub watch_reads: u64,
    pub watch_unseen_units: i64,
    pub watch_failures: u64,
    pub offline: bool,
    pub latencies_ms: Vec<i64>,
}

enum Progress {
    Sent,
    Idle,
    Offline,
}

pub struct Worker<C: Channel> {
    channel: String,
    /// Shared with the task that carries a bulk submission.
    client: Arc<C>,
    store: Store,
    bucket: CostBucket,
    config: WorkerConfig,
    rng: StdRng,
    offline_probes: u32,
    /// Set by a throttle whose wait is long (a spent daily quota).
    long_pause: Option<Duration>,
    /// Set when a bulk submission got stuck: the fast path only, until then.
    bulk_paused_until: Option<Instant>,
    /// The bulk submission in progress: at most one, its rows held in their group meanwhile.
    bulk_flight: Option<BulkFlight>,
    /// Fast groups formed so far: every [`queue::BULK_TURN`]th is the bulk's turn.
    formed: u64,
    /// Listings read before an urgent push, and when: a read within `read_fresh` is not
    /// repeated. Memory only: forgetting it costs one read more.
    fresh_reads: HashMap<i64, Instant>,
    /// Groups whose read before the push failed (nothing was sent): their retry reads first.
    /// Memory only: after a restart such a group goes without the read, as every push did
    /// before reads existed.
    read_pending: HashSet<String>,
    /// Groups this worker formed that no attempt may have applied yet (none sent, or every
    /// send refused before applying: no connection, a throttle). Only such a group is read
    /// again after an outage: a group formed before a restart, or sent with an unknown outcome,
    /// may be on the channel already, and a read would take our own value for a sale.
    unsent: HashSet<String>,
    /// Failed reads (other than throttles and outages) per group: see [`READ_TRIES`].
    read_failures: HashMap<String, u32>,
    /// Flash-sale mode's listing watch (`listing_watch.rs`).
    listing_watch: listing_watch::ListingWatch,
    summary: WorkerSummary,
}

/// Reads before a push that may fail (an unreadable or lost answer) before the group is sent
/// unread: a read protects a sale we have not seen; it must not hold a push back for long.
const READ_TRIES: u32 = 3;

/// Bound on the worker's memory of reads and of groups awaiting a read: both hold only what a
/// few seconds of urgent rows touch, so reaching this means something else is wrong; they are
/// then cleared (a read more, at worst a push without a read).
const READ_MEMORY: usize = 100_000;

struct BulkFlight {
    group: Group,
    task: JoinHandle<std::result::Result<BulkOutcome, ChannelError>>,
}

/// How long from now until an RFC 3339 time (zero when it has passed or cannot be read).
fn until(at: &str) -> Duration {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| (t.with_timezone(&chrono::Utc) - chrono::Utc::now()).to_std().unwrap_or(Duration::ZERO))
        .unwrap_or(Duration::ZERO)
}

/// Throttle waits longer than this are quota resets, not bursts.
const LONG_THROTTLE: Duration = Duration::from_secs(60);

impl<C: Channel> Worker<C> {
    pub fn new(channel: String, client: C, store: Store, config: WorkerConfig) -> Worker<C> {
        let listing_watch =
            listing_watch::ListingWatch::new(read_budget(&client, &crate::ChannelTuning::default()));
        Worker {
            summary: WorkerSummary { channel: channel.clone(), ..WorkerSummary::default() },
            channel,
            client: Arc::new(client),
            store,
            bucket: CostBucket::default(),
            rng: StdRng::seed_from_u64(config.seed),
            config,
            offline_probes: 0,
            long_pause: None,
            bulk_paused_until: None,
            bulk_flight: None,
            formed: 0,
            fresh_reads: HashMap::new(),
            read_pending: HashSet::new(),
            unsent: HashSet::new(),
            read_failures: HashMap::new(),
            listing_watch,
        }
    }

    pub async fn run(mut self, mode: Mode, mut stop: watch::Receiver<bool>) -> Result<WorkerSummary> {
        queue::prune(&self.store, &self.channel)?;
        if self.client.reads_before_urgent_push() {
            // A group left by an earlier engine may have been on its way when that engine
            // stopped (a crash mid-call): its outcome is unknown, like any unanswered write.
            queue::forget_belief_in_groups(&self.store, &self.channel)?;
        }
        while !*stop.borrow() {
            // Interest in the next commit is registered before the outbox is looked at, so a
            // commit made while this step runs still wakes the wait below.
            let committed = shelfsync_store::commit_signal().notified();
            tokio::pin!(committed);
            committed.as_mut().enable();
            let progress = self.step().await?;
            if let Some(pause) = self.long_pause.take() {
                if mode == Mode::Once {
                    break;
                }
                tokio::select! {
                    _ = tokio::time::sleep(pause.min(self.config.idle_poll * 50)) => {}
                    _ = stop.changed() => {}
                }
                continue;
            }
            let wait = match progress {
                Progress::Sent => continue,
                Progress::Offline
                    if mode == Mode::Once && self.offline_probes >= self.config.once_offline_probes =>
                {
                    break;
                }
                Progress::Offline | Progress::Idle => self.until_next_due()?,
            };
            let wait = match (mode, wait) {
                (Mode::Once, None) => break,
                (Mode::Once, Some(wait)) if wait > self.config.once_wait_limit => break,
                (Mode::Once, Some(wait)) => wait,
                (Mode::Daemon, wait) => wait.unwrap_or(self.config.idle_poll).min(self.config.idle_poll),
            };
            // A commit in this process (a scan, a count, an order booked) wakes the worker at
            // once; `idle_poll` remains the floor for commits made by other processes.
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = &mut committed => {}
                _ = stop.changed() => {}
            }
        }
        if let Some(flight) = self.bulk_flight.take() {
            // Stopped mid-submission: the rows keep their group and go again after a restart.
            flight.task.abort();
        }
        self.summary.offline = self.offline_probes > 0;
        Ok(self.summary)
    }

    fn busy_key(&self) -> Option<&str> {
        self.bulk_flight.as_ref().map(|f| f.group.key.as_str())
    }

    fn until_next_due(&self) -> Result<Option<Duration>> {
        let confirm = queue::next_confirmation(&self.store, &self.channel)?.map(|due| until(&due));
        if self.bulk_flight.is_some() {
            // The submission is looked at every idle poll (its task cannot wake us), and so are
            // new urgent rows; the bulk rows due meanwhile wait for it (or the next one).
            return Ok(Some(self.config.idle_poll));
        }
        let Some(due) = queue::next_due(&self.store, &self.channel, self.busy_key())? else {
            return Ok(confirm.map(|w| w.max(Duration::from_millis(1))));
        };
        let wait = until(&due);
        let wait = confirm.map_or(wait, |c| c.min(wait));
        // At least a millisecond: a row due "now" that was not taken is in a group in backoff.
        Ok(Some(wait.max(Duration::from_millis(1))))
    }

    fn max_batch(&self) -> usize {
        let channel_max = self.client.limits().max_batch;
        self.config.max_batch.map_or(channel_max, |m| m.clamp(1, channel_max))
    }

    async fn step(&mut self) -> Result<Progress> {
        // First: no call, and it frees a whole feed's rows.
        if self.bulk_flight.as_ref().is_some_and(|f| f.task.is_finished()) {
            return self.finish_bulk().await;
        }
        if self.confirm_due().await? {
            return Ok(Progress::Sent);
        }
        if self.watch_due().await? {
            return Ok(Progress::Sent);
        }
        let group = match queue::due_group(&self.store, &self.channel, self.busy_key())? {
            Some(group) if self.read_pending.contains(&group.key) => return self.read_first(group).await,
            Some(group) => Some(group),
            // Offline: only the oldest kept group probes; nothing new is formed, so order holds.
            None if self.offline_probes > 0
                && queue::has_kept_group(&self.store, &self.channel, self.busy_key())? =>
            {
                return Ok(Progress::Offline);
            }
            None => {
                // No group left to probe with (the probing one was dead-lettered, or dissolved
                // as a bulk submission's is): the next group formed is the probe. Found by the
                // whole-system suite: waiting for a probe that no longer existed left an
                // eBay queue unsent for good.
                self.offline_probes = 0;
                if let Some(selection) = self.bulk_selection()? {
                    let (store, max) = (&self.store, self.client.bulk_max());
                    if let Some(group) = queue::form_group_by(store, &self.channel, max, selection)? {
                        return self.submit_bulk(group);
                    }
                }
                match self.form_fast()? {
                    Some(group) if self.client.reads_before_urgent_push() => {
                        if self.unsent.len() >= READ_MEMORY {
                            self.unsent.clear();
                        }
                        self.unsent.insert(group.key.clone());
                        return self.read_first(group).await;
                    }
                    other => other,
                }
            }
        };
        match group {
            Some(group) => self.send(group).await,
            None => Ok(Progress::Idle),
        }
    }

    /// A new fast-path group: urgent first, the bulk's turn every [`queue::BULK_TURN`]th, and
    /// urgent only while a bulk submission carries the re-push.
    fn form_fast(&mut self) -> Result<Option<Group>> {
        self.formed += 1;
        let selection = if self.bulk_flight.is_some() {
            Selection::UrgentOnly
        } else if self.formed.is_multiple_of(queue::BULK_TURN) {
            Selection::OldestFirst
        } else {
            Selection::UrgentFirst
        };
        Ok(queue::form_group_by(&self.store, &self.channel, self.max_batch(), selection)?)
    }

    async fn send(&mut self, group: Group) -> Result<Progress> {
        let updates: Vec<QuantityUpdate> = group
            .rows
            .iter()
            .map(|r| QuantityUpdate {
                listing: queue::remote(&r.remote),
                quantity: r.qty,
                change_from: r.change_from,
            })
            .collect();
        self.bucket.acquire(self.client.push_cost(updates.len())).await;
        queue::count_attempt(&self.store, &self.channel)?;
        self.summary.calls += 1;
        let reference = format!("gid://shelfsync/SyncBatch/{}", group.key);
        let request = PushRequest { idempotency_key: &group.key, reference: &reference, updates: &updates };
        let result = self.client.push(request).await;
        match result {
            Ok(answer) => {
                self.unsent.remove(&group.key);
                self.observe(answer.rate.as_ref());
                self.offline_probes = 0;
                match answer.value {
                    PushOutcome::Applied => self.acknowledge(&group)?,
                    PushOutcome::Rejected(rejections) => self.handle_rejections(&group, rejections).await?,
                    PushOutcome::Partial(rejections) => self.handle_partial(&group, rejections).await?,
                    PushOutcome::Accepted => self.acknowledge_accepted(&group)?,
                }
                Ok(Progress::Sent)
            }
            Err(error) => {
                match &error {
                    ChannelError::Offline(_) if self.unsent.contains(&group.key) => {
                        // Nothing of this group reached the channel; sales may happen there while
                        // it is away, so the retry after the outage reads first like a new group.
                        if self.read_pending.len() >= READ_MEMORY {
                            self.read_pending.clear();
                        }
                        self.read_pending.insert(group.key.clone());
                    }
                    ChannelError::Offline(_) | ChannelError::Throttled { .. } => {}
                    _ => {
                        self.unsent.remove(&group.key);
                    }
                }
                self.handle_error(&group, error)
            }
        }
    }

    fn observe(&mut self, rate: Option<&RateStatus>) {
        if let Some(rate) = rate {
            self.bucket.observe(rate, Instant::now());
        }
    }

    fn acknowledge(&mut self, group: &Group) -> Result<()> {
        let latencies = queue::ack(&self.store, &self.channel, group)?;
        self.count_pushed(latencies);
        Ok(())
    }

    /// Accepted, not applied yet: acknowledged, with its read-back stored in the same
    /// transaction (an engine started later reads it back if this one stops first).
    fn acknowledge_accepted(&mut self, group: &Group) -> Result<()> {
        let latencies = queue::ack_accepted(&self.store, &self.channel, group, self.config.confirm_after)?;
        self.count_pushed(latencies);
        Ok(())
    }

    fn count_pushed(&mut self, latencies: Vec<i64>) {
        self.summary.pushed += latencies.len() as u64;
        // Bounded: the summary keeps the latencies of one run for the benchmark; a daemon
        // reads the persisted `pushes` table instead.
        if self.summary.latencies_ms.len() < 1_000_000 {
            self.summary.latencies_ms.extend(latencies);
        }
    }

    fn failure<'a>(&mut self, group: &Group, kind: &'a str, message: &'a str) -> Failure<'a> {
        let attempt = group.max_attempts() + 1;
        Failure {
            kind,
            message,
            burn_attempt: true,
            keep_group: false,
            outcome_unknown: false,
            delay: self.config.backoff.delay(attempt, &mut self.rng),
            max_attempts: self.config.max_attempts,
        }
    }
}
