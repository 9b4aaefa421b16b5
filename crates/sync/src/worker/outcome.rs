//! What an answer does to the rows it covers: errors, refusals per entry (stale, permanent,
//! in flight, new key, deferred, temporary), eBay's partial results, and the read a stale
//! compare-and-set calls for.

use super::*;

impl<C: Channel> Worker<C> {
    pub(super) fn handle_error(&mut self, group: &Group, error: ChannelError) -> Result<Progress> {
        let store = &self.store;
        let message = error.to_string();
        let ids = group.listing_ids();
        if !matches!(error, ChannelError::Offline(_)) {
            // A connection was made, so the channel is back: its groups form and go as usual
            // again (an outage's probe that ends in a timeout, a 5xx or a refusal is no longer
            // the only group allowed to go).
            self.offline_probes = 0;
        }
        match error {
            ChannelError::Throttled { retry_after, rate } => {
                // Not a failure: nothing applied, the same request goes again once the bucket
                // (or Retry-After) allows.
                queue::count_throttle(store, &self.channel)?;
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
                    queue::fail(&self.store, &self.channel, group, &ids, &failure)?;
                    self.long_pause = Some(wait);
                    return Ok(Progress::Offline);
                }
                self.bucket.throttled(rate.as_ref(), retry_after, Instant::now());
                Ok(Progress::Sent)
            }
            ChannelError::Offline(_) => {
                self.offline_probes += 1;
                queue::set_offline(store, &self.channel)?;
                let mut failure = self.failure(group, "offline", &message);
                failure.burn_attempt = group.max_attempts() < self.config.offline_attempt_bound;
                failure.keep_group = true;
                failure.delay = self
                    .config
                    .backoff
                    .delay(self.offline_probes, &mut self.rng)
                    .min(self.config.offline_probe_max);
                queue::fail(&self.store, &self.channel, group, &ids, &failure)?;
                self.summary.failures += 1;
                Ok(Progress::Offline)
            }
            ChannelError::Uncertain(_) => {
                if self.client.reads_before_urgent_push() {
                    queue::forget_belief(&self.store, &ids)?;
                }
                let mut failure = self.failure(group, "no answer", &message);
                failure.keep_group = true;
                failure.outcome_unknown = true;
                queue::fail(&self.store, &self.channel, group, &ids, &failure)?;
                self.summary.failures += 1;
                Ok(Progress::Sent)
            }
            ChannelError::Auth(_) | ChannelError::Refused(_) | ChannelError::Config(_) => {
                let failure = self.failure(group, "refused", &message);
                queue::fail(&self.store, &self.channel, group, &ids, &failure)?;
                self.summary.failures += 1;
                Ok(Progress::Sent)
            }
        }
    }

    /// The channel refused the call (nothing applied). Each named row gets what its refusal
    /// calls for; rows nobody named were fine and go again at once under a new key.
    pub(super) async fn handle_rejections(
        &mut self,
        group: &Group,
        rejections: Vec<Rejection>,
    ) -> Result<()> {
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
        Ok(queue::release(&self.store, &untouched)?)
    }

    /// Some entries failed on their own (eBay 207): every row not named applied and is
    /// acknowledged now (never sent again); the named ones get what their refusal calls for.
    pub(super) async fn handle_partial(&mut self, group: &Group, rejections: Vec<Rejection>) -> Result<()> {
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

    pub(super) async fn handle_rejected_rows(
        &mut self,
        group: &Group,
        rejection: &Rejection,
        rows: &[usize],
    ) -> Result<()> {
        let ids: Vec<i64> = rows.iter().map(|&i| group.rows[i].listing_id).collect();
        let message = format!("{}: {}", rejection.code, rejection.message);
        match rejection.kind {
            RejectionKind::Stale => self.resolve_stale(group, rows).await,
            RejectionKind::Permanent => {
                Ok(queue::dead_letter(&self.store, &self.channel, &ids, &rejection.code, &rejection.message)?)
            }
            RejectionKind::InFlight => {
                let mut failure = self.failure(group, "in flight", &message);
                failure.keep_group = true;
                Ok(queue::fail(&self.store, &self.channel, group, &ids, &failure).map(drop)?)
            }
            RejectionKind::NewKeyNeeded => {
                let mut failure = self.failure(group, "new key", &message);
                failure.delay = Duration::ZERO;
                Ok(queue::fail(&self.store, &self.channel, group, &ids, &failure).map(drop)?)
            }
            RejectionKind::Deferred => {
                let mut failure = self.failure(group, "deferred", &message);
                failure.burn_attempt = false;
                failure.delay = self.config.deferred_retry;
                Ok(queue::fail(&self.store, &self.channel, group, &ids, &failure).map(drop)?)
            }
            RejectionKind::Temporary => {
                let failure = self.failure(group, "temporary", &message);
                Ok(queue::fail(&self.store, &self.channel, group, &ids, &failure).map(drop)?)
            }
        }
    }

    /// Compare-and-set failed: read what the channel holds now, hand the difference to
    /// capture, recompute and resend (the rows are due at once).
    pub(super) async fn resolve_stale(&mut self, group: &Group, rows: &[usize]) -> Result<()> {
        let max_read = self.client.limits().max_read.max(1);
        for chunk in rows.chunks(max_read) {
            let listings: Vec<_> = chunk.iter().map(|&i| queue::remote(&group.rows[i].remote)).collect();
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
                    queue::fail(&self.store, &self.channel, group, &ids, &failure)?;
                    continue;
                }
            };
            for (&i, level) in chunk.iter().zip(levels) {
                let row = &group.rows[i];
                self.summary.stale += 1;
                match level {
                    Some(observed) => queue::record_stale(
                        &self.store,
                        &self.channel,
                        row,
                        observed,
                        self.config.max_attempts,
                    )?,
                    None => queue::dead_letter(
                        &self.store,
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
