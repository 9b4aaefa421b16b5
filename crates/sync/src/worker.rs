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
        }
    }

    pub async fn run(mut self, mode: Mode, mut stop: watch::Receiver<bool>) -> Result<WorkerSummary> {
        queue::prune(self.store.connection(), &self.channel)?;
        if self.client.reads_before_urgent_push() {
            // A group left by an earlier engine may have been on its way when that engine
            // stopped (a crash mid-call): its outcome is unknown, like any unanswered write.
            queue::forget_belief_in_groups(self.store.connection(), &self.channel)?;
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
        let confirm =
            queue::next_confirmation(self.store.connection(), &self.channel)?.map(|due| until(&due));
        if self.bulk_flight.is_some() {
            // The submission is looked at every idle poll (its task cannot wake us), and so are
            // new urgent rows; the bulk rows due meanwhile wait for it (or the next one).
            return Ok(Some(self.config.idle_poll));
        }
        let Some(due) = queue::next_due(self.store.connection(), &self.channel, self.busy_key())? else {
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
        let group = match queue::due_group(self.store.connection(), &self.channel, self.busy_key())? {
            Some(group) if self.read_pending.contains(&group.key) => return self.read_first(group).await,
            Some(group) => Some(group),
            // Offline: only the oldest group probes; nothing new is formed, so order holds.
            None if self.offline_probes > 0 => return Ok(Progress::Offline),
            None => {
                if let Some(selection) = self.bulk_selection()? {
                    let (conn, max) = (self.store.connection(), self.client.bulk_max());
                    if let Some(group) = queue::form_group_by(conn, &self.channel, max, selection)? {
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
        queue::form_group_by(self.store.connection(), &self.channel, self.max_batch(), selection)
    }

    /// Before a new group's first send on a channel that takes absolute quantities (Amazon,
    /// eBay): reads what the channel holds for its urgent rows, and for more urgent rows
    /// waiting, up to the channel's read limit in one call.
    ///
    /// Urgent means the outbox row's cause: `bulk = 0` rows were queued by a ledger event (a
    /// sale, a cancellation, an adjustment, a manual override, a count, a replicated event),
    /// and pushing them without a read could erase a sale the channel made that we have not
    /// booked. `bulk = 1` rows are re-pushes (reconciliation's, re-push all, a first link, a rule
    /// change): they go without reads, so a catalogue re-push spends its budget on pushes
    /// (eBay's daily quota) and the backlog drains as fast as before.
    ///
    /// A drop found is recorded as [`queue::record_read`] says (booked sales settled at once,
    /// the rest an unseen sale lowering every channel's listing); when that lowered the
    /// group's values, the group is formed again (nothing was sent).
    async fn read_first(&mut self, group: Group) -> Result<Progress> {
        let now = Instant::now();
        let fresh = self.config.read_fresh;
        self.fresh_reads.retain(|_, at| now.duration_since(*at) < fresh);
        if self.fresh_reads.len() > READ_MEMORY {
            self.fresh_reads.clear();
        }
        let conn = self.store.connection();
        let urgent = queue::urgent_in_group(conn, &group.key)?;
        let mut targets: Vec<(i64, shelfsync_channels::RemoteListing)> = group
            .rows
            .iter()
            .filter(|r| urgent.contains(&r.listing_id) && !self.fresh_reads.contains_key(&r.listing_id))
            .map(|r| (r.listing_id, r.remote.clone()))
            .collect();
        if targets.is_empty() {
            self.read_pending.remove(&group.key);
            return self.send(group).await;
        }
        let max_read = self.client.limits().max_read.max(1);
        if targets.len() < max_read {
            // A few more candidates than the read holds: some may have been read just now.
            for (id, remote) in queue::urgent_unsent(conn, &self.channel, max_read * 2)? {
                if targets.len() >= max_read {
                    break;
                }
                if !self.fresh_reads.contains_key(&id) && !targets.iter().any(|(t, _)| *t == id) {
                    targets.push((id, remote));
                }
            }
        }
        for chunk in targets.chunks(max_read) {
            let listings: Vec<_> = chunk.iter().map(|(_, remote)| remote.clone()).collect();
            self.bucket.acquire(self.client.read_cost(listings.len())).await;
            self.summary.calls += 1;
            self.summary.reads_before_push += 1;
            let asked_at = queue::stamp(chrono::Utc::now());
            let levels = match self.client.read_levels(&listings).await {
                Ok(answer) => {
                    self.observe(answer.rate.as_ref());
                    answer.value
                }
                Err(error) => return self.read_failed(&group, error),
            };
            self.offline_probes = 0;
            let read_at = Instant::now();
            for ((id, _), level) in chunk.iter().zip(levels) {
                if let queue::ReadFinding::Unseen { units, .. } =
                    queue::record_read(self.store.connection(), &self.channel, *id, level, &asked_at)?
                {
                    self.summary.unseen_units += units;
                }
                self.fresh_reads.insert(*id, read_at);
            }
        }
        self.read_pending.remove(&group.key);
        self.read_failures.remove(&group.key);
        if !queue::refresh_group(self.store.connection(), &group.key)? {
            queue::release(self.store.connection(), &group.listing_ids())?;
            return Ok(Progress::Sent);
        }
        self.send(group).await
    }

    /// A read before a push failed; nothing was sent. The group is kept and its retry reads
    /// again first: a throttle or an outage as for a push (the offline probe is this read);
    /// any other failure with backoff, burning an attempt, but with no unknown outcome (a read
    /// changes nothing on the channel). Kept, not dissolved: while offline the worker probes
    /// only through a kept group.
    fn read_failed(&mut self, group: &Group, error: ChannelError) -> Result<Progress> {
        if self.read_pending.len() >= READ_MEMORY {
            self.read_pending.clear();
        }
        self.read_pending.insert(group.key.clone());
        match error {
            ChannelError::Throttled { .. } | ChannelError::Offline(_) => self.handle_error(group, error),
            other => {
                // Not the push's attempt: a read fault must not bring the row nearer the
                // dead-letter queue. Bounded instead: after READ_TRIES failed reads the group
                // goes unread, as every push did before reads existed.
                let tries = self.read_failures.entry(group.key.clone()).or_insert(0);
                *tries += 1;
                if *tries >= READ_TRIES {
                    self.read_failures.remove(&group.key);
                    self.read_pending.remove(&group.key);
                }
                if self.read_failures.len() >= READ_MEMORY {
                    self.read_failures.clear();
                }
                let message = format!("reading levels before an urgent push: {other}");
                let mut failure = self.failure(group, "read failed", &message);
                failure.burn_attempt = false;
                failure.keep_group = true;
                queue::fail(self.store.connection(), &self.channel, group, &group.listing_ids(), &failure)?;
                self.summary.failures += 1;
                Ok(Progress::Sent)
            }
        }
    }

    async fn send(&mut self, group: Group) -> Result<Progress> {
        let updates: Vec<QuantityUpdate> = group
            .rows
            .iter()
            .map(|r| QuantityUpdate {
                listing: r.remote.clone(),
                quantity: r.qty,
                change_from: r.change_from,
            })
            .collect();
        self.bucket.acquire(self.client.push_cost(updates.len())).await;
        queue::count_attempt(self.store.connection(), &self.channel)?;
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
        let latencies = queue::ack(self.store.connection(), &self.channel, group)?;
        self.count_pushed(latencies);
        Ok(())
    }

    /// Accepted, not applied yet: acknowledged, with its read-back stored in the same
    /// transaction (an engine started later reads it back if this one stops first).
    fn acknowledge_accepted(&mut self, group: &Group) -> Result<()> {
        let latencies =
            queue::ack_accepted(self.store.connection(), &self.channel, group, self.config.confirm_after)?;
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

    fn handle_error(&mut self, group: &Group, error: ChannelError) -> Result<Progress> {
        let conn = self.store.connection();
        let message = error.to_string();
        let ids = group.listing_ids();
        match error {
            ChannelError::Throttled { retry_after, rate } => {
                // Not a failure: nothing applied, the same request goes again once the bucket
                // (or Retry-After) allows.
                queue::count_throttle(conn, &self.channel)?;
                self.summary.throttled += 1;
                if let Some(wait) = retry_after.filter(|w| *w > LONG_THROTTLE) {
                    // A spent daily quota (eBay 429 errorId 2001): the rows wait for the reset
                    // and say so; no attempt burns, and a one-shot run ends here.
                    let message = format!(
                        "{message}: the channel's quota is spent; waiting {} s for its reset",
                        wait.as_secs()
                    );
                    let mut failure = self.failure(group, "quota", &message);
                    failure.burn_attempt = false;
                    failure.keep_group = true;
                    failure.delay = wait;
                    queue::fail(self.store.connection(), &self.channel, group, &ids, &failure)?;
                    self.long_pause = Some(wait);
                    return Ok(Progress::Offline);
                }
                self.bucket.throttled(rate.as_ref(), retry_after, Instant::now());
                Ok(Progress::Sent)
            }
            ChannelError::Offline(_) => {
                self.offline_probes += 1;
                queue::set_offline(conn, &self.channel)?;
                let mut failure = self.failure(group, "offline", &message);
                failure.burn_attempt = group.max_attempts() < self.config.offline_attempt_bound;
                failure.keep_group = true;
                failure.delay = self
                    .config
                    .backoff
                    .delay(self.offline_probes, &mut self.rng)
                    .min(self.config.offline_probe_max);
                queue::fail(self.store.connection(), &self.channel, group, &ids, &failure)?;
                self.summary.failures += 1;
                Ok(Progress::Offline)
            }
            ChannelError::Uncertain(_) => {
                if self.client.reads_before_urgent_push() {
                    queue::forget_belief(self.store.connection(), &ids)?;
                }
                let mut failure = self.failure(group, "no answer", &message);
                failure.keep_group = true;
                failure.outcome_unknown = true;
                queue::fail(self.store.connection(), &self.channel, group, &ids, &failure)?;
                self.summary.failures += 1;
                Ok(Progress::Sent)
            }
            ChannelError::Auth(_) | ChannelError::Refused(_) | ChannelError::Config(_) => {
                let failure = self.failure(group, "refused", &message);
                queue::fail(self.store.connection(), &self.channel, group, &ids, &failure)?;
                self.summary.failures += 1;
                Ok(Progress::Sent)
            }
        }
    }

    /// The channel refused the call (nothing applied). Each named row gets what its refusal
    /// calls for; rows nobody named were fine and go again at once under a new key.
    async fn handle_rejections(&mut self, group: &Group, rejections: Vec<Rejection>) -> Result<()> {
        let whole_call = rejections.iter().find(|r| r.index.is_none()).cloned();
        let kind_of = |i: usize| -> Option<&Rejection> {
            rejections.iter().find(|r| r.index == Some(i)).or(whole_call.as_ref())
        };
        let mut by_kind: Vec<(Rejection, Vec<usize>)> = Vec::new();
        let mut untouched = Vec::new();
        for i in 0..group.rows.len() {
            match kind_of(i) {
                Some(r) => match by_kind.iter_mut().find(|(k, _)| k.kind == r.kind) {
                    Some((_, rows)) => rows.push(i),
                    None => by_kind.push((r.clone(), vec![i])),
                },
                None => untouched.push(group.rows[i].listing_id),
            }
        }
        self.summary.failures += 1;
        for (rejection, rows) in by_kind {
            self.handle_rejected_rows(group, &rejection, &rows).await?;
        }
        queue::release(self.store.connection(), &untouched)
    }

    /// Whether a bulk submission is due, and which rows it takes: due with a backlog deep
    /// enough for the channel's bulk path (the path not paused by a stuck submission, none
    /// already in progress). It takes bulk rows only, leaving urgent ones to the fast path
    /// beside it, unless the urgent rows alone fill one (a feed is then still the fastest way).
    fn bulk_selection(&self) -> Result<Option<Selection>> {
        let Some(threshold) = self.client.bulk_threshold() else { return Ok(None) };
        if self.bulk_flight.is_some()
            || self.bulk_paused_until.is_some_and(|t| Instant::now() < t)
            || self.client.bulk_max() == 0
        {
            return Ok(None);
        }
        let conn = self.store.connection();
        if queue::queue_depth(conn, &self.channel)? < threshold as i64 {
            return Ok(None);
        }
        Ok(Some(if queue::urgent_due(conn, &self.channel, threshold)? >= threshold {
            Selection::UrgentFirst
        } else {
            Selection::BulkOnly
        }))
    }

    /// Starts one bulk submission (Amazon JSON_LISTINGS_FEED) on its own task; the fast path
    /// keeps going meanwhile and [`Self::finish_bulk`] applies the outcome.
    fn submit_bulk(&mut self, group: Group) -> Result<Progress> {
        let updates: Vec<QuantityUpdate> = group
            .rows
            .iter()
            .map(|r| QuantityUpdate { listing: r.remote.clone(), quantity: r.qty, change_from: None })
            .collect();
        queue::count_attempt(self.store.connection(), &self.channel)?;
        self.summary.calls += 1;
        self.summary.bulk_submissions += 1;
        let client = Arc::clone(&self.client);
        let task = tokio::spawn(async move { client.bulk_push(&updates).await });
        self.bulk_flight = Some(BulkFlight { group, task });
        Ok(Progress::Sent)
    }

    /// Applies a finished bulk submission's outcome. Its group is never kept: whatever fails
    /// is released and goes again (absolute values are safe to resend).
    async fn finish_bulk(&mut self) -> Result<Progress> {
        let Some(BulkFlight { group, task }) = self.bulk_flight.take() else { return Ok(Progress::Idle) };
        let result = task.await.unwrap_or_else(|e| {
            Err(ChannelError::Uncertain(format!("the bulk submission's task ended: {e}")))
        });
        let all = group.listing_ids();
        match result {
            Ok(BulkOutcome::Done(results)) => {
                let accepted = Group {
                    key: group.key.clone(),
                    rows: group
                        .rows
                        .iter()
                        .zip(&results)
                        .filter(|(_, r)| r.is_none())
                        .map(|(row, _)| row.clone())
                        .collect(),
                };
                if !accepted.rows.is_empty() {
                    self.acknowledge_accepted(&accepted)?;
                }
                for (row, rejection) in group.rows.iter().zip(results) {
                    if let Some(rejection) = rejection {
                        queue::dead_letter(
                            self.store.connection(),
                            &self.channel,
                            &[row.listing_id],
                            &rejection.code,
                            &rejection.message,
                        )?;
                    }
                }
            }
            Ok(BulkOutcome::Failed(why)) => {
                let mut failure = self.failure(&group, "bulk failed", &why);
                failure.keep_group = false;
                queue::fail(self.store.connection(), &self.channel, &group, &all, &failure)?;
                self.summary.failures += 1;
            }
            Ok(BulkOutcome::Stuck { status, stock_outs }) => {
                // Alert, pause the bulk path, and send the stock-outs on the fast path now;
                // the rest follow on the fast path too (the stuck feed may still apply them,
                // and resending an absolute value is harmless).
                self.bulk_paused_until = Some(Instant::now() + self.config.bulk_pause);
                let message = format!(
                    "{status} past its threshold: {} stock-outs go on the fast path",
                    stock_outs.len()
                );
                let zero: Vec<i64> =
                    stock_outs.iter().filter_map(|&i| group.rows.get(i)).map(|r| r.listing_id).collect();
                let rest: Vec<i64> = all.iter().copied().filter(|id| !zero.contains(id)).collect();
                let mut failure = self.failure(&group, "bulk stuck", &message);
                failure.keep_group = false;
                failure.burn_attempt = false;
                failure.delay = Duration::ZERO;
                queue::fail(self.store.connection(), &self.channel, &group, &zero, &failure)?;
                failure.delay = self.config.deferred_retry;
                queue::fail(self.store.connection(), &self.channel, &group, &rest, &failure)?;
                self.summary.failures += 1;
            }
            Err(error) => {
                let message = error.to_string();
                let mut failure = self.failure(&group, "bulk", &message);
                failure.keep_group = false;
                failure.burn_attempt =
                    !matches!(error, ChannelError::Throttled { .. } | ChannelError::Offline(_));
                queue::fail(self.store.connection(), &self.channel, &group, &all, &failure)?;
                self.summary.failures += 1;
                if matches!(error, ChannelError::Offline(_)) {
                    self.offline_probes += 1;
                    return Ok(Progress::Offline);
                }
            }
        }
        Ok(Progress::Sent)
    }

    /// Reads back accepted values that are due for confirmation; true when it made a call.
    async fn confirm_due(&mut self) -> Result<bool> {
        let max_read = self.client.limits().max_read.max(1);
        let batch = queue::due_confirmations(self.store.connection(), &self.channel, max_read)?;
        if batch.is_empty() {
            return Ok(false);
        }
        let listings: Vec<_> = batch.iter().map(|u| u.row.remote.clone()).collect();
        self.bucket.acquire(self.client.read_cost(listings.len())).await;
        let levels = match self.client.read_levels(&listings).await {
            Ok(answer) => answer.value,
            Err(_) => {
                // Try again later; a read that fails is not a gap.
                for u in &batch {
                    queue::confirm_later(
                        self.store.connection(),
                        u.row.listing_id,
                        self.config.confirm_after,
                    )?;
                }
                return Ok(true);
            }
        };
        for (u, level) in batch.into_iter().zip(levels) {
            let id = u.row.listing_id;
            if level == Some(u.row.qty) {
                queue::confirmed_applied(self.store.connection(), id, u.row.version, u.row.qty)?;
                continue;
            }
            let give_up = u.gaps + 1 >= self.config.confirm_gaps;
            let outcome =
                queue::record_unapplied(self.store.connection(), &self.channel, &u.row, level, give_up)?;
            if outcome == queue::Unapplied::Resent {
                queue::gap_found(self.store.connection(), id)?;
            } else {
                queue::confirmed(self.store.connection(), id)?;
            }
        }
        Ok(true)
    }

    /// Some entries failed on their own (eBay 207): every row not named applied and is
    /// acknowledged now (never sent again); the named ones get what their refusal calls for.
    async fn handle_partial(&mut self, group: &Group, rejections: Vec<Rejection>) -> Result<()> {
        let named = |i: usize| rejections.iter().any(|r| r.index == Some(i));
        let applied = Group {
            key: group.key.clone(),
            rows: (0..group.rows.len()).filter(|&i| !named(i)).map(|i| group.rows[i].clone()).collect(),
        };
        if !applied.rows.is_empty() {
            self.acknowledge(&applied)?;
        }
        self.summary.failures += 1;
        let mut by_kind: Vec<(Rejection, Vec<usize>)> = Vec::new();
        for rejection in rejections.into_iter().filter(|r| r.index.is_some_and(|i| i < group.rows.len())) {
            let i = rejection.index.unwrap_or_default();
            match by_kind.iter_mut().find(|(k, _)| k.kind == rejection.kind && k.code == rejection.code) {
                Some((_, rows)) => rows.push(i),
                None => by_kind.push((rejection, vec![i])),
            }
        }
        for (rejection, rows) in by_kind {
            self.handle_rejected_rows(group, &rejection, &rows).await?;
        }
        Ok(())
    }

    async fn handle_rejected_rows(
        &mut self,
        group: &Group,
        rejection: &Rejection,
        rows: &[usize],
    ) -> Result<()> {
        let ids: Vec<i64> = rows.iter().map(|&i| group.rows[i].listing_id).collect();
        let message = format!("{}: {}", rejection.code, rejection.message);
        match rejection.kind {
            RejectionKind::Stale => self.resolve_stale(group, rows).await,
            RejectionKind::Permanent => queue::dead_letter(
                self.store.connection(),
                &self.channel,
                &ids,
                &rejection.code,
                &rejection.message,
            ),
            RejectionKind::InFlight => {
                let mut failure = self.failure(group, "in flight", &message);
                failure.keep_group = true;
                queue::fail(self.store.connection(), &self.channel, group, &ids, &failure).map(drop)
            }
            RejectionKind::NewKeyNeeded => {
                let mut failure = self.failure(group, "new key", &message);
                failure.delay = Duration::ZERO;
                queue::fail(self.store.connection(), &self.channel, group, &ids, &failure).map(drop)
            }
            RejectionKind::Deferred => {
                let mut failure = self.failure(group, "deferred", &message);
                failure.burn_attempt = false;
                failure.delay = self.config.deferred_retry;
                queue::fail(self.store.connection(), &self.channel, group, &ids, &failure).map(drop)
            }
            RejectionKind::Temporary => {
                let failure = self.failure(group, "temporary", &message);
                queue::fail(self.store.connection(), &self.channel, group, &ids, &failure).map(drop)
            }
        }
    }

    /// Compare-and-set failed: read what the channel holds now, hand the difference to
    /// capture, recompute and resend (the rows are due at once).
    async fn resolve_stale(&mut self, group: &Group, rows: &[usize]) -> Result<()> {
        let max_read = self.client.limits().max_read.max(1);
        for chunk in rows.chunks(max_read) {
            let listings: Vec<_> = chunk.iter().map(|&i| group.rows[i].remote.clone()).collect();
            self.bucket.acquire(self.client.read_cost(listings.len())).await;
            let read = self.client.read_levels(&listings).await;
            let ids: Vec<i64> = chunk.iter().map(|&i| group.rows[i].listing_id).collect();
            let levels = match read {
                Ok(answer) => {
                    self.observe(answer.rate.as_ref());
                    answer.value
                }
                Err(error) => {
                    let message = format!("reading levels after a stale compare: {error}");
                    let failure = self.failure(group, "stale read failed", &message);
                    queue::fail(self.store.connection(), &self.channel, group, &ids, &failure)?;
                    continue;
                }
            };
            for (&i, level) in chunk.iter().zip(levels) {
                let row = &group.rows[i];
                self.summary.stale += 1;
                match level {
                    Some(observed) => queue::record_stale(
                        self.store.connection(),
                        &self.channel,
                        row,
                        observed,
                        self.config.max_attempts,
                    )?,
                    None => queue::dead_letter(
                        self.store.connection(),
                        &self.channel,
                        &[row.listing_id],
                        "NOT_FOUND",
                        "the channel does not know this listing",
                    )?,
                }
            }
        }
        Ok(())
    }
}
