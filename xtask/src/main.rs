//! `cargo xtask test`: everything CI checks. `cargo xtask bench NAME`: a benchmark that writes
//! `bench/results/NAME.json`.

#![allow(clippy::print_stdout)]

mod bench;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};

const USAGE: &str = "usage: cargo xtask test | cargo xtask bench <ingest|store-engines|all> [--quick]";

fn main() -> std::process::ExitCode {
    match run_task() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run_task() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = project_root();
    match args.first().map(String::as_str) {
        Some("test") => test(&root),
        Some("bench") => {
            let name = args.get(1).map(String::as_str).unwrap_or("all");
            let quick = args.iter().any(|a| a == "--quick");
            bench::run(&root, name, quick)
        }
        _ => bail!("{USAGE}"),
    }
}

pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Runs a command in the project root, echoing it, and fails if it fails.
pub fn run(root: &Path, program: &str, args: &[&str], env: &[(&str, &str)]) -> anyhow::Result<()> {
    println!("\n==> {program} {}", args.join(" "));
    let started = Instant::now();
    let status = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(root)
        .status()
        .with_context(|| format!("cannot start {program}"))?;
    println!(
        "<== {program} {} ({:.0} s)",
        args.first().copied().unwrap_or(""),
        started.elapsed().as_secs_f64()
    );
    if !status.success() {
        bail!("`{program} {}` failed with {status}", args.join(" "));
    }
    Ok(())
}

fn test(root: &Path) -> anyhow::Result<()> {
    let started = Instant::now();
    run(root, "cargo", &["fmt", "--all", "--", "--check"], &[])?;
    run(root, "cargo", &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"], &[])?;
    // The slow suites run in full here: 200 SIGKILL cycles of the crash test.
    run(root, "cargo", &["test", "--workspace"], &[("MUNINN_CRASH_CYCLES", "200")])?;
    run(root, "cargo", &["doc", "--workspace", "--no-deps"], &[("RUSTDOCFLAGS", "-D warnings")])?;
    println!("\nxtask test: all checks passed in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}
