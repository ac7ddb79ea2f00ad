//! `wacart serve`: the sandbox on the network.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use wacart_sandbox::{
    Config, CustomerSpec, Durability, MemoryStore, Sandbox, SharedSandbox, SqliteStore, Store,
    TenantSpec, Upkeep,
};
use wacart_schema::{CatalogId, ItemsBatchRequest};
use wacart_server::{AppState, HttpConfig, MEMORY_CAP, MediaStore, SkewClock, WorkerConfig, demo};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Create the demo business (fixed ids, tokens and catalog; see README).
    #[arg(long)]
    demo: bool,
    /// A JSON file of tenants, customers and products to create (see README).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// The SQLite database (created when missing).
    #[arg(long, default_value = "wacart-sandbox.db", conflicts_with = "memory")]
    db: PathBuf,
    /// Keep everything in memory (lost on exit).
    #[arg(long)]
    memory: bool,
    /// Deliver every tenant's webhooks to this URL.
    #[arg(long)]
    webhook_url: Option<String>,
    /// With --demo: the demo Kaleyra account's callback profile `demo-default` posts its status
    /// and incoming-message callbacks (Kaleyra's shape, unsigned) to this URL.
    #[arg(long, value_name = "URL", requires = "demo")]
    kaleyra_callback_url: Option<String>,
    /// Seconds a request's headers may take, counted from when the connection is ready for one
    /// (so also how long an idle keep-alive connection stays open).
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = seconds)]
    header_timeout: Duration,
    /// Seconds a request's body may take to arrive in full (then 408).
    #[arg(long, value_name = "SECS", default_value = "30", value_parser = seconds)]
    body_timeout: Duration,
    /// Most connections open at once (more are answered 503 and closed).
    #[arg(long, value_name = "N", default_value_t = 768, value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: u32,
    /// On SIGTERM or Ctrl-C, seconds for requests and webhook deliveries in flight to finish.
    #[arg(long, value_name = "SECS", default_value = "5", value_parser = seconds)]
    shutdown_timeout: Duration,
    /// How long history (thread messages, finished webhooks) is kept: `30d`, `12h`, `10m`,
    /// `90s`, or `forever`.
    #[arg(long, value_name = "DURATION", default_value = "30d", value_parser = retention)]
    retain: Retention,
    /// Take a snapshot of the state after this many commands (the log behind it is compacted).
    #[arg(long, value_name = "N", default_value_t = 20_000, value_parser = clap::value_parser!(u64).range(1..))]
    snapshot_every: u64,
}

/// A number of seconds, fractions allowed (`0.5`).
/// A retention: milliseconds, or `None` for forever.
#[derive(Clone, Copy, Debug)]
struct Retention(Option<u64>);

fn retention(text: &str) -> Result<Retention, String> {
    if text == "forever" {
        return Ok(Retention(None));
    }
    let bad = || format!("{text:?} is not a duration like 30d, 12h, 10m, 90s or forever");
    let split = text.len().checked_sub(1).ok_or_else(bad)?;
    let (n, unit) = text.split_at(split);
    let n: u64 = n.parse().map_err(|_| bad())?;
    let unit_ms = match unit {
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return Err(bad()),
    };
    n.checked_mul(unit_ms)
        .filter(|ms| *ms > 0)
        .map(|ms| Retention(Some(ms)))
        .ok_or_else(bad)
}

fn seconds(text: &str) -> Result<Duration, String> {
    text.parse::<f64>()
        .ok()
        .filter(|s| *s > 0.0)
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| format!("{text:?} is not a positive number of seconds"))
}

/// The `--config` file.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    tenants: Vec<TenantSpec>,
    #[serde(default)]
    customers: Vec<CustomerSpec>,
    /// Items batches per catalog id.
    #[serde(default)]
    products: std::collections::BTreeMap<CatalogId, ItemsBatchRequest>,
    /// Kaleyra accounts by SID: billing, callback profiles, numbers' settings.
    #[serde(default)]
    kaleyra: std::collections::BTreeMap<String, wacart_server::kaleyra::AccountConfig>,
}

fn apply_config(sandbox: &SharedSandbox, path: &PathBuf) -> Result<(), String> {
    let text = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let file: ConfigFile =
        serde_json::from_slice(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    for t in file.tenants {
        let exists = sandbox.read(|sb| sb.tenants().any(|x| x.waba_id == t.waba_id));
        if !exists {
            sandbox
                .run_blocking(|sb| sb.create_tenant_cmd(t))
                .map_err(|e| e.to_string())?;
        }
    }
    for c in file.customers {
        if !sandbox.read(|sb| sb.has_customer(&c.wa_id)) {
            sandbox
                .run_blocking(|sb| sb.add_customer(c))
                .map_err(|e| e.to_string())?;
        }
    }
    for (catalog, batch) in file.products {
        sandbox
            .run_blocking(|sb| sb.items_batch(&catalog, batch))
            .map_err(|e| e.to_string())?;
    }
    for (sid, account) in file.kaleyra {
        wacart_server::kaleyra::configure(sandbox, &sid, account)
            .map_err(|e| format!("kaleyra {sid}: {e}"))?;
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}

pub(crate) fn run(args: &Args) -> ExitCode {
    let level = std::env::var("RUST_LOG")
        .ok()
        .and_then(|l| l.parse::<tracing::Level>().ok())
        .unwrap_or(tracing::Level::INFO);
    let _ = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .try_init();
    let store: Arc<dyn Store> = if args.memory {
        Arc::new(MemoryStore::new())
    } else {
        match SqliteStore::open(&args.db, Durability::PowerLoss) {
            Ok(s) => {
                if s.was_empty() {
                    tracing::warn!(db = %args.db.display(), "the database file was empty: starting a new sandbox in it");
                }
                Arc::new(s)
            }
            Err(e) => {
                eprintln!("wacart serve: {e}");
                return ExitCode::from(2);
            }
        }
    };
    let opening = std::time::Instant::now();
    // The wall clock, which the web page's clock control moves forward.
    let clock = Arc::new(SkewClock::new());
    let sandbox = match Sandbox::open(store, clock.clone(), Config::default()) {
        Ok(mut s) => {
            clock.catch_up(s.now());
            s.set_upkeep(
                Upkeep::default()
                    .snapshot_every(args.snapshot_every)
                    .retain(args.retain.0),
            );
            tracing::info!(
                ms = opening.elapsed().as_millis() as u64,
                "state loaded (latest snapshot and the commands after it)"
            );
            Arc::new(SharedSandbox::new(s))
        }
        Err(e) => {
            eprintln!("wacart serve: cannot open the sandbox: {e}");
            return ExitCode::from(2);
        }
    };
    if args.demo
        && let Err(e) = demo::create(&sandbox)
    {
        eprintln!("wacart serve: cannot create the demo business: {e}");
        return ExitCode::from(2);
    }
    if let Some(path) = &args.config
        && let Err(e) = apply_config(&sandbox, path)
    {
        eprintln!("wacart serve: {e}");
        return ExitCode::from(2);
    }
    if let Some(url) = &args.webhook_url {
        let wabas: Vec<_> = sandbox.read(|sb| sb.tenants().map(|t| t.waba_id.clone()).collect());
        for waba in wabas {
            if let Err(e) = sandbox.run_blocking(|sb| sb.set_callback(&waba, Some(url.clone()))) {
                eprintln!("wacart serve: {e}");
                return ExitCode::from(2);
            }
        }
    }
    // Kaleyra's callbacks have a URL of their own: a receiver of Meta's signed webhooks (an SDK's)
    // would refuse them.
    if let Some(url) = &args.kaleyra_callback_url
        && let Err(e) = demo::kaleyra_profile(&sandbox, url)
    {
        eprintln!("wacart serve: {e}");
        return ExitCode::from(2);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("wacart serve: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    runtime.block_on(async {
        let listener = match tokio::net::TcpListener::bind(args.listen).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("wacart serve: cannot listen on {}: {e}", args.listen);
                return ExitCode::from(2);
            }
        };
        let addr = listener
            .local_addr()
            .map_or_else(|_| args.listen.to_string(), |a| a.to_string());
        let store_text = if args.memory {
            "in memory".to_owned()
        } else {
            format!("SQLite file {}", args.db.display())
        };
        println!("wacart sandbox listening on http://{addr} (store: {store_text})");
        println!("the customer's phone in a browser: http://{addr}/");
        if args.demo {
            println!("{}", demo::banner());
        }
        if let Some(url) = &args.webhook_url {
            println!("webhooks go to {url}");
        }
        if let Some(url) = &args.kaleyra_callback_url {
            println!("the demo Kaleyra account's callbacks go to {url}");
        }
        let http = HttpConfig {
            header_timeout: args.header_timeout,
            body_timeout: args.body_timeout,
            max_connections: usize::try_from(args.max_connections).unwrap_or(usize::MAX),
            shutdown_timeout: args.shutdown_timeout,
        };
        // Media bytes: a directory beside the database, or memory (capped) with --memory.
        let media = if args.memory {
            MediaStore::memory(MEMORY_CAP)
        } else {
            let dir = MediaStore::beside(&args.db);
            match MediaStore::dir(&dir) {
                Ok(m) => m,
                Err(e) => {
                    eprintln!(
                        "wacart serve: cannot open the media directory {}: {e}",
                        dir.display()
                    );
                    return ExitCode::from(2);
                }
            }
        };
        let state = AppState::new(sandbox)
            .with_media_store(media)
            .with_clock(clock);
        // Nothing is uploading yet: bytes no live media owns (expired, or a crash between an
        // upload's bytes and its command) go now, whatever their age.
        let swept = state.sweep_media(Duration::ZERO);
        if swept > 0 {
            tracing::info!(blobs = swept, "removed media bytes no media owns");
        }
        match wacart_server::run_with(
            listener,
            state,
            WorkerConfig::default(),
            http,
            shutdown_signal(),
        )
        .await
        {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("wacart serve: {e}");
                ExitCode::from(1)
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_takes_a_number_and_a_unit_or_forever() {
        assert_eq!(retention("30d").unwrap().0, Some(30 * 86_400_000));
        assert_eq!(retention("90s").unwrap().0, Some(90_000));
        assert_eq!(retention("forever").unwrap().0, None);
        for bad in ["", "d", "30", "0m", "-1h", "1w", "99999999999999999d"] {
            assert!(retention(bad).is_err(), "{bad:?}");
        }
    }
}
