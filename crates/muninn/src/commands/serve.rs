//! `muninn serve`, `muninn admin` (organisations, users, tokens) and `muninn audit` (verify,
//! checkpoint, show).
//!
//! Administrative commands on the host write the same documents as the API, with an audit
//! entry of the local actor in the same batch.

use std::collections::BTreeSet;
use std::io::Read;
use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use muninn_access::{Org, OrgId, Role, TokenRecord, User, UserId};
use muninn_api::catalog;
use muninn_api::state::{AppState, Settings, audit_documents, record, stored_head};
use muninn_api::tls::{ServerConfig, TlsFiles};
use muninn_audit::{AuditAction, AuditRecord, Chain, Outcome};
use muninn_model::Timestamp;
use muninn_store::{Document, EmbeddedStore, ItemStore};
use serde_json::json;

use crate::UsageError;
use crate::cli::{AdminCommand, AuditCommand, ServeArgs};
use crate::config::Config;
use crate::output;

/// Writes `documents` with the audit entries of `records` in one batch.
pub fn write_audited(
    store: &mut dyn ItemStore,
    mut documents: Vec<Document>,
    records: Vec<AuditRecord>,
) -> anyhow::Result<()> {
    let mut chain = Chain::resume(stored_head(store)?);
    documents.extend(audit_documents(&mut chain, records)?);
    store.put_documents(documents)?;
    Ok(())
}

fn random<const N: usize>() -> anyhow::Result<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|error| anyhow::anyhow!("no randomness: {error}"))?;
    Ok(bytes)
}

/// Creates (or replaces) an organisation.
pub fn add_org(store: &mut dyn ItemStore, id: &str, name: &str, clients: &[String]) -> anyhow::Result<()> {
    let id: OrgId = id.parse().map_err(|error| UsageError(format!("organisation id {id:?}: {error}")))?;
    let clients = clients
        .iter()
        .map(|c| c.parse().map_err(|error| UsageError(format!("client organisation {c:?}: {error}"))))
        .collect::<Result<BTreeSet<OrgId>, _>>()?;
    let org = Org { id: id.clone(), name: name.to_owned(), clients };
    let audit = record(None, AuditAction::OrgCreated { org: id.to_string() }, Outcome::Allowed);
    write_audited(store, vec![catalog::org_document(&org)?], vec![audit])
}

/// Creates (or replaces) a user with a password.
pub fn add_user(
    store: &mut dyn ItemStore,
    id: &str,
    org: &str,
    role: &str,
    password: &str,
    groups: &[String],
) -> anyhow::Result<()> {
    let id: UserId = id.parse().map_err(|error| UsageError(format!("user id {id:?}: {error}")))?;
    let org: OrgId = org.parse().map_err(|error| UsageError(format!("organisation id {org:?}: {error}")))?;
    let role: Role = role.parse().map_err(|error| UsageError(format!("role {role:?}: {error}")))?;
    if store.document(catalog::ORG_TABLE, org.as_str())?.is_none() {
        return Err(
            UsageError(format!("no organisation {org} (muninn admin org add {org} --name NAME)")).into()
        );
    }
    let password_hash =
        muninn_access::hash_password(password, &random::<16>()?).map_err(|e| UsageError(e.to_string()))?;
    let user = User {
        id: id.clone(),
        org: org.clone(),
        role,
        groups: groups.iter().cloned().collect(),
        name: id.to_string(),
        password_hash: Some(password_hash),
        disabled: false,
    };
    let audit = record(
        None,
        AuditAction::UserCreated { user: id.to_string(), org: org.to_string(), role: role.to_string() },
        Outcome::Allowed,
    );
    write_audited(store, vec![catalog::user_document(&user)?], vec![audit])
}

/// Issues a token for a user; returns the secret (shown once, stored only as a hash).
pub fn issue_token(store: &mut dyn ItemStore, user: &str, label: &str) -> anyhow::Result<String> {
    let user: UserId = user.parse().map_err(|error| UsageError(format!("user id {user:?}: {error}")))?;
    if store.document(catalog::USER_TABLE, user.as_str())?.is_none() {
        return Err(UsageError(format!("no user {user}")).into());
    }
    let (token, hash) = muninn_access::issue_token(&random::<32>()?);
    let record_ = TokenRecord {
        id: muninn_access::token_id(&hash),
        hash,
        user,
        label: label.to_owned(),
        created_at_unix: Timestamp::now().as_second(),
        revoked: false,
    };
    let audit = record(
        None,
        AuditAction::TokenIssued { token_id: muninn_audit::TokenId::new(&record_.id)? },
        Outcome::Allowed,
    );
    write_audited(store, vec![catalog::token_document(&record_)?], vec![audit])?;
    Ok(token)
}

fn read_password(from_env: Option<&str>) -> anyhow::Result<String> {
    if let Some(variable) = from_env {
        return std::env::var(variable)
            .map_err(|_| UsageError(format!("environment variable {variable} is not set")).into());
    }
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).context("reading the password from standard input")?;
    Ok(text.trim_end_matches(['\r', '\n']).to_owned())
}

pub fn admin(config: &Config, command: &AdminCommand) -> anyhow::Result<ExitCode> {
    let (mut backend, _audit_chain) = open_for_audit(config, false)?;
    let store = backend.store_mut();
    match command {
        AdminCommand::OrgAdd { id, name, clients } => {
            add_org(store, id, name.as_deref().unwrap_or(id), clients)?;
            output::print(&format!("organisation {id} stored\n"))?;
        }
        AdminCommand::UserAdd { id, org, role, password_env, groups } => {
            let password = read_password(password_env.as_deref())?;
            add_user(store, id, org, role, &password, groups)?;
            output::print(&format!("user {id} ({role} of {org}) stored\n"))?;
        }
        AdminCommand::TokenIssue { user, label } => {
            let token = issue_token(store, user, label)?;
            output::print(&format!("{token}\n"))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The configured store, and on a cluster the audit chain's lock for the command's run: servers
/// may be appending to the chain, and this command's entries wait their turn.
fn open_for_audit(
    config: &Config,
    must_exist: bool,
) -> anyhow::Result<(super::Backend, Option<muninn_cluster::SharedLockGuard>)> {
    let backend = super::open_backend(config, must_exist)?;
    let lock = match &backend {
        super::Backend::Cluster(_) => Some(super::cluster::lock_audit_chain(config)?),
        super::Backend::Embedded(_) => None,
    };
    Ok((backend, lock))
}

pub fn audit(config: &Config, command: &AuditCommand) -> anyhow::Result<ExitCode> {
    let (mut store, _audit_chain) = open_for_audit(config, true)?;
    match command {
        AuditCommand::Verify { json } => {
            let result = muninn_api::audit_log::verify_store(&*store)?;
            let audit = record(None, AuditAction::AuditRead, Outcome::Allowed);
            write_audited(&mut *store, Vec::new(), vec![audit])?;
            match result {
                Ok(verified) => {
                    if *json {
                        output::print_json(&json!({"valid": true, "entries": verified.entries}))?;
                    } else {
                        output::print(&format!(
                            "audit chain verified: {} entries, head {}\n",
                            verified.entries, verified.head.hash
                        ))?;
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(problem) => {
                    if *json {
                        output::print_json(&json!({"valid": false, "problem": problem.to_string()}))?;
                    } else {
                        output::print(&format!("audit chain DOES NOT VERIFY: {problem}\n"))?;
                    }
                    Ok(ExitCode::from(crate::exit::CORRUPT))
                }
            }
        }
        AuditCommand::Checkpoint { out } => {
            // On a cluster the key is this machine's (the data directory may be new).
            std::fs::create_dir_all(&config.data_dir)?;
            let seed = muninn_api::audit_log::signing_seed(&config.data_dir)?;
            // The checkpoint covers the chain including its own announcement entry.
            let today = jiff::tz::TimeZone::UTC.to_datetime(Timestamp::now()).date();
            let mut chain = Chain::resume(stored_head(&*store)?);
            let checkpoint = muninn_api::audit_log::append_checkpoint(&mut *store, &mut chain, &seed, today)?;
            let head = chain.head();
            let text = serde_json::to_string_pretty(&checkpoint)?;
            match out {
                Some(path) => {
                    std::fs::write(path, format!("{text}\n"))
                        .with_context(|| format!("writing {}", path.display()))?;
                    output::print(&format!(
                        "checkpoint of {} entries signed; written to {}\n",
                        head.next_seq,
                        path.display()
                    ))?;
                }
                None => output::print(&format!("{text}\n"))?,
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Serves the API of a data directory over plain HTTP until Ctrl-C (or SIGTERM).
pub fn serve_dir(data_dir: &Path, listen: SocketAddr, settings: Settings) -> anyhow::Result<()> {
    serve_dir_with(data_dir, listen, settings, None)
}

/// Serves the API of a data directory, over HTTPS when `tls` is given, until Ctrl-C (or
/// SIGTERM).
fn serve_dir_with(
    data_dir: &Path,
    listen: SocketAddr,
    settings: Settings,
    tls: Option<Arc<ServerConfig>>,
) -> anyhow::Result<()> {
    let store = EmbeddedStore::open(data_dir, muninn_store::StoreConfig::default())?;
    let mut index = super::entities::open_index(data_dir, &store)?;
    index.sync(&store)?;
    let state = Arc::new(AppState::new(data_dir, Box::new(store), index, settings)?);
    serve_state(state, listen, tls)
}

/// Serves `state` until Ctrl-C (or SIGTERM).
fn serve_state(
    state: Arc<AppState>,
    listen: SocketAddr,
    tls: Option<Arc<ServerConfig>>,
) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|error| UsageError(format!("cannot listen on {listen}: {error}")))?;
        let address = listener.local_addr()?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        output::print(&format!(
            "muninn serving on {scheme}://{address}/ (web UI at /, API under /api/v1, OpenAPI at /api/v1/openapi.json, metrics at /metrics); Ctrl-C stops\n"
        ))?;
        match tls {
            Some(config) => muninn_api::serve_tls(state, listener, config, shutdown_signal()).await?,
            None => muninn_api::serve(state, listener, shutdown_signal()).await?,
        }
        anyhow::Ok(())
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

pub fn serve(config: &Config, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    if config.cluster.is_none() && !config.data_dir.join("FORMAT").exists() {
        return Err(UsageError(format!(
            "no muninn data directory at {}: ingest something first, or pass --data-dir",
            config.data_dir.display()
        ))
        .into());
    }
    let defaults = Settings::default();
    let webhook_policy = muninn_egress::EgressPolicy {
        allow_http: args.webhook_allow_http,
        allow_hosts: args.webhook_allow_hosts.clone(),
        ..defaults.webhook_policy.clone()
    };
    let settings = Settings { max_in_flight: args.max_in_flight.max(1), webhook_policy, ..defaults };
    // Read before anything starts, so a bad file stops the command with its name. The flags
    // (which clap takes only together) win over the file's `[server]` table.
    let (cert, key) = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => (Some(cert), Some(key)),
        _ => (config.server.tls_cert.as_ref(), config.server.tls_key.as_ref()),
    };
    let tls = match (cert, key) {
        (Some(cert), Some(key)) => {
            let files = TlsFiles { cert: cert.clone(), key: key.clone() };
            Some(muninn_api::tls::server_config(&files).map_err(|error| UsageError(error.to_string()))?)
        }
        _ => None,
    };
    if config.cluster.is_some() {
        let state = super::cluster::server_state(config, settings)?;
        serve_state(Arc::new(state), args.listen, tls)?;
        return Ok(ExitCode::SUCCESS);
    }
    serve_dir_with(&config.data_dir, args.listen, settings, tls)?;
    Ok(ExitCode::SUCCESS)
}
