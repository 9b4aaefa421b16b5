//! The bulk path beside the fast one: when a backlog is worth a bulk submission (Amazon's
//! feed), forming it, sending it on its own task, and applying its outcome.

use super::*;

impl<C: Channel> Worker<C> {
    /// Whether a bulk submission is due, and which rows it takes: due with a backlog deep
    /// enough for the channel's bulk path (the path not paused by a stuck submission, none
    /// already in progress). It takes bulk rows only, leaving urgent ones to the fast path
    /// beside it, unless the urgent rows alone fill one (a feed is then still the fastest way).
    pub(super) fn bulk_selection(&self) -> Result<Option<Selection>> {
        let Some(threshold) = self.client.bulk_threshold() else { return Ok(None) };
        if self.bulk_flight.is_some()
            || self.bulk_paused_until.is_some_and(|t| Instant::now() < t)
            || self.client.bulk_max() == 0
        {
            return Ok(None);
        }
        let store = &self.store;
        if queue::queue_depth(store, &self.channel)? < threshold as i64 {
            return Ok(None);
        }
        Ok(Some(if queue::urgent_due(store, &self.channel, threshold)? >= threshold {
            Selection::UrgentFirst
        } else {
            Selection::BulkOnly
        }))
    }

    /// Starts one bulk submission (Amazon JSON_LISTINGS_FEED) on its own task; the fast path
    /// keeps going meanwhile and [`Self::finish_bulk`] applies the outcome.
    pub(super) fn submit_bulk(&mut self, group: Group) -> Result<Progress> {
        let updates: Vec<QuantityUpdate> = group
            .rows
            .iter()
            .map(|r| QuantityUpdate { listing: queue::remote(&r.remote), quantity: r.qty, change_from: None })
            .collect();
        queue::count_attempt(&self.store, &self.channel)?;
        self.summary.calls += 1;
        self.summary.bulk_submissions += 1;
        let client = Arc::clone(&self.client);
        let task = tokio::spawn(async move { client.bulk_push(&updates).await });
        self.bulk_flight = Some(BulkFlight { group, task });
        Ok(Progress::Sent)
    }

    /// Applies a finished bulk submission's outcome. Its group is never kept: whatever fails
    /// is released and goes again (absolute values are safe to resend).
    pub(super) async fn finish_bulk(&mut self) -> Result<Progress> {
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
                            &self.store,
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
                queue::fail(&self.store, &self.channel, &group, &all, &failure)?;
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
                queue::fail(&self.store, &self.channel, &group, &zero, &failure)?;
                failure.delay = self.config.deferred_retry;
                queue::fail(&self.store, &self.channel, &group, &rest, &failure)?;
                self.summary.failures += 1;
            }
            Err(error) => {
                let message = error.to_string();
                let mut failure = self.failure(&group, "bulk", &message);
                failure.keep_group = false;
                failure.burn_attempt =
                    !matches!(error, ChannelError::Throttled { .. } | ChannelError::Offline(_));
                queue::fail(&self.store, &self.channel, &group, &all, &failure)?;
                self.summary.failures += 1;
                if matches!(error, ChannelError::Offline(_)) {
                    self.offline_probes += 1;
                    return Ok(Progress::Offline);
                }
            }
        }
        Ok(Progress::Sent)
    }
}
