//! Project automation, run as `cargo xtask <command>`:
//!
//! - `codegen [--check]`: writes the generated files (fixtures extracted from the vendored
//!   `docs/reference/meta-openapi/` file, and `docs/openapi.json`); `--check` fails when a
//!   committed one is stale. `cargo test -p xtask` checks the fixtures too, without `--check`.
//! - `ci`: everything CI runs, in order, stopping at the first failure.
//! - `loadtest [--connections N] [--seconds T]`: the sandbox under load, beside a bare handler.
//! - `screenshots`: the web simulator in headless Chromium after a short conversation, written
//!   to `docs/screenshot.png` (the README shows it).
//! - `soak [--minutes N] [--store sqlite|memory] [--connections C] [--interval S] [--retain D]`:
//!   minutes of sends with memory, latency and a restart measured.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

mod codegen;
mod cpu;
mod loadtest;
mod soak;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["codegen"] => codegen::run(false),
        ["codegen", "--check"] => codegen::run(true),
        ["ci"] => ci(),
        ["loadtest", rest @ ..] => loadtest::run(rest),
        ["soak", rest @ ..] => soak::run(rest),
        ["screenshots"] => screenshots(),
        _ => Err("usage: cargo xtask codegen [--check] | cargo xtask ci | cargo xtask screenshots | cargo xtask loadtest [--connections N] [--seconds T] | cargo xtask soak [--minutes N] [--store sqlite|memory] [--connections C] [--interval S] [--retain D]".to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (the parent of this crate's directory).
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// The test command README.md gives; CI runs exactly this.
pub(crate) const TEST_COMMAND: &[&str] = &["cargo", "test", "--workspace", "--locked"];

fn run(cmd: &[&str]) -> Result<(), String> {
    run_env(cmd, &[])
}

fn run_env(cmd: &[&str], env: &[(&str, &str)]) -> Result<(), String> {
    eprintln!("xtask: $ {}", cmd.join(" "));
    let status = Command::new(cmd[0])
        .args(&cmd[1..])
        .envs(env.iter().copied())
        .current_dir(root())
        .status()
        .map_err(|e| format!("cannot start {}: {e}", cmd[0]))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", cmd.join(" ")))
    }
}

/// The browser test that draws `docs/screenshot.png` (the same driver the browser tests use).
fn screenshots() -> Result<(), String> {
    let path = root().join("docs").join("screenshot.png");
    let status = Command::new("cargo")
        .args([
            "test",
            "--locked",
            "-p",
            "wacart-tests",
            "--test",
            "web",
            "--",
            "--ignored",
            "--exact",
            "screenshot",
        ])
        .env("WACART_SCREENSHOT", &path)
        .env("WACART_REQUIRE_BROWSER", "1")
        .current_dir(root())
        .status()
        .map_err(|e| format!("cannot start cargo: {e}"))?;
    if !status.success() {
        return Err(format!("the screenshot test failed ({status})"));
    }
    eprintln!("xtask: wrote {}", path.display());
    Ok(())
}

fn ci() -> Result<(), String> {
    run(&["cargo", "fmt", "--all", "--", "--check"])?;
    run(&[
        "cargo",
        "clippy",
        "--workspace",
        "--all-targets",
        "--locked",
        "--",
        "-D",
        "warnings",
    ])?;
    // The browser tests must run here, not skip: `.ci/run` installs Chromium and chromedriver.
    run_env(TEST_COMMAND, &[("WACART_REQUIRE_BROWSER", "1")])?;
    codegen::run(true)?;
    let has_deny = Command::new("cargo")
        .args(["deny", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_deny {
        run(&[
            "cargo",
            "install",
            "--locked",
            "cargo-deny",
            "--version",
            "^0.20",
        ])?;
    }
    run(&["cargo", "deny", "check", "licenses", "bans", "sources"])?;
    eprintln!("xtask: ci passed");
    Ok(())
}

#[cfg(test)]
mod tidy;
