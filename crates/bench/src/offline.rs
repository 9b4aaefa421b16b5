//! Manual override offline: adjustments made at a workstation during one hour without a
//! network, then reconnected; the time from reconnect until every channel is right.
//!
//! ShelfSync's side uses the engine's real retry schedule: each channel's worker probes an
//! offline channel with full-jitter backoff (1 s doubling, `Backoff::default`, seeded as the
//! engine seeds its workers) capped at `WorkerConfig::offline_probe_max` (10 s), so the first
//! probe after the reconnect is at most 10 s away. Then the outbox drains at each channel's rate.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use shelfsync_sync::WorkerConfig;
use shelfsync_sync::backoff::Backoff;

use crate::report::{Report, row};
use crate::timing::{ENGINE_LATENCY_MS, HOUR, MINUTE, model_notes};
use crate::world::{Adjustment, Pause, Setup, Sync, World};
use crate::{BenchError, Options};

const SKUS: usize = 20;
const UNITS: u32 = 20;
const ADJUSTMENTS: usize = 12;
const OFFLINE_FOR: i64 = HOUR;
/// The worker's idle poll: the first push attempt after an adjustment (WorkerConfig default).
const IDLE_POLL_MS: i64 = 100;

/// When each channel's worker first probes after `reconnect`, following the real backoff from
/// the first failed attempt at `first_attempt`.
pub fn first_probe_after(first_attempt: i64, reconnect: i64, channel_index: u64) -> i64 {
    let backoff = Backoff::default();
    let probe_max = WorkerConfig::default().offline_probe_max;
    // The engine seeds each worker with its config seed (0 by default) plus its index.
    let mut rng = StdRng::seed_from_u64(channel_index);
    let mut at = first_attempt;
    let mut probe = 1;
    // Bounded: at the 10 s cap an hour holds a few hundred probes; the bound only stops a bug.
    while at < reconnect && probe < 100_000 {
        at += backoff.delay(probe, &mut rng).min(probe_max).as_millis() as i64;
        probe += 1;
    }
    at
}

/// The outage starts at a seeded moment in the first half hour, so where the reconnect falls
/// between batch runs is drawn, not chosen.
fn offline_from(rng: &mut StdRng) -> i64 {
    rng.random_range(5 * MINUTE..35 * MINUTE)
}

fn setup(seed: u64) -> (Setup, [i64; 3], i64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let from = offline_from(&mut rng);
    let mut adjustments: Vec<Adjustment> = (0..ADJUSTMENTS)
        .map(|_| Adjustment {
            at: from + rng.random_range(0..OFFLINE_FOR),
            sku: rng.random_range(0..SKUS),
            delta: -rng.random_range(1..=5),
        })
        .collect();
    adjustments.sort_by_key(|a| a.at);
    let reconnect = from + OFFLINE_FOR;
    let first_attempt = adjustments.first().map_or(reconnect, |a| a.at + ENGINE_LATENCY_MS.min(IDLE_POLL_MS));
    let resume: [i64; 3] = std::array::from_fn(|c| first_probe_after(first_attempt, reconnect, c as u64));
    let setup = Setup {
        stock: vec![UNITS; SKUS],
        adjustments,
        horizon: reconnect + 2 * HOUR,
        pause: Some(Pause { from, to: reconnect, resume }),
        ..Setup::default()
    };
    (setup, resume, reconnect)
}

pub fn run(options: &Options) -> Result<Report, BenchError> {
    let (setup, resume, reconnect) = setup(options.seed());
    let mut rows = Vec::new();
    let mut findings = Vec::new();
    for mode in options.standard_modes() {
        let o = World::run(&setup, &mode)?;
        let per_channel: Vec<f64> = o.last_push.iter().map(|t| crate::flash::secs(t - reconnect)).collect();
        let worst = per_channel.iter().copied().fold(0.0, f64::max);
        rows.push(row(vec![
            ("mode", json!(mode.name)),
            ("adjustments", json!(setup.adjustments.len())),
            ("adjusted_units", json!(o.adjusted_units)),
            ("offline_min", json!(OFFLINE_FOR / MINUTE)),
            ("reconnect_to_all_right_s", json!(worst)),
            ("per_channel_s", json!(per_channel)),
            ("all_channels_right", json!(o.all_right_at_end)),
            ("oversold_units", json!(o.oversold_units)),
            ("initial_units", json!(o.initial_units)),
            ("remaining_units", json!(o.remaining_units)),
        ]));
        if mode.name == "shelfsync" {
            let waits: Vec<f64> = resume.iter().map(|r| crate::flash::secs(r - reconnect)).collect();
            findings.push(format!(
                "ShelfSync's workers learn of the reconnect at their next offline probe, at most 10 s \
                 apart while a channel is unreachable (the engine's offline_probe_max): the first \
                 probes came {waits:?} s after the reconnect (shopify/amazon/ebay); then the drain \
                 takes seconds."
            ));
        }
        if let Sync::Batch { every } = mode.sync {
            findings.push(format!(
                "{}: the first run after the reconnect pushes the adjustments ({worst} s here, up to {} s).",
                mode.name,
                every / 1000
            ));
        }
    }
    let mut notes = model_notes();
    notes.push(format!(
        "{SKUS} SKUs of {UNITS} units listed on all three channels; {ADJUSTMENTS} write-downs of 1-5 \
         units made at seeded times during a {} min outage starting at minute {:.1}; no sales, so 'right' \
         means every channel lists exactly the ledger's allocation. Drain after the reconnect: one call \
         per 250 listings on Shopify, per listing on Amazon (5/s), per 25 on eBay (23/s).",
        OFFLINE_FOR / MINUTE,
        (reconnect - OFFLINE_FOR) as f64 / MINUTE as f64
    ));
    Ok(Report {
        scenario: "offline-override",
        title: "Manual override while the workstation is offline for 1 hour".into(),
        quick: false,
        seed: options.seed(),
        columns: vec![
            "mode",
            "adjustments",
            "adjusted_units",
            "reconnect_to_all_right_s",
            "per_channel_s",
            "all_channels_right",
        ],
        rows,
        guide: vec![
            "a single unsynced adjustment of -5 units on a SKU with 20 available is a 25% ATP error, \
             invisible until those phantom units sell."
                .into(),
        ],
        notes,
        findings,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_first_probe_after_a_reconnect_is_never_before_it_nor_past_the_10_s_cap() {
        for channel in 0..3 {
            for reconnect in [1_000, 60_000, 3_600_000] {
                let probe = super::first_probe_after(0, reconnect, channel);
                assert!(probe >= reconnect);
                assert!(probe - reconnect <= 10_000, "{probe} {reconnect}");
            }
        }
    }
}
