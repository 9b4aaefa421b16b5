//! The simulated world: three channels selling from their own listed quantities, a real
//! ledger, and one sync mode (ShelfSync's event-driven engine, or a periodic batch sync),
//! driven by a discrete-event loop on a virtual clock (milliseconds).
//!
//! Why a virtual clock: a week of orders cannot run in real time. What is real: the ledger
//! file, its append, capture's event ids and deduplication, and the allocation every push
//! carries. What is modelled: the delays (see `timing`).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use shelfsync_capture::orders::Source;
use shelfsync_core::flash::FlashSaleRule;

use crate::BenchError;
use crate::ledger::Ledger;
use crate::timing::{CHANNEL_IDS, ChannelId, ENGINE_LATENCY_MS, poll_every_ms, reconcile_every_ms};

/// One customer order on one channel.
#[derive(Clone, Copy, Debug)]
pub struct SimOrder {
    pub at: i64,
    pub channel: ChannelId,
    pub sku: usize,
    pub qty: u32,
    /// Its notification never arrives (webhook loss).
    pub lost: bool,
    /// Sale to notification at ShelfSync.
    pub delay: i64,
}

/// A manual correction made at the workstation.
#[derive(Clone, Copy, Debug)]
pub struct Adjustment {
    pub at: i64,
    pub sku: usize,
    pub delta: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sync {
    /// ShelfSync: notifications book sales as they arrive (on the channels that have them as
    /// built: `timing::notified`) and every booking is pushed after the engine's latency;
    /// optionally the polling (per channel, capture's periods) and reconciliation safety nets.
    Event { polling: bool, reconcile: bool },
    /// A periodic batch sync: pull orders and push a snapshot every `every` ms.
    Batch { every: i64 },
}

#[derive(Clone, Debug)]
pub struct Mode {
    pub name: String,
    pub sync: Sync,
    /// ShelfSync's flash-sale mode, switched on in the ledger's settings as an admin would
    /// (`shelfsync sync flash-sale on`); `None` leaves it off, the default.
    pub flash_sale: Option<FlashSaleRule>,
}

impl Mode {
    pub fn shelfsync() -> Mode {
        Mode {
            name: "shelfsync".into(),
            sync: Sync::Event { polling: true, reconcile: true },
            flash_sale: None,
        }
    }

    /// ShelfSync as built with flash-sale mode on at its default rule.
    pub fn shelfsync_flash_sale() -> Mode {
        Mode {
            name: "shelfsync-flash-sale".into(),
            flash_sale: Some(FlashSaleRule::default()),
            ..Mode::shelfsync()
        }
    }

    pub fn batch(name: String, every: i64) -> Mode {
        Mode { name, sync: Sync::Batch { every }, flash_sale: None }
    }
}

/// The sync cannot reach the channels from `from`: ShelfSync resumes each channel at
/// `resume[c]` (halt end, or the first probe after a reconnect); batch sync skips its runs
/// until `to`.
#[derive(Clone, Copy, Debug)]
pub struct Pause {
    pub from: i64,
    pub to: i64,
    pub resume: [i64; 3],
}

#[derive(Clone, Debug, Default)]
pub struct Setup {
    pub stock: Vec<u32>,
    /// Sorted by time.
    pub orders: Vec<SimOrder>,
    pub adjustments: Vec<Adjustment>,
    pub horizon: i64,
    pub pause: Option<Pause>,
    /// Times at which phantom units are sampled.
    pub samples: Vec<i64>,
}

#[derive(Clone, Debug, Default)]
pub struct Outcome {
    pub initial_units: i64,
    pub adjusted_units: i64,
    pub demanded_units: i64,
    pub sold_units: i64,
    pub refused_units: i64,
    pub oversold_units: i64,
    /// Units sold on channels but not booked in the ledger at the end.
    pub unbooked_units: i64,
    /// Real stock left (negative where oversold), summed.
    pub remaining_units: i64,
    /// From the ledger file: units booked as sold, and ATP, summed.
    pub ledger_committed: i64,
    pub ledger_atp: i64,
    pub lost_notifications: u64,
    pub duplicates: u64,
    /// Units sold while the sync was paused: what the guide calls "at risk".
    pub sold_in_pause: i64,
    /// Units listed beyond the real stock, over every channel, as the pause ended.
    pub overstated_at_resume: i64,
    /// Phantom units (the ledger's ATP minus the real stock) at each sample time.
    pub phantom: Vec<i64>,
    /// Sale on one channel to every channel holding the new quantity, ms, for booked sales.
    pub reflect_ms: Vec<i64>,
    /// Times of pushes per channel (ShelfSync), for the peak call rate.
    pub push_times: [Vec<i64>; 3],
    /// When every channel last received a push (time to right after a pause).
    pub last_push: [i64; 3],
    /// Every channel lists what the ledger allocates, less its own sales not yet booked and the
    /// other channels' unseen sales the engine has found, at the end.
    pub all_right_at_end: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Ev {
    Order(usize),
    Notify(usize),
    Push(usize, usize),
    Poll(usize),
    Reconcile,
    Batch,
    Adjust(usize),
    PauseEnds,
    Resume(usize),
    Sample(usize),
    /// The service's once-a-minute look at items whose flash sale may have ended.
    FlashRelease,
}

/// How often the service lifts ended flash sales (`shelfsync serve`'s job, every minute).
const FLASH_RELEASE_EVERY_MS: i64 = 60_000;

/// Most events a run may hold in its queue: far above the largest scenario, and a bound on
/// memory if a bug schedules without end.
const MAX_QUEUED: usize = 5_000_000;

pub struct World<'a> {
    setup: &'a Setup,
    mode: Sync,
    ledger: Ledger,
    now: i64,
    seq: u64,
    queue: BinaryHeap<Reverse<(i64, u64, Ev)>>,
    listed: [Vec<i64>; 3],
    /// What ShelfSync last set on each channel (the channel's own sales lower `listed` after).
    pushed: [Vec<i64>; 3],
    flash_sale: bool,
    /// Real stock per SKU: received minus adjustments minus units sold (negative = oversold).
    real: Vec<i64>,
    unbooked: [Vec<i64>; 3],
    /// Unbooked units the engine has found on each channel (its recorded unseen drops): found
    /// at a push that reads, settled as their orders are booked. They lower every channel.
    seen: [Vec<i64>; 3],
    /// The queued push of (channel, SKU) is reconciliation's re-push (bulk, unread); a push a
    /// ledger event queues is urgent, and urgent wins.
    queued_bulk: [Vec<bool>; 3],
    accepted: Vec<bool>,
    booked: Vec<bool>,
    dirty: Vec<usize>,
    /// Accepted orders not yet booked (in acceptance order), for batch runs and reconciliation.
    waiting: Vec<usize>,
    pending: [Vec<usize>; 3],
    /// A push of (channel, SKU) is already queued: like the outbox's one row per listing, a
    /// newer change rides with it and the push carries the allocation of its moment.
    queued: [Vec<bool>; 3],
    /// Per channel: when it was last polled.
    last_poll: [i64; 3],
    out: Outcome,
}

impl<'a> World<'a> {
    pub fn run(setup: &'a Setup, mode: &Mode) -> Result<Outcome, BenchError> {
        let mut ledger = Ledger::new(&setup.stock)?;
        if let Some(rule) = mode.flash_sale {
            ledger.set_flash_sale(rule)?;
        }
        let mut listed: [Vec<i64>; 3] = Default::default();
        for c in CHANNEL_IDS {
            listed[c as usize] =
                (0..setup.stock.len()).map(|s| ledger.allocation(c, s, 0)).collect::<Result<_, _>>()?;
        }
        let n = setup.stock.len();
        let mut world = World {
            setup,
            mode: mode.sync,
            ledger,
            now: 0,
            seq: 0,
            queue: BinaryHeap::new(),
            pushed: listed.clone(),
            listed,
            flash_sale: mode.flash_sale.is_some(),
            real: setup.stock.iter().map(|&q| i64::from(q)).collect(),
            unbooked: [vec![0; n], vec![0; n], vec![0; n]],
            seen: [vec![0; n], vec![0; n], vec![0; n]],
            queued_bulk: [vec![false; n], vec![false; n], vec![false; n]],
            accepted: vec![false; setup.orders.len()],
            booked: vec![false; setup.orders.len()],
            dirty: Vec::new(),
            waiting: Vec::new(),
            pending: Default::default(),
            queued: [vec![false; n], vec![false; n], vec![false; n]],
            last_poll: [0; 3],
            out: Outcome {
                initial_units: setup.stock.iter().map(|&q| i64::from(q)).sum(),
                ..Outcome::default()
            },
        };
        world.schedule_start()?;
        world.run_loop()?;
        world.finish()
    }

    fn schedule(&mut self, at: i64, ev: Ev) -> Result<(), BenchError> {
        if self.queue.len() >= MAX_QUEUED {
            return Err(BenchError::Invalid(format!("more than {MAX_QUEUED} simulated events queued")));
        }
        self.seq += 1;
        self.queue.push(Reverse((at, self.seq, ev)));
        Ok(())
    }

    fn schedule_start(&mut self) -> Result<(), BenchError> {
        for (i, order) in self.setup.orders.iter().enumerate() {
            self.schedule(order.at, Ev::Order(i))?;
        }
        for (i, adjustment) in self.setup.adjustments.iter().enumerate() {
            self.schedule(adjustment.at, Ev::Adjust(i))?;
        }
        for (i, at) in self.setup.samples.iter().enumerate() {
            self.schedule(*at, Ev::Sample(i))?;
        }
        if let Some(pause) = self.setup.pause {
            self.schedule(pause.to, Ev::PauseEnds)?;
            for c in CHANNEL_IDS {
                if matches!(self.mode, Sync::Event { .. }) {
                    self.schedule(pause.resume[c as usize], Ev::Resume(c as usize))?;
                }
            }
        }
        match self.mode {
            Sync::Event { polling, reconcile, .. } => {
                if polling {
                    for c in CHANNEL_IDS {
                        self.schedule(poll_every_ms(c), Ev::Poll(c as usize))?;
                    }
                }
                if reconcile {
                    self.schedule(reconcile_every_ms(), Ev::Reconcile)?;
                }
            }
            Sync::Batch { every } => self.schedule(every, Ev::Batch)?,
        }
        if self.flash_sale {
            self.schedule(FLASH_RELEASE_EVERY_MS, Ev::FlashRelease)?;
        }
        self.out.phantom = vec![0; self.setup.samples.len()];
        Ok(())
    }

    fn run_loop(&mut self) -> Result<(), BenchError> {
        while let Some(Reverse((at, _, ev))) = self.queue.pop() {
            if at > self.setup.horizon {
                break;
            }
            self.now = at;
            self.handle(ev)?;
        }
        Ok(())
    }

    fn handle(&mut self, ev: Ev) -> Result<(), BenchError> {
        match ev {
            Ev::Order(i) => self.order(i),
            Ev::Notify(i) => self.book(i, Source::Webhook).map(drop),
            Ev::Push(c, s) => self.push(c, s),
            Ev::Poll(c) => self.poll(c),
            Ev::Reconcile => self.reconcile(),
            Ev::Batch => self.batch(),
            Ev::Adjust(i) => self.adjust(i),
            Ev::PauseEnds => {
                self.out.overstated_at_resume = self.overstated();
                Ok(())
            }
            Ev::Resume(c) => self.resume(c),
            Ev::FlashRelease => self.flash_release(),
            Ev::Sample(i) => {
                self.out.phantom[i] = self.ledger.total_atp()? - self.real.iter().sum::<i64>();
                Ok(())
            }
        }
    }

    fn paused_for(&self, channel: usize) -> bool {
        self.setup.pause.is_some_and(|p| self.now >= p.from && self.now < p.resume[channel])
    }

    fn in_pause(&self) -> bool {
        self.setup.pause.is_some_and(|p| self.now >= p.from && self.now < p.to)
    }

    /// A customer orders on a channel: sold only if the channel still lists enough.
    fn order(&mut self, i: usize) -> Result<(), BenchError> {
        let order = self.setup.orders[i];
        let (c, s, qty) = (order.channel as usize, order.sku, i64::from(order.qty));
        self.out.demanded_units += qty;
        if self.listed[c][s] < qty {
            self.out.refused_units += qty;
            return Ok(());
        }
        self.listed[c][s] -= qty;
        self.real[s] -= qty;
        self.unbooked[c][s] += qty;
        self.accepted[i] = true;
        self.out.sold_units += qty;
        self.waiting.push(i);
        if self.in_pause() {
            self.out.sold_in_pause += qty;
        }
        if let Sync::Event { .. } = self.mode {
            if !crate::timing::notified(order.channel) {
                return Ok(());
            }
            if order.lost {
                self.out.lost_notifications += 1;
            } else {
                self.schedule(order.at + order.delay, Ev::Notify(i))?;
            }
        }
        Ok(())
    }

    /// Books an accepted order in the ledger (again, for re-deliveries: the ledger dedups).
    fn book(&mut self, i: usize, source: Source) -> Result<bool, BenchError> {
        let order = self.setup.orders[i];
        let recorded = self.ledger.book_order(order.channel, i, order.sku, order.qty, order.at, source)?;
        if !recorded {
            self.out.duplicates += 1;
            return Ok(false);
        }
        if self.booked[i] {
            return Err(BenchError::Invalid(format!("order {i} was booked twice in the ledger")));
        }
        self.booked[i] = true;
        let (c, s) = (order.channel as usize, order.sku);
        self.unbooked[c][s] -= i64::from(order.qty);
        // Booking the order settles the drop it explains (never counted twice).
        self.seen[c][s] = self.seen[c][s].min(self.unbooked[c][s]);
        match self.mode {
            Sync::Event { .. } => {
                let resume = self
                    .setup
                    .pause
                    .filter(|_| self.in_pause())
                    .map(|p| p.resume.into_iter().max().unwrap_or(p.to));
                self.out.reflect_ms.push(resume.unwrap_or(self.now + ENGINE_LATENCY_MS) - order.at);
                for c in 0..3 {
                    self.queue_push(c, order.sku, self.now + ENGINE_LATENCY_MS)?;
                }
            }
            Sync::Batch { .. } => {
                self.out.reflect_ms.push(self.now - order.at);
                self.dirty.push(order.sku);
            }
        }
        Ok(true)
    }

    /// ShelfSync sets a channel's quantity to the store's allocation less every unseen sale
    /// it has found on any channel. Shopify's write is a compare-and-set: a sale on Shopify the
    /// ledger has not seen makes it stale, and the engine re-reads and records it. Amazon and
    /// eBay take the absolute number, after a read when the push is urgent (a ledger event's);
    /// reconciliation's re-push is bulk and goes unread.
    fn queue_push(&mut self, c: usize, s: usize, at: i64) -> Result<(), BenchError> {
        self.queue_push_as(c, s, at, false)
    }

    fn queue_push_as(&mut self, c: usize, s: usize, at: i64, bulk: bool) -> Result<(), BenchError> {
        if self.queued[c][s] {
            self.queued_bulk[c][s] &= bulk;
            return Ok(());
        }
        self.queued[c][s] = true;
        self.queued_bulk[c][s] = bulk;
        self.schedule(at, Ev::Push(c, s))
    }

    fn push(&mut self, c: usize, s: usize) -> Result<(), BenchError> {
        self.queued[c][s] = false;
        if self.paused_for(c) {
            if !self.pending[c].contains(&s) {
                self.pending[c].push(s);
            }
            return Ok(());
        }
        let reads = c == ChannelId::Shopify as usize || !self.queued_bulk[c][s];
        self.queued_bulk[c][s] = false;
        if reads {
            let found = self.unbooked[c][s];
            if found > self.seen[c][s] {
                // A new unseen sale lowers the other channels too: their rows are re-queued.
                for other in (0..3).filter(|&o| o != c) {
                    self.queue_push(other, s, self.now + ENGINE_LATENCY_MS)?;
                }
            }
            self.seen[c][s] = found;
        }
        let unseen: i64 = (0..3).map(|o| self.seen[o][s]).sum();
        let qty = (self.ledger.allocation(CHANNEL_IDS[c], s, self.now)? - unseen).max(0);
        self.listed[c][s] = qty;
        self.pushed[c][s] = qty;
        self.out.push_times[c].push(self.now);
        self.out.last_push[c] = self.now;
        Ok(())
    }

    /// The channel is reachable again: the outbox drains at the channel's rate, one call per
    /// batch of its size (Shopify 250, eBay 25, Amazon 1 per patch).
    fn resume(&mut self, c: usize) -> Result<(), BenchError> {
        let pending = std::mem::take(&mut self.pending[c]);
        let channel = CHANNEL_IDS[c];
        let per_call = match channel {
            ChannelId::Shopify => shelfsync_channels::shopify::MAX_QUANTITIES_PER_CALL,
            ChannelId::Amazon => 1,
            ChannelId::Ebay => shelfsync_channels::ebay::MAX_ENTRIES,
        };
        let call_ms = 1000.0 / channel.calls_per_second_limit();
        for (k, s) in pending.into_iter().enumerate() {
            let at = self.now + ENGINE_LATENCY_MS + ((k / per_call) as f64 * call_ms) as i64;
            self.queue_push(c, s, at)?;
        }
        Ok(())
    }

    /// The polling safety net of channel `c`: every order placed on it since its last poll is
    /// delivered again.
    fn poll(&mut self, c: usize) -> Result<(), BenchError> {
        let since = self.last_poll[c];
        self.last_poll[c] = self.now;
        let first = self.setup.orders.partition_point(|o| o.at < since);
        for i in first..self.setup.orders.len() {
            let order = self.setup.orders[i];
            if order.at > self.now {
                break;
            }
            if order.channel as usize == c && self.accepted[i] {
                self.book(i, Source::Poll)?;
            }
        }
        self.schedule(self.now + poll_every_ms(CHANNEL_IDS[c]), Ev::Poll(c))
    }

    /// Books every accepted order not booked yet.
    fn book_waiting(&mut self) -> Result<(), BenchError> {
        for i in std::mem::take(&mut self.waiting) {
            if !self.booked[i] {
                self.book(i, Source::Poll)?;
            }
        }
        Ok(())
    }

    /// Reconciliation: every order the channels report is booked, then every listing is set to
    /// the central figure (the default conflict rule: central wins).
    fn reconcile(&mut self) -> Result<(), BenchError> {
        self.book_waiting()?;
        for c in 0..3 {
            for s in 0..self.setup.stock.len() {
                self.queue_push_as(c, s, self.now + ENGINE_LATENCY_MS, true)?;
            }
        }
        self.schedule(self.now + reconcile_every_ms(), Ev::Reconcile)
    }

    /// The service's job (`Store::release_ended_flash_sales`): a listing whose allocation no
    /// longer matches what was last set on its channel, because a flash sale's window ended,
    /// is queued again, as the store's re-queue queues an outbox row only where the quantity
    /// moves.
    fn flash_release(&mut self) -> Result<(), BenchError> {
        for s in 0..self.setup.stock.len() {
            let unseen: i64 = (0..3).map(|o| self.seen[o][s]).sum();
            for c in CHANNEL_IDS {
                let want = (self.ledger.allocation(c, s, self.now)? - unseen).max(0);
                if want != self.pushed[c as usize][s] {
                    self.queue_push(c as usize, s, self.now + ENGINE_LATENCY_MS)?;
                }
            }
        }
        self.schedule(self.now + FLASH_RELEASE_EVERY_MS, Ev::FlashRelease)
    }

    /// One batch run: pull every order, book it, push a snapshot of what changed.
    fn batch(&mut self) -> Result<(), BenchError> {
        let Sync::Batch { every } = self.mode else { return Ok(()) };
        if !self.in_pause() {
            self.book_waiting()?;
            let mut dirty = std::mem::take(&mut self.dirty);
            dirty.sort_unstable();
            dirty.dedup();
            for s in dirty {
                for c in CHANNEL_IDS {
                    self.listed[c as usize][s] = self.ledger.allocation(c, s, self.now)?;
                    self.out.last_push[c as usize] = self.now;
                }
            }
        }
        self.schedule(self.now + every, Ev::Batch)
    }

    fn adjust(&mut self, i: usize) -> Result<(), BenchError> {
        let adjustment = self.setup.adjustments[i];
        self.ledger.adjust(adjustment.sku, adjustment.delta, adjustment.at)?;
        self.real[adjustment.sku] += adjustment.delta;
        self.out.adjusted_units += adjustment.delta;
        match self.mode {
            Sync::Event { .. } => {
                for c in 0..3 {
                    self.queue_push(c, adjustment.sku, self.now + ENGINE_LATENCY_MS)?;
                }
            }
            Sync::Batch { .. } => self.dirty.push(adjustment.sku),
        }
        Ok(())
    }

    /// Units listed beyond the real stock, over every channel and SKU.
    fn overstated(&self) -> i64 {
        let mut total = 0;
        for listed in &self.listed {
            for (s, qty) in listed.iter().enumerate() {
                total += (qty - self.real[s].max(0)).max(0);
            }
        }
        total
    }

    fn finish(mut self) -> Result<Outcome, BenchError> {
        self.out.oversold_units = self.real.iter().map(|r| (-r).max(0)).sum();
        self.out.remaining_units = self.real.iter().sum();
        self.out.unbooked_units = self.unbooked.iter().flatten().sum();
        self.out.ledger_committed = self.ledger.total_committed()?;
        self.out.ledger_atp = self.ledger.total_atp()?;
        self.out.all_right_at_end = self.all_right()?;
        Ok(self.out)
    }

    fn all_right(&self) -> Result<bool, BenchError> {
        for c in CHANNEL_IDS {
            for s in 0..self.setup.stock.len() {
                let elsewhere: i64 = (0..3).filter(|&o| o != c as usize).map(|o| self.seen[o][s]).sum();
                let want =
                    (self.ledger.allocation(c, s, self.now)? - elsewhere - self.unbooked[c as usize][s])
                        .max(0);
                if self.listed[c as usize][s] != want {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }
}

/// The `p`-quantile of unsorted values (nearest rank); None when empty.
pub fn quantile(values: &[i64], p: f64) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let rank = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

/// The most pushes in any one-second window.
pub fn peak_per_second(times: &[i64]) -> usize {
    let mut sorted = times.to_vec();
    sorted.sort_unstable();
    let mut best = 0;
    let mut start = 0;
    for end in 0..sorted.len() {
        while sorted[end] - sorted[start] >= 1_000 {
            start += 1;
        }
        best = best.max(end - start + 1);
    }
    best
}
