//! `wacart`: the command line of the wacart toolkit.

use std::io::Read;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod validate;

/// WhatsApp commerce messaging toolkit: validate messages, (later) run the sandbox.
#[derive(Debug, Parser)]
#[command(name = "wacart", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check one outbound message (Meta's body, or Kaleyra's envelope).
    ///
    /// Exit 0 when valid; 1 with one line per violation (`PATH: CODE: MESSAGE`);
    /// 2 when the input is not JSON or cannot be read.
    Validate(validate::Args),
}

/// Reads FILE, or standard input for `-` or no file.
fn read_input(path: Option<&std::path::Path>) -> Result<Vec<u8>, String> {
    match path {
        Some(p) if p.as_os_str() != "-" => {
            std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()))
        }
        _ => {
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .map_err(|e| format!("cannot read standard input: {e}"))?;
            Ok(buf)
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Validate(args) => validate::run(&args),
    }
}
