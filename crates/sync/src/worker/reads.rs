//! Reads: before an urgent push on a channel that takes absolute quantities (the unseen-sale
//! model), and the read-back of accepted-but-unconfirmed pushes.

use super::*;

impl<C: Channel> Worker<C> {
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
    pub(super) async fn read_first(&mut self, group: Group) -> Result<Progress> {
        let now = Instant::now();
        let fresh = self.config.read_fresh;
        self.fresh_reads.retain(|_, at| now.duration_since(*at) < fresh);
        if self.fresh_reads.len() > READ_MEMORY {
            self.fresh_reads.clear();
        }
        let store = &self.store;
        let urgent = queue::urgent_in_group(store, &group.key)?;
        let mut targets: Vec<(i64, shelfsync_channels::RemoteListing)> = group
            .rows
            .iter()
            .filter(|r| urgent.contains(&r.listing_id) && !self.fresh_reads.contains_key(&r.listing_id))
            .map(|r| (r.listing_id, queue::remote(&r.remote)))
            .collect();
        if targets.is_empty() {
            self.read_pending.remove(&group.key);
            return self.send(group).await;
        }
        let max_read = self.client.limits().max_read.max(1);
        if targets.len() < max_read {
            // A few more candidates than the read holds: some may have been read just now.
            for (id, remote) in queue::urgent_unsent(store, &self.channel, max_read * 2)? {
                if targets.len() >= max_read {
                    break;
                }
                if !self.fresh_reads.contains_key(&id) && !targets.iter().any(|(t, _)| *t == id) {
                    targets.push((id, queue::remote(&remote)));
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
                    queue::record_read(&self.store, &self.channel, *id, level, &asked_at)?
                {
                    self.summary.unseen_units += units;
                }
                self.fresh_reads.insert(*id, read_at);
            }
        }
        self.read_pending.remove(&group.key);
        self.read_failures.remove(&group.key);
        if !queue::refresh_group(&self.store, &group.key)? {
            queue::release(&self.store, &group.listing_ids())?;
            return Ok(Progress::Sent);
        }
        self.send(group).await
    }

    /// A read before a push failed; nothing was sent. The group is kept and its retry reads
    /// again first: a throttle or an outage as for a push (the offline probe is this read);
    /// any other failure with backoff, burning an attempt, but with no unknown outcome (a read
    /// changes nothing on the channel). Kept, not dissolved: while offline the worker probes
    /// only through a kept group.
    pub(super) fn read_failed(&mut self, group: &Group, error: ChannelError) -> Result<Progress> {
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
                queue::fail(&self.store, &self.channel, group, &group.listing_ids(), &failure)?;
                self.summary.failures += 1;
                Ok(Progress::Sent)
            }
        }
    }

    /// Reads back accepted values that are due for confirmation; true when it made a call.
    pub(super) async fn confirm_due(&mut self) -> Result<bool> {
        let max_read = self.client.limits().max_read.max(1);
        let batch = queue::due_confirmations(&self.store, &self.channel, max_read)?;
        if batch.is_empty() {
            return Ok(false);
        }
        let listings: Vec<_> = batch.iter().map(|u| queue::remote(&u.row.remote)).collect();
        self.bucket.acquire(self.client.read_cost(listings.len())).await;
        let levels = match self.client.read_levels(&listings).await {
            Ok(answer) => answer.value,
            Err(_) => {
                // Try again later; a read that fails is not a gap.
                for u in &batch {
                    queue::confirm_later(&self.store, u.row.listing_id, self.config.confirm_after)?;
                }
                return Ok(true);
            }
        };
        for (u, level) in batch.into_iter().zip(levels) {
            let id = u.row.listing_id;
            if level == Some(u.row.qty) {
                queue::confirmed_applied(&self.store, id, u.row.version, u.row.qty)?;
                continue;
            }
            let give_up = u.gaps + 1 >= self.config.confirm_gaps;
            let outcome = queue::record_unapplied(&self.store, &self.channel, &u.row, level, give_up)?;
            if outcome == queue::Unapplied::Resent {
                queue::gap_found(&self.store, id)?;
            } else {
                queue::confirmed(&self.store, id)?;
            }
        }
        Ok(true)
    }
}
