//! `cargo xtask soak [--minutes N] [--store sqlite|memory] [--connections C] [--interval S]
//! [--retain D] [--webhooks] [-- SERVE ARGS]`: the release binary under sends at full speed for minutes, over
//! real sockets. Every interval prints throughput, p50/p99/max latency, the server's resident
//! memory, the webhooks delivered, the database size and the server's processor time per send
//! (at the end, split by thread: requests, writer, checkpointer, other); then the server is
//! stopped and started again on the same database, and the time to its first accepted send is
//! printed. A bare axum handler, measured in the same run, gives the ceiling.
//!
//! Without `--webhooks` the demo app has no callback, so its webhooks wait in the store (as in
//! `cargo xtask loadtest`); with it, a local receiver takes every one as it is made.

use std::io::BufReader;
use std::net::TcpStream;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::cpu;
use crate::loadtest::{
    Killed, Load, SPM, build_release, free_port, receiver, request, wacart, wait_up,
};

struct Options {
    minutes: u64,
    memory: bool,
    connections: usize,
    interval: u64,
    retain: String,
    webhooks: bool,
    /// Passed on to `wacart serve` (after `--`).
    serve: Vec<String>,
}

fn parse(args: &[&str]) -> Result<Options, String> {
    let mut o = Options {
        minutes: 10,
        memory: false,
        connections: 64,
        interval: 30,
        retain: "30d".into(),
        webhooks: false,
        serve: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |what: &str| it.next().copied().ok_or(format!("{a} {what}"));
        match *a {
            "--minutes" => o.minutes = value("N")?.parse().map_err(|_| "--minutes N")?,
            "--store" => {
                o.memory = match value("sqlite|memory")? {
                    "sqlite" => false,
                    "memory" => true,
                    other => return Err(format!("unknown store {other}")),
                }
            }
            "--connections" => {
                o.connections = value("C")?.parse().map_err(|_| "--connections C")?;
            }
            "--interval" => o.interval = value("S")?.parse().map_err(|_| "--interval S")?,
            "--retain" => o.retain = value("D")?.to_owned(),
            "--webhooks" => o.webhooks = true,
            "--" => {
                o.serve = it.by_ref().map(|s| (*s).to_owned()).collect();
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    o.minutes = o.minutes.clamp(1, 24 * 60);
    o.interval = o.interval.clamp(1, 600);
    o.connections = o.connections.clamp(1, 512);
    Ok(o)
}

/// Resident memory of a process, in MiB.
fn rss_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

fn pct(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

fn open_window(port: u16) -> Result<(), String> {
    let mut s = BufReader::new(TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?);
    let status = request(
        &mut s,
        "POST",
        "/sandbox/customers/15551230001/messages",
        "",
        r#"{"phone_number_id":"100000000000001","text":"hi"}"#,
    )?;
    (status == 200)
        .then_some(())
        .ok_or(format!("cannot open the window: HTTP {status}"))
}

/// Time from starting the binary to its first accepted send.
fn first_answer(args: &[&str], port: u16) -> Result<(Killed, Duration), String> {
    let started = Instant::now();
    let server = wacart(args)?;
    loop {
        if started.elapsed() > Duration::from_secs(600) {
            return Err("the restarted server never answered".into());
        }
        if let Ok(stream) = TcpStream::connect(("127.0.0.1", port)) {
            let mut s = BufReader::new(stream);
            if let Ok(200) = request(
                &mut s,
                "POST",
                "/v23.0/100000000000001/messages",
                "authorization: Bearer demo-token\r\n",
                SPM,
            ) {
                return Ok((server, started.elapsed()));
            }
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn sigterm(server: &Killed) {
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &server.0.id().to_string()])
        .status();
}

pub(crate) fn run(args: &[&str]) -> Result<(), String> {
    let o = parse(args)?;
    build_release()?;
    let dir = std::env::temp_dir().join(format!("wacart-soak-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let db = dir.join("soak.db").display().to_string();

    // The ceiling first, on a quiet machine: a bare axum handler, 20 s.
    let bport = free_port()?;
    let baseline = wacart(&["bench-baseline", "--listen", &format!("127.0.0.1:{bport}")])?;
    wait_up(bport)?;
    let bare = Load::start(bport, o.connections);
    bare.take();
    let t = Instant::now();
    let cpu_before = cpu::sample(baseline.0.id());
    std::thread::sleep(Duration::from_secs(20));
    let bare_lat = bare.take();
    let bare_cpu = cpu::Spent::between(
        &cpu_before,
        &cpu::sample(baseline.0.id()),
        bare_lat.len() as u64,
    );
    let bare_rate = bare_lat.len() as f64 / t.elapsed().as_secs_f64();
    bare.finish()?;
    drop(baseline);
    println!(
        "bare axum handler: {bare_rate:.0} req/s, p50 {:.2} ms, p99 {:.2} ms ({} connections, 20 s); \
         CPU per request: server {:.1} µs, load generator {:.1} µs; machine idle {:.0} %",
        pct(&bare_lat, 0.5),
        pct(&bare_lat, 0.99),
        o.connections,
        bare_cpu.server,
        bare_cpu.generator,
        bare_cpu.idle
    );

    let (hook_port, delivered) = receiver()?;
    let hook = format!("http://127.0.0.1:{hook_port}/hook");
    let port = free_port()?;
    let listen = format!("127.0.0.1:{port}");
    let mut serve: Vec<&str> = vec!["serve", "--demo", "--listen", &listen];
    if o.memory {
        serve.push("--memory");
    } else {
        serve.extend(["--db", &db]);
    }
    if o.webhooks {
        serve.extend(["--webhook-url", &hook]);
    }
    serve.extend(["--retain", &o.retain]);
    serve.extend(o.serve.iter().map(String::as_str));
    let server = wacart(&serve)?;
    wait_up(port)?;
    open_window(port)?;
    let pid = server.0.id();
    let store = if o.memory { "memory" } else { "sqlite" };
    println!(
        "soak: {} min of single-product sends, {} connections, store {store}, retain {}, webhooks {}",
        o.minutes,
        o.connections,
        o.retain,
        if o.webhooks {
            "to a local receiver"
        } else {
            "kept in the store (no callback)"
        }
    );
    println!(
        "{:>6} {:>10} {:>9} {:>9} {:>9} {:>9} {:>11} {:>10} {:>9}",
        "t (s)",
        "sends/s",
        "p50 ms",
        "p99 ms",
        "max ms",
        "RSS MiB",
        "webhooks/s",
        "DB MiB",
        "CPU µs"
    );
    let load = Load::start(port, o.connections);
    let started = Instant::now();
    let first_cpu = cpu::sample(pid);
    let mut cpu_before = first_cpu.clone();
    let mut total = 0u64;
    let mut worst_p99 = 0f64;
    let mut rates = Vec::new();
    let mut rss = Vec::new();
    let mut hooks_before = delivered.load(Ordering::Relaxed);
    let end = Duration::from_secs(o.minutes * 60);
    while started.elapsed() < end {
        let t = Instant::now();
        std::thread::sleep(Duration::from_secs(o.interval).min(end - started.elapsed()));
        if load.ended() {
            load.finish()?;
            return Err("the load ended before the soak did".into());
        }
        let lat = load.take();
        let secs = t.elapsed().as_secs_f64();
        let cpu_now = cpu::sample(pid);
        let spent = cpu::Spent::between(&cpu_before, &cpu_now, lat.len() as u64);
        cpu_before = cpu_now;
        let hooks = delivered.load(Ordering::Relaxed);
        // The database, its write-ahead log and its snapshot files; "-" in memory, which has no
        // file.
        let db_mib = if o.memory {
            "-".to_owned()
        } else {
            let snapshots = std::fs::read_dir(format!("{db}.snapshots"))
                .into_iter()
                .flatten()
                .flatten()
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len());
            let bytes: u64 = ["", "-wal"]
                .iter()
                .filter_map(|s| std::fs::metadata(format!("{db}{s}")).ok())
                .map(|m| m.len())
                .chain(snapshots)
                .sum();
            format!("{:.1}", bytes as f64 / 1_048_576.0)
        };
        let mem = rss_mib(pid);
        let rate = lat.len() as f64 / secs;
        println!(
            "{:>6.0} {:>10.0} {:>9.2} {:>9.2} {:>9.2} {:>9.1} {:>11.0} {:>10} {:>9.1}",
            started.elapsed().as_secs_f64(),
            rate,
            pct(&lat, 0.5),
            pct(&lat, 0.99),
            pct(&lat, 1.0),
            mem,
            (hooks - hooks_before) as f64 / secs,
            db_mib,
            spent.server
        );
        hooks_before = hooks;
        total += lat.len() as u64;
        worst_p99 = worst_p99.max(pct(&lat, 0.99));
        rates.push(rate);
        rss.push(mem);
    }
    let whole = cpu::Spent::between(&first_cpu, &cpu_before, total);
    let (errors, rest) = load.finish()?;
    total += rest.len() as u64;
    let mean = total as f64 / started.elapsed().as_secs_f64();
    println!(
        "total: {total} sends ({errors} non-200), {mean:.0}/s = {:.0}% of the bare handler; worst interval p99 {worst_p99:.2} ms",
        100.0 * mean / bare_rate.max(1.0)
    );
    // What one send costs the machine, and the most sends its processors could make at that
    // cost were the load generator elsewhere and nothing idle.
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    println!(
        "CPU per send: server {}; load generator {:.1} µs; machine idle {:.0} %; \
         at that cost {cores} cores serve at most {:.0} sends/s",
        whole.split(),
        whole.generator,
        whole.idle,
        cores as f64 * 1e6 / whole.server.max(1e-9)
    );
    if let (Some(first), Some(last)) = (rss.first(), rss.last()) {
        println!(
            "resident memory: {first:.1} MiB after the first interval, {last:.1} MiB at the end ({:.2}x)",
            last / first.max(1.0)
        );
    }
    if o.memory {
        return Ok(());
    }
    // Restart on the same database: the time to the first accepted send.
    sigterm(&server);
    let stopping = Instant::now();
    drop(server);
    let stopped = stopping.elapsed();
    let port = free_port()?;
    let listen = format!("127.0.0.1:{port}");
    let (server, first) = first_answer(&["serve", "--listen", &listen, "--db", &db], port)?;
    println!(
        "restart: stopped in {:.2} s; started again on the same database, first accepted send after {:.3} s",
        stopped.as_secs_f64(),
        first.as_secs_f64()
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
