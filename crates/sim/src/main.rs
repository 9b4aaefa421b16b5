//! `shelfsync-sim`: the channel simulator on 127.0.0.1, until Ctrl-C.

use clap::Parser;
use shelfsync_sim::{Faults, ShopifyPlan, Sim, SimConfig};

#[derive(Parser)]
#[command(
    name = "shelfsync-sim",
    about = "Shopify, Amazon SP-API and eBay Sell Inventory simulator with rate limits and seeded faults"
)]
struct Args {
    #[arg(long, default_value_t = 8787)]
    port: u16,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Shopify plan whose cost bucket to simulate: standard (100/s restore, 2,000 points),
    /// advanced (200/4,000), plus (1,000/20,000) or enterprise (2,000/40,000)
    #[arg(long, default_value = "standard", value_parser = parse_plan)]
    shopify_plan: ShopifyPlan,
    /// Cost-bucket size in points; overrides the plan's (Standard: 2000)
    #[arg(long)]
    bucket: Option<f64>,
    /// Points restored per second; overrides the plan's (Standard: 100)
    #[arg(long)]
    restore_rate: Option<f64>,
}

fn parse_plan(text: &str) -> Result<ShopifyPlan, String> {
    text.parse().map_err(|e: shelfsync_sim::UnknownPlan| e.to_string())
}

/// The plan's bucket, with any explicit knob taking precedence.
fn config(args: &Args) -> SimConfig {
    let plan =
        SimConfig { seed: args.seed, faults: Faults::none(), ..SimConfig::for_plan(args.shopify_plan) };
    SimConfig {
        bucket_size: args.bucket.unwrap_or(plan.bucket_size),
        restore_rate: args.restore_rate.unwrap_or(plan.restore_rate),
        ..plan
    }
}

fn main() {
    let args = Args::parse();
    let config = config(&args);
    let positive = |x: f64| x.is_finite() && x > 0.0;
    if !positive(config.bucket_size) || !positive(config.restore_rate) {
        eprintln!("error: --bucket and --restore-rate must be positive numbers");
        std::process::exit(2);
    }
    if let Err(error) = shelfsync_sim::run_until_ctrl_c(Sim::new(config), args.port) {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_sets_the_bucket_and_explicit_knobs_override_it() {
        let cases: [(&[&str], f64, f64); 5] = [
            (&[], 2_000.0, 100.0),
            (&["--shopify-plan", "plus"], 20_000.0, 1_000.0),
            (&["--shopify-plan", "Enterprise"], 40_000.0, 2_000.0),
            (&["--shopify-plan", "advanced", "--restore-rate", "150"], 4_000.0, 150.0),
            (&["--bucket", "500", "--restore-rate", "50"], 500.0, 50.0),
        ];
        for (flags, bucket, restore) in cases {
            let args =
                Args::try_parse_from(std::iter::once("shelfsync-sim").chain(flags.iter().copied())).unwrap();
            let c = config(&args);
            assert_eq!((c.bucket_size, c.restore_rate), (bucket, restore), "{flags:?}");
        }
        let refused = Args::try_parse_from(["shelfsync-sim", "--shopify-plan", "basic"]).err().unwrap();
        assert!(refused.to_string().contains("unknown Shopify plan \"basic\""), "{refused}");
    }
}
