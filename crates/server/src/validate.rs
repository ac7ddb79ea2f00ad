//! `wacart validate`.

use std::path::PathBuf;
use std::process::ExitCode;

use wacart_schema::{InputError, Options, validate_any_json};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Print the result as JSON: `{"valid":..,"violations":[{"path","code","message"}]}`.
    #[arg(long)]
    json: bool,
    /// Require `thumbnail_product_retailer_id` on catalog messages.
    #[arg(long)]
    strict_catalog_thumbnail: bool,
    /// The message file; `-` or nothing reads standard input.
    file: Option<PathBuf>,
}

pub(crate) fn run(args: &Args) -> ExitCode {
    let bytes = match crate::read_input(args.file.as_deref()) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("wacart validate: {e}");
            return ExitCode::from(2);
        }
    };
    let opts = Options::default().strict_catalog_thumbnail(args.strict_catalog_thumbnail);
    match validate_any_json(&bytes, &opts) {
        Ok(_) => {
            if args.json {
                println!("{}", serde_json::json!({ "valid": true, "violations": [] }));
            } else {
                println!("valid");
            }
            ExitCode::SUCCESS
        }
        Err(InputError::Invalid(violations)) => {
            if args.json {
                let list = violations.as_slice();
                println!(
                    "{}",
                    serde_json::json!({ "valid": false, "violations": list })
                );
            } else {
                for v in &violations {
                    println!("{v}");
                }
            }
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("wacart validate: {e}");
            ExitCode::from(2)
        }
    }
}
