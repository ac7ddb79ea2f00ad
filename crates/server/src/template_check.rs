//! `wacart template check`.

use std::path::PathBuf;
use std::process::ExitCode;

use wacart_schema::{InputError, validate_template_json};

#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Check a template definition (the body of `POST /{waba_id}/message_templates`).
    ///
    /// Prints `valid: KIND template` (catalog, multi_product, single_product,
    /// product_carousel, media_carousel, checkout, authentication, standard), or one line per
    /// violation (`PATH: CODE: MESSAGE`). Exit 0 when valid; 1 when not; 2 when the input is not
    /// JSON or cannot be read.
    Check {
        /// Print `{"valid":..,"kind":..,"violations":[{"path","code","message"}]}` instead.
        #[arg(long)]
        json: bool,
        /// The definition file; `-` or nothing reads standard input.
        file: Option<PathBuf>,
    },
}

pub(crate) fn run(command: &Command) -> ExitCode {
    let Command::Check { json, file } = command;
    let bytes = match crate::read_input(file.as_deref()) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("wacart template check: {e}");
            return ExitCode::from(2);
        }
    };
    match validate_template_json(&bytes) {
        Ok(def) => {
            let kind = def.kind().as_str();
            if *json {
                println!(
                    "{}",
                    serde_json::json!({"valid": true, "kind": kind, "violations": []})
                );
            } else {
                println!("valid: {kind} template");
            }
            ExitCode::SUCCESS
        }
        Err(InputError::Invalid(violations)) => {
            if *json {
                let list = violations.as_slice();
                println!(
                    "{}",
                    serde_json::json!({"valid": false, "violations": list})
                );
            } else {
                for v in &violations {
                    println!("{v}");
                }
            }
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("wacart template check: {e}");
            ExitCode::from(2)
        }
    }
}
