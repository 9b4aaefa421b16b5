//! Seeded demand: when orders arrive, on which channel, for which SKU and how many units, and
//! a catalogue whose stock runs out for some SKUs. The same orders feed every mode of a
//! scenario, so the modes differ only in how they sync.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::timing::{CHANNEL_IDS, ChannelId, DAY, HOUR, notification_delay_ms};
use crate::world::SimOrder;

/// Share of orders per channel (Shopify, Amazon, eBay): an assumed mid-size seller whose own
/// store leads.
pub const CHANNEL_SHARE: [f64; 3] = [0.50, 0.35, 0.15];

/// Relative order rate per hour of the day: quiet at night, peak 10:00-22:00.
const HOURLY: [f64; 24] = [
    0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 1.0, 1.0, 1.6, 1.6, 1.6, 1.6, 1.6, 1.6, 1.6, 1.6, 1.6, 1.6, 1.6,
    1.6, 0.8, 0.8,
];

/// Units per order: mostly one.
fn units(rng: &mut StdRng) -> u32 {
    match rng.random_range(0..100) {
        0..85 => 1,
        85..95 => 2,
        _ => 3,
    }
}

/// Mean of [`units`], for sizing stock.
pub const MEAN_UNITS: f64 = 0.85 + 2.0 * 0.10 + 3.0 * 0.05;

pub fn channel(rng: &mut StdRng) -> ChannelId {
    let x: f64 = rng.random();
    let mut acc = 0.0;
    for (c, share) in CHANNEL_IDS.iter().zip(CHANNEL_SHARE) {
        acc += share;
        if x < acc {
            return *c;
        }
    }
    ChannelId::Ebay
}

/// Zipf-like popularity (exponent 1): a few SKUs sell most.
pub fn popularity(skus: usize) -> Vec<f64> {
    let raw: Vec<f64> = (0..skus).map(|i| 1.0 / (i as f64 + 1.0)).collect();
    let total: f64 = raw.iter().sum();
    raw.into_iter().map(|w| w / total).collect()
}

fn pick(weights: &[f64], rng: &mut StdRng) -> usize {
    let x: f64 = rng.random();
    let mut acc = 0.0;
    for (i, w) in weights.iter().enumerate() {
        acc += w;
        if x < acc {
            return i;
        }
    }
    weights.len() - 1
}

/// Orders at `per_day` on average over `days`, following the hourly profile; each order's
/// notification is lost with probability `loss`.
pub fn daily_orders(seed: u64, per_day: f64, days: i64, skus: usize, loss: f64) -> Vec<SimOrder> {
    let mut rng = StdRng::seed_from_u64(seed);
    let weights = popularity(skus);
    let profile_total: f64 = HOURLY.iter().sum();
    let mut orders = Vec::new();
    for hour in 0..days * 24 {
        let rate_per_ms = per_day * HOURLY[(hour % 24) as usize] / profile_total / HOUR as f64;
        let mut t = (hour * HOUR) as f64;
        loop {
            let u: f64 = rng.random_range(f64::MIN_POSITIVE..1.0);
            t += -u.ln() / rate_per_ms;
            if t >= ((hour + 1) * HOUR) as f64 {
                break;
            }
            let channel = channel(&mut rng);
            orders.push(SimOrder {
                at: t as i64,
                channel,
                sku: pick(&weights, &mut rng),
                qty: units(&mut rng),
                lost: rng.random_bool(loss),
                delay: notification_delay_ms(channel, &mut rng),
            });
        }
    }
    orders
}

/// Stock per SKU: the expected demand over the horizon times a seeded factor from 0.5 to 1.5,
/// so about a third of the catalogue runs out and the rest does not.
pub fn stock_for(seed: u64, orders_expected: f64, skus: usize) -> Vec<u32> {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed_570c_u64);
    popularity(skus)
        .into_iter()
        .map(|p| {
            let factor: f64 = rng.random_range(0.5..1.5);
            (orders_expected * p * MEAN_UNITS * factor).round().max(1.0) as u32
        })
        .collect()
}

/// A day boundary for each of `days` days.
pub fn day_ends(days: i64) -> Vec<i64> {
    (1..=days).map(|d| d * DAY - 1).collect()
}
