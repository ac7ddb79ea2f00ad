//! `wacart`: the command line of the wacart toolkit.

use std::io::Read;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// The sandbox allocates many small objects per request (JSON values, ids, webhook bodies);
/// mimalloc serves them faster than the system allocator (see BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod baseline;
mod catalog;
mod send;
mod serve;
mod template_check;
mod validate;

/// WhatsApp commerce messaging toolkit: the sandbox, and tools to validate and send messages.
#[derive(Debug, Parser)]
#[command(name = "wacart", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the sandbox: Meta's, 360dialog's and Kaleyra's doors, the customer API, webhooks.
    Serve(serve::Args),
    /// Check one outbound message (Meta's body, or Kaleyra's envelope).
    ///
    /// Exit 0 when valid; 1 with one line per violation (`PATH: CODE: MESSAGE`);
    /// 2 when the input is not JSON or cannot be read.
    Validate(validate::Args),
    /// Validate one message and send it through Meta, 360dialog or Kaleyra.
    ///
    /// Exit 0 with the receipt as JSON; 1 when the message is invalid (nothing is sent);
    /// 2 for bad input or missing credentials; 3 when the door refused or the transport failed.
    Send(send::Args),
    /// Catalog tools.
    #[command(subcommand)]
    Catalog(catalog::Command),
    /// Template tools.
    #[command(subcommand)]
    Template(template_check::Command),
    /// Print the sandbox's OpenAPI document.
    #[command(hide = true)]
    Openapi,
    /// Serve a bare JSON handler: the ceiling `cargo xtask loadtest` compares against.
    #[command(hide = true)]
    BenchBaseline {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8090")]
        listen: std::net::SocketAddr,
    },
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
        Command::Send(args) => send::run(&args),
        Command::Catalog(command) => catalog::run(&command),
        Command::Template(command) => template_check::run(&command),
        Command::Serve(args) => serve::run(&args),
        Command::BenchBaseline { listen } => baseline::run(listen),
        Command::Openapi => {
            println!(
                "{}",
                serde_json::to_string_pretty(&wacart_server::openapi::document())
                    .unwrap_or_default()
            );
            ExitCode::SUCCESS
        }
    }
}
