//! `muninn`: the one binary. Parses the command line, loads the configuration, runs a command
//! and turns its outcome into an exit code (listed in `muninn --help`).

mod cli;
mod commands;
mod config;
mod output;

use std::process::ExitCode;

use clap::Parser;
use muninn_store::{ErrorCode, StoreError};

use crate::cli::{Cli, Command};

/// Ingest allocates many small strings per item; mimalloc cuts the allocator's share of the
/// ingest profile by about half compared with glibc's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// An error in what the user asked for (bad configuration, bad arguments): exit code 2.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Exit codes other than success and plain failure.
pub mod exit {
    /// Usage or configuration error.
    pub const USAGE: u8 = 2;
    /// Finished, but some input was rejected.
    pub const PARTIAL: u8 = 3;
    /// The data directory is held by another process.
    pub const BUSY: u8 = 4;
    /// The data directory is damaged or of another format.
    pub const CORRUPT: u8 = 5;
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let logs = tracing_subscriber::fmt().with_writer(std::io::stderr).with_env_filter(
        tracing_subscriber::EnvFilter::try_from_env("MUNINN_LOG")
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
    );
    // JSON lines for log collectors: one object per event, each field a JSON value.
    if std::env::var("MUNINN_LOG_FORMAT").is_ok_and(|format| format == "json") {
        logs.json().init();
    } else {
        logs.init();
    }
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            if is_broken_pipe(&error) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {error:#}");
            ExitCode::from(exit_code_of(&error))
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let env = |key: &str| std::env::var(key).ok();
    let mut config =
        config::load(cli.config.as_deref(), &env).map_err(|error| UsageError(format!("{error:#}")))?;
    if let Some(dir) = cli.data_dir {
        config.data_dir = dir;
    }
    if config.cluster.is_some() && !commands::cluster::runs_in_cluster_mode(&cli.command) {
        return Err(UsageError(
            "this command does not run in cluster mode (the configuration has a [cluster] table): \
             `demo` and `exercise` make a data directory of their own, and `reindex` is the index \
             workers' work (they rebuild from the records); cluster mode runs every other command"
                .to_owned(),
        )
        .into());
    }
    match cli.command {
        Command::Demo(args) => commands::demo::run(&config, &args),
        Command::Ingest(args) => commands::ingest::run(&config, &args),
        Command::Items(command) => commands::items::run(&config, &command),
        Command::Sources { command } => commands::sources::run(&config, command.as_ref()),
        Command::Stats(args) => commands::stats::run(&config, &args),
        Command::Search(args) => commands::search::run(&config, &args),
        Command::Indicator(args) => commands::correlate::indicator(&config, &args),
        Command::Related(args) => commands::correlate::related(&config, &args),
        Command::Watchlist(command) => commands::screen::watchlist(&config, command),
        Command::Screen(args) => commands::screen::retro_hunt(&config, &args),
        Command::Alerts(args) => commands::screen::alerts(&config, &args),
        Command::Match(args) => commands::matching::run(&config, &args),
        Command::Reindex { json } => commands::search::reindex(&config, json),
        Command::Exercise(command) => commands::exercise::run(&command),
        Command::Entities(command) => commands::entities::run(&config, &command),
        Command::Entity(args) => commands::entities::entity(&config, &args),
        Command::Taxii(command) => commands::taxii::run(&config, &command),
        Command::Serve(args) => commands::serve::serve(&config, &args),
        Command::Worker(command) => commands::cluster::worker(&config, &command),
        Command::Cluster(command) => commands::cluster::cluster(&config, &command),
        Command::Admin(command) => commands::serve::admin(&config, &command),
        Command::Audit(command) => commands::serve::audit(&config, &command),
        Command::Import(command) => commands::import::run(&config, &command),
        Command::Export(command) => commands::knowledge::export(&config, &command),
    }
}

fn exit_code_of(error: &anyhow::Error) -> u8 {
    for cause in error.chain() {
        if cause.downcast_ref::<UsageError>().is_some() {
            return exit::USAGE;
        }
        if let Some(muninn_index::IndexError::UnknownEntity(_)) =
            cause.downcast_ref::<muninn_index::IndexError>()
        {
            return exit::USAGE;
        }
        if let Some(query_error) = cause.downcast_ref::<muninn_query::QueryError>() {
            let _ = query_error;
            return exit::USAGE;
        }
        if let Some(store_error) = cause.downcast_ref::<StoreError>() {
            return match store_error.code() {
                ErrorCode::Busy => exit::BUSY,
                ErrorCode::Corrupt => exit::CORRUPT,
                ErrorCode::InvalidInput => exit::USAGE,
                _ => 1,
            };
        }
    }
    1
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
