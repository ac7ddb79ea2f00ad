//! `wacart send`: validate, send through one door, print the receipt.

use std::path::PathBuf;
use std::process::ExitCode;

use wacart_schema::{AnyMessage, InputError, Options, validate_any_json};
use wacart_transport::{Client, DEFAULT_GRAPH_VERSION, Door, KaleyraPod};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum Provider {
    /// Meta's Cloud API.
    Meta,
    /// 360dialog.
    #[value(name = "360dialog")]
    Dialog360,
    /// Kaleyra.
    Kaleyra,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum Pod {
    In,
    Sg,
    Eu,
    Na,
}

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Which door to send through.
    #[arg(long, value_enum)]
    provider: Provider,
    /// Send here instead of the door's public URL (e.g. the sandbox).
    #[arg(long)]
    base_url: Option<String>,
    /// Meta: the sending number's id.
    #[arg(long, env = "WACART_PHONE_NUMBER_ID")]
    phone_number_id: Option<String>,
    /// Meta: the access token.
    #[arg(long, env = "WACART_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Meta: the Graph API version.
    #[arg(long, default_value = DEFAULT_GRAPH_VERSION)]
    graph_version: String,
    /// 360dialog and Kaleyra: the API key.
    #[arg(long, env = "WACART_API_KEY", hide_env_values = true)]
    api_key: Option<String>,
    /// Kaleyra: the account SID.
    #[arg(long, env = "WACART_SID", hide_env_values = true)]
    sid: Option<String>,
    /// Kaleyra: the business number.
    #[arg(long, env = "WACART_BUSINESS_NUMBER")]
    business_number: Option<String>,
    /// Kaleyra: the pod whose public URL is used without --base-url.
    #[arg(long, value_enum, default_value = "in")]
    pod: Pod,
    /// The message (Meta's body, or Kaleyra's envelope); `-` or nothing reads standard input.
    file: Option<PathBuf>,
}

fn need(value: &Option<String>, flag: &str, env: &str) -> Result<String, String> {
    value
        .clone()
        .ok_or_else(|| format!("{flag} (or {env}) is required for this provider"))
}

fn door(args: &Args) -> Result<Door, String> {
    Ok(match args.provider {
        Provider::Meta => Door::meta(
            need(
                &args.phone_number_id,
                "--phone-number-id",
                "WACART_PHONE_NUMBER_ID",
            )?,
            need(&args.token, "--token", "WACART_TOKEN")?,
        ),
        Provider::Dialog360 => Door::dialog360(need(&args.api_key, "--api-key", "WACART_API_KEY")?),
        Provider::Kaleyra => Door::kaleyra(
            match args.pod {
                Pod::In => KaleyraPod::In,
                Pod::Sg => KaleyraPod::Sg,
                Pod::Eu => KaleyraPod::Eu,
                Pod::Na => KaleyraPod::Na,
            },
            need(&args.sid, "--sid", "WACART_SID")?,
            need(&args.api_key, "--api-key", "WACART_API_KEY")?,
            need(
                &args.business_number,
                "--business-number",
                "WACART_BUSINESS_NUMBER",
            )?,
        ),
    })
}

pub(crate) fn run(args: &Args) -> ExitCode {
    let door = match door(args) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("wacart send: {e}");
            return ExitCode::from(2);
        }
    };
    let bytes = match crate::read_input(args.file.as_deref()) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("wacart send: {e}");
            return ExitCode::from(2);
        }
    };
    let options = Options::default().dialect(door.dialect());
    let (message, extra_info) = match validate_any_json(&bytes, &options) {
        Ok(AnyMessage::Meta(m)) => (m, None),
        Ok(AnyMessage::Kaleyra(k)) => (k.messaging_object, k.extra_info),
        Ok(_) => {
            eprintln!("wacart send: this message shape is not supported by this version");
            return ExitCode::from(2);
        }
        Err(InputError::Invalid(violations)) => {
            for v in &violations {
                println!("{v}");
            }
            eprintln!("wacart send: the message is invalid; nothing was sent");
            return ExitCode::from(1);
        }
        Err(e) => {
            eprintln!("wacart send: {e}");
            return ExitCode::from(2);
        }
    };
    let mut builder = Client::builder(door).graph_version(args.graph_version.clone());
    if let Some(url) = &args.base_url {
        builder = builder.base_url(url.clone());
    }
    if let Some(info) = extra_info {
        builder = builder.kaleyra_extra_info(info);
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("wacart send: cannot start the runtime: {e}");
            return ExitCode::from(3);
        }
    };
    let result = runtime.block_on(async {
        let client = builder.build()?;
        client.send(&message).await
    });
    match result {
        Ok(receipt) => {
            println!("{}", serde_json::to_string(&receipt).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Err(e) => {
            let code = e.code().map(|c| format!(" [code {c}]")).unwrap_or_default();
            let sent = if e.may_have_been_sent() {
                " (the message may have been sent)"
            } else {
                ""
            };
            eprintln!("wacart send: {e}{code}{sent}");
            ExitCode::from(3)
        }
    }
}
