//! Scan pipeline latency and parser throughput, printed as a markdown table.
//!
//! (a) raw scanner bytes -> framed -> parsed -> resolved to a SKU in a 100,000-item in-memory
//!     catalogue keyed by GTIN-14: p50 and p99 per scan.
//! (b) parser throughput in scans per second.
//!
//! Run: `cargo bench -p shelfsync-scan --bench pipeline`

use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::Utc;
use shelfsync_scan::gs1::lint::compute_check_digit;
use shelfsync_scan::gs1::{ParseOptions, parse_scan_data};
use shelfsync_scan::{PipelineConfig, ScanPipeline};

const CATALOGUE_SIZE: usize = 100_000;
const LATENCY_SAMPLES: usize = 50_000;
const THROUGHPUT_RUN: Duration = Duration::from_secs(2);

fn gtin14(n: usize) -> String {
    let body = format!("0950600{n:06}");
    let check = compute_check_digit(body.as_bytes());
    format!("{body}{check}")
}

fn scan_bytes(n: usize) -> Vec<u8> {
    format!("]C101{}\u{1d}10LOT{}\u{1d}17261231\u{1d}21S{n}\r\n", gtin14(n % CATALOGUE_SIZE), n % 97)
        .into_bytes()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let catalogue: HashMap<String, String> =
        (0..CATALOGUE_SIZE).map(|n| (gtin14(n), format!("SKU-{n:06}"))).collect();
    let inputs: Vec<Vec<u8>> = (0..LATENCY_SAMPLES).map(|n| scan_bytes(n * 7919)).collect();

    // The dedup window is irrelevant here: every scan differs.
    let mut pipeline = ScanPipeline::new(
        "bench",
        PipelineConfig { workstation: "bench".into(), ..PipelineConfig::default() },
    );
    let mut latencies = Vec::with_capacity(LATENCY_SAMPLES);
    let mut resolved = 0usize;
    for bytes in &inputs {
        let start = Instant::now();
        for scan in pipeline.push_bytes(bytes, start, Utc::now()) {
            let scan = scan.expect("benchmark scans are valid");
            if scan.parsed.gtin14().and_then(|g| catalogue.get(&g)).is_some() {
                resolved += 1;
            }
        }
        latencies.push(start.elapsed());
    }
    assert_eq!(resolved, LATENCY_SAMPLES, "every scan resolves to a SKU");
    latencies.sort();

    let opts = ParseOptions::warehouse();
    let parse_inputs: Vec<Vec<u8>> = inputs.iter().map(|b| b[..b.len() - 2].to_vec()).collect();
    let start = Instant::now();
    let mut parsed = 0u64;
    while start.elapsed() < THROUGHPUT_RUN {
        for data in parse_inputs.iter().take(1000) {
            black_box(parse_scan_data(black_box(data), &opts).expect("valid"));
            parsed += 1;
        }
    }
    let per_second = parsed as f64 / start.elapsed().as_secs_f64();

    println!("| measure | value |");
    println!("|---|---|");
    println!("| catalogue size | {CATALOGUE_SIZE} GTINs |");
    println!("| pipeline samples | {LATENCY_SAMPLES} scans (GS1-128: 01 + 10 + 17 + 21) |");
    println!("| bytes -> SKU p50 | {:.1} µs |", percentile(&latencies, 0.50).as_secs_f64() * 1e6);
    println!("| bytes -> SKU p99 | {:.1} µs |", percentile(&latencies, 0.99).as_secs_f64() * 1e6);
    println!("| bytes -> SKU max | {:.1} µs |", latencies[latencies.len() - 1].as_secs_f64() * 1e6);
    println!("| parser throughput | {:.0} scans/s |", per_second);
}
