//! `wacart catalog check`.

use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::json;

#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Load a CSV or TSV feed and report every rejected row.
    ///
    /// Prints `line N: COLUMN: REASON` per rejected row, then `N products loaded, M rows
    /// rejected`. Exit 0 when no row was rejected, 1 when some were, 2 when the file cannot be
    /// read or has no usable header.
    Check {
        /// Print `{"loaded":N,"rejected":[{"line","column","reason"}]}` instead.
        #[arg(long)]
        json: bool,
        /// The feed file.
        feed: PathBuf,
    },
}

pub(crate) fn run(command: &Command) -> ExitCode {
    let Command::Check { json, feed } = command;
    let bytes = match std::fs::read(feed) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("wacart catalog check: cannot read {}: {e}", feed.display());
            return ExitCode::from(2);
        }
    };
    let report = match wacart_catalog::check_feed(&bytes) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("wacart catalog check: {e}");
            return ExitCode::from(2);
        }
    };
    if *json {
        let rejected: Vec<_> = report
            .rejected
            .iter()
            .map(|r| json!({"line": r.line, "column": r.column, "reason": r.reason}))
            .collect();
        println!("{}", json!({"loaded": report.loaded, "rejected": rejected}));
    } else {
        println!("{report}");
    }
    if report.rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
