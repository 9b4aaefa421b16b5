//! `shelfsync-sim`: the channel simulator on 127.0.0.1, until Ctrl-C.

use clap::Parser;
use shelfsync_sim::{Faults, Sim, SimConfig};

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
    /// Cost-bucket size in points (Shopify Standard: 2000)
    #[arg(long, default_value_t = 2000.0)]
    bucket: f64,
    /// Points restored per second (Shopify Standard: 100)
    #[arg(long, default_value_t = 100.0)]
    restore_rate: f64,
}

fn main() {
    let args = Args::parse();
    let config = SimConfig {
        seed: args.seed,
        bucket_size: args.bucket,
        restore_rate: args.restore_rate,
        faults: Faults::none(),
        ..SimConfig::default()
    };
    if let Err(error) = shelfsync_sim::run_until_ctrl_c(Sim::new(config), args.port) {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}
