//! Peak memory and speed of importing a generated feed file, streamed from disk:
//!
//! ```text
//! cargo run --release -p wacart-catalog --example feed_memory -- [ROWS]
//! ```
//!
//! Writes `ROWS` rows (default 1,000,000) to a file in the temp directory (once), imports it
//! into an empty catalog from the open file, and prints the file size, the process's peak
//! resident memory (`VmHWM` of `/proc/self/status`, Linux) and the rows per second.

#[path = "../tests/support/feedgen.rs"]
mod feedgen;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::time::Instant;

use wacart_catalog::Catalog;

/// A `/proc/self/status` value in bytes (`VmHWM`, `VmRSS`), 0 where there is none.
fn status_bytes(key: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rows: usize = match std::env::args().nth(1) {
        Some(n) => n.parse()?,
        None => 1_000_000,
    };
    let path = std::env::temp_dir().join(format!("wacart-feed-{rows}.csv"));
    if !path.exists() {
        let mut out = BufWriter::new(File::create(&path)?);
        feedgen::write_feed(&mut out, rows, 1)?;
        out.flush()?;
    }
    let size = std::fs::metadata(&path)?.len();
    let before = status_bytes("VmHWM");

    let start = Instant::now();
    let mut catalog = Catalog::new("194836987003835".into());
    let import = catalog.import_feed(File::open(&path)?)?;
    let elapsed = start.elapsed();

    let peak = status_bytes("VmHWM");
    let report = &import.report;
    println!(
        "feed file:          {} ({size} bytes, {:.1} MiB)",
        path.display(),
        mib(size)
    );
    println!(
        "imported:           {} products loaded, {} rows rejected, {} in catalog",
        report.loaded,
        report.rejected.len(),
        catalog.len()
    );
    println!(
        "time:               {:.3} s, {:.0} rows/s",
        elapsed.as_secs_f64(),
        rows as f64 / elapsed.as_secs_f64()
    );
    println!("VmHWM before:       {:.1} MiB", mib(before));
    println!(
        "VmHWM after import: {:.1} MiB = {:.2} x the feed file",
        mib(peak),
        peak as f64 / size as f64
    );
    Ok(())
}
