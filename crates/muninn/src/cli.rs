//! The command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use muninn_ingest::{FieldMap, Format, TextEncoding};
use muninn_model::{AdmiraltyGrade, SourceId, SourceKind, Tlp};

/// Muninn: collect, search, screen and share intelligence, in one binary.
#[derive(Debug, Parser)]
#[command(name = "muninn", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    /// Configuration file (TOML). Default: $MUNINN_CONFIG, else ./muninn.toml when present.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data directory of the embedded store. Default: $MUNINN_DATA_DIR, else the config
    /// file's data_dir, else ./muninn-data.
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

pub const EXIT_CODES: &str = "Exit codes:
  0  success
  1  failure (the store or the disk failed; see the message)
  2  usage or configuration error
  3  finished, but some input was rejected (see the diagnostics)
  4  the data directory is in use by another muninn process
  5  the data directory is damaged or of another format";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load the bundled demo data into a fresh data directory and say what was loaded.
    Demo(DemoArgs),
    /// Ingest files, directories or standard input.
    Ingest(IngestArgs),
    /// List and show stored items.
    #[command(subcommand)]
    Items(ItemsCommand),
    /// List or define sources.
    Sources {
        #[command(subcommand)]
        command: Option<SourcesCommand>,
    },
    /// Counts over the store.
    Stats(StatsArgs),
    /// Full-text search (query language: `crates/query/README.md`).
    Search(SearchArgs),
    /// What the index knows about an indicator: items, first and last seen, sources.
    Indicator(IndicatorArgs),
    /// Items that share indicators or entities with an item, the rarest shared weighing most.
    Related(RelatedArgs),
    /// Exercises: generate a synthetic flow with planted signals.
    #[command(subcommand)]
    Exercise(ExerciseCommand),
    /// Manage watchlists: import, list, show, delete.
    #[command(subcommand)]
    Watchlist(WatchlistCommand),
    /// Screen stored items against the watchlists (retro-hunt), on all cores.
    Screen(ScreenArgs),
    /// List and triage alerts.
    Alerts(AlertsArgs),
    /// Match a name (or a CSV batch) against the watchlists' names, across spellings and scripts,
    /// with the explanation of every score.
    Match(MatchArgs),
    /// Rebuild the full-text index from the item log.
    Reindex {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// The gazetteer: lists of entities whose names are found in items (import, list, delete).
    #[command(subcommand)]
    Entities(EntitiesCommand),
    /// What the index knows about an entity, by any of its names: items, first and last seen,
    /// sources; or the knowledge base's profile, neighbourhood, paths and communities.
    Entity(EntityArgs),
    /// TAXII 2.1 client: pull a collection from another server into the knowledge base.
    #[command(subcommand)]
    Taxii(TaxiiCommand),
    /// Serve the REST API, TAXII 2.1 and metrics over HTTP.
    Serve(ServeArgs),
    /// Cluster mode: a stateless worker over the `[cluster]` engines (any number of each kind).
    #[command(subcommand)]
    Worker(WorkerCommand),
    /// Cluster mode: set up the engines, or see where the log and the record tables stand.
    #[command(subcommand)]
    Cluster(ClusterCommand),
    /// Organisations, users and API tokens.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// The audit trail: verify the chain, sign a checkpoint.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Import: MISP warning lists, STIX 2.1 bundles, MISP events, incidents (CSV).
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export: the knowledge base as STIX 2.1, a search's indicators as a MISP event.
    #[command(subcommand)]
    Export(ExportCommand),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: std::net::SocketAddr,
    /// Most requests served at once; more are refused at once with 503 and Retry-After.
    #[arg(long, default_value_t = 512)]
    pub max_in_flight: usize,
    /// Let alert webhooks use plain http (default: https only).
    #[arg(long)]
    pub webhook_allow_http: bool,
    /// A HOST or HOST:PORT in a private range that webhooks may reach (an internal receiver);
    /// repeatable.
    #[arg(long = "webhook-allow-host", value_name = "HOST:PORT")]
    pub webhook_allow_hosts: Vec<String>,
    /// Serve HTTPS (TLS 1.2 and 1.3, no 0-RTT) with this PEM certificate chain (with --tls-key).
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    pub tls_cert: Option<std::path::PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    pub tls_key: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create or replace an organisation.
    #[command(name = "org-add")]
    OrgAdd {
        /// Its id (lowercase letters, digits, `.`, `_`, `-`).
        id: String,
        /// Its display name.
        #[arg(long)]
        name: Option<String>,
        /// Organisations that are its clients (TLP:AMBER may reach them where the originator allows).
        #[arg(long = "client", value_name = "ORG")]
        clients: Vec<String>,
    },
    /// Create or replace a user; the password is read from standard input (or --password-env).
    #[command(name = "user-add")]
    UserAdd {
        /// Its id.
        id: String,
        /// Its organisation.
        #[arg(long)]
        org: String,
        /// admin, analyst, reader or partner.
        #[arg(long)]
        role: String,
        /// Read the password from this environment variable instead of standard input.
        #[arg(long, value_name = "VAR")]
        password_env: Option<String>,
        /// Need-to-know groups the user holds.
        #[arg(long = "group", value_name = "GROUP")]
        groups: Vec<String>,
    },
    /// Issue an API token for a user and print it (it is stored only as a hash).
    #[command(name = "token-issue")]
    TokenIssue {
        /// The user.
        user: String,
        /// What the token is for.
        #[arg(long, default_value = "cli")]
        label: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// A STIX 2.1 bundle (latest version of each object, with the marking definitions they
    /// use): the knowledge base, the neighbourhood of one of its objects (--around), or the
    /// indicators of the items a search finds (--query, as the REST export does).
    Stix {
        /// Only objects of these types (repeatable), e.g. intrusion-set, indicator.
        #[arg(long = "type", value_name = "TYPE", conflicts_with = "query")]
        types: Vec<String>,
        /// Only the objects within --depth steps of this one (a name, alias or STIX id), with
        /// the relationships between them.
        #[arg(long, value_name = "NAME", conflicts_with = "query")]
        around: Option<String>,
        /// With --around: the object's type, when several share the name.
        #[arg(long, value_name = "TYPE", requires = "around")]
        around_type: Option<String>,
        /// With --around: how many steps (1 to 10).
        #[arg(long, default_value_t = 1, requires = "around", value_parser = clap::value_parser!(u8).range(1..=10))]
        depth: u8,
        /// The items this search finds: their indicators as a report with indicators, marked
        /// with the most restrictive TLP of those items.
        #[arg(long)]
        query: Option<String>,
        /// With --query: the report's title.
        #[arg(long, requires = "query")]
        info: Option<String>,
        /// Write to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// The indicators of the items a search finds, as one MISP event (marked with the most
    /// restrictive TLP of those items).
    Misp {
        /// The search (query language: crates/query/README.md).
        #[arg(long)]
        query: String,
        /// The event's title.
        #[arg(long)]
        info: Option<String>,
        /// Write to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// MISP warning lists: every `list.json` under DIR (the layout of the misp-warninglists
    /// repository), replacing lists of the same name. Indicators they match are left out of the
    /// index (facets, correlation) and shown apart; the index is rebuilt on its next sync.
    Warninglists {
        /// A directory (searched recursively) or one list file.
        dir: PathBuf,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// STIX 2.1 bundles into the knowledge base, with a report per object (stored, updated,
    /// older version, duplicate, rejected with its reason).
    Stix {
        /// Bundle files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Incident records from CSV (a header naming the columns: date and type required; id,
    /// name, place, country, actor, targets, casualties, narrative, sources, tlp optional; lists
    /// `|`-separated) as STIX incidents, with a report per row: stored, updated, unchanged, or
    /// rejected with the reason and the line. A bad row never stops the import.
    Incidents {
        /// CSV files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Least restrictive TLP the incidents may get: a row's lower TLP is raised to it, a
        /// row without one gets it (default AMBER).
        #[arg(long)]
        tlp: Option<Tlp>,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// MISP galaxy cluster files of threat actors (`threat-actor.json` of misp-galaxy, as
    /// `pymispgalaxies` ships it) into the knowledge base as intrusion sets with their synonyms
    /// as aliases: a new cluster is stored, a changed one becomes a new version, an unchanged
    /// one is left alone.
    Galaxy {
        /// Galaxy cluster files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// A sanctions list into the knowledge base: each listed person or entity an identity
    /// (individual or organization) with its other names as `x_muninn_aliases`, the list's
    /// reference as an external reference and the entry's note as description; vessels and
    /// aircraft are class `unknown`. New entries stored, changed ones a new version, the rest
    /// left alone. `muninn watchlist from-knowledge --types identity` screens for them.
    Sanctions {
        /// The list file.
        file: PathBuf,
        /// Its format.
        #[arg(long, value_enum)]
        format: SanctionsFormat,
        /// For `--format ofac`: the alt.csv file of aliases.
        #[arg(long)]
        alt: Option<PathBuf>,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// MISP event JSON: the event's STIX (report, indicators, identity, intrusion sets,
    /// sightings) into the knowledge base, and its text as an item (screened, indexed).
    Misp {
        /// Event files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The items' source (default: misp-ORGANISATION).
        #[arg(long)]
        source: Option<String>,
        /// Least restrictive TLP the items may get.
        #[arg(long)]
        tlp: Option<Tlp>,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

/// Sanctions lists `muninn import sanctions` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SanctionsFormat {
    /// The UN Security Council consolidated list (XML).
    Un,
    /// The OFAC SDN list in its legacy CSV layout (sdn.csv; `--alt alt.csv` for aliases).
    Ofac,
}

#[derive(Debug, Subcommand)]
pub enum WorkerCommand {
    /// Apply the item log to the record tables in PostgreSQL (dedup, sightings, documents,
    /// checkpoints). Safe to kill at any moment: what it had not acknowledged comes again.
    Ingest {
        /// Messages applied per transaction.
        #[arg(long, default_value_t = 1024)]
        batch: usize,
        /// Stop after this many seconds without a message (default: run until killed).
        #[arg(long, value_name = "SECONDS")]
        idle_exit: Option<u64>,
    },
    /// Screen every item of the log partitions it claims against the current watchlists: the
    /// items that arrive, and, when a list changes, every stored item again (alerts that exist
    /// keep their state). Progress is kept per partition: a killed worker's partitions are taken
    /// over where it stopped.
    Screen {
        /// Log partitions this worker claims at most (default: all free ones).
        #[arg(long)]
        max_partitions: Option<u32>,
        /// Stop after this many seconds without work (default: run until killed).
        #[arg(long, value_name = "SECONDS")]
        idle_exit: Option<u64>,
    },
    /// Hold the published index shards and answer their part of searches (`muninn search
    /// --workers`): any number of workers share each shard's queries over NATS; a worker opens
    /// the shards again when the index workers publish.
    Search,
    /// Build index shards from the record tables and publish them to object storage. Each
    /// worker claims up to --max-shards free shards; a shard's state is its published manifest,
    /// so a killed worker's shards are taken over where they were published.
    Index {
        /// Shards this worker claims at most (default: all of them).
        #[arg(long)]
        max_shards: Option<u32>,
        /// Stop after this many seconds without new items (default: run until killed).
        #[arg(long, value_name = "SECONDS")]
        idle_exit: Option<u64>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ClusterCommand {
    /// Create the stream and bring the database's schema up to date (every command does this
    /// on connecting; this does only that).
    Init,
    /// The stream, the records workers' progress and the schema version.
    Status {
        /// Wait until the records workers have applied everything in the log (up to SECONDS).
        #[arg(long, value_name = "SECONDS")]
        wait_applied: Option<u64>,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Verify the audit chain: any edited, deleted, reordered or truncated entry is found.
    Verify {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Sign a checkpoint of the chain (Ed25519) that can be handed to an outside party.
    Checkpoint {
        /// Also write it to this file.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ExerciseCommand {
    /// Write a scenario's flow (news, notes, mail, chat, feeds) and its ground truth into a
    /// directory; same scenario and seed, same bytes.
    Generate {
        /// A scenario TOML file, or the name of a shipped one (`demo`, `small`).
        #[arg(long, default_value = "demo")]
        scenario: String,
        /// The directory to write (created; must be empty if it exists).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// The random seed.
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Score Muninn's detection on a generated flow: ingest it into a fresh data directory
    /// with a watchlist of the scenario's watched names and indicators (not their variants),
    /// then compare the alerts with the ground truth: precision, recall and time to alert per
    /// signal kind.
    Score {
        /// The ground truth (`truth.json`) written by `exercise generate`; the flow is the
        /// directory it is in.
        #[arg(long, value_name = "FILE")]
        truth: PathBuf,
        /// Where to put the scoring run's data directory (replaced). Default: a `score-data`
        /// directory beside the truth file.
        #[arg(long, value_name = "DIR")]
        work: Option<PathBuf>,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query, e.g. `sandworm AND lang:ru date:>now-30d` (quote it for the shell; put `--`
    /// before a query that starts with `-`). Several words are joined by spaces.
    #[arg(value_name = "QUERY", required = true)]
    pub query: Vec<String>,
    /// Hits per page.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Continue after this cursor (the `next` of the previous page).
    #[arg(long, value_name = "CURSOR")]
    pub after: Option<String>,
    /// Count matches per source, language, TLP and grade, and per day.
    #[arg(long)]
    pub facets: bool,
    /// Run the search this many more times in this process and report each run's latency
    /// (index already open, hits' items read): for measuring, not for reading results.
    #[arg(long, value_name = "N")]
    pub repeat: Option<usize>,
    /// Cluster mode: search through the `muninn worker search` processes (each shard's part
    /// answered by a worker holding it, statistics summed over the shards) instead of fetching
    /// every shard into this process.
    #[arg(long)]
    pub workers: bool,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to put the demo's data directory (replaced if it holds an earlier demo).
    #[arg(long, value_name = "DIR", default_value = "muninn-demo")]
    pub dir: PathBuf,
    /// Seed of the generated corpus.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
    /// Load only; do not serve the API afterwards.
    #[arg(long)]
    pub no_serve: bool,
    /// Address to serve on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: std::net::SocketAddr,
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Files or directories to ingest; `-` for standard input.
    #[arg(required = true, value_name = "PATH")]
    pub inputs: Vec<PathBuf>,
    /// Source of every item (created on first sight); overrides a source field in the input.
    #[arg(long, value_name = "SOURCE")]
    pub source: Option<SourceId>,
    /// Input format, instead of guessing from file names (jsonl, csv, text, markdown, html,
    /// eml, mbox, feed). Standard input defaults to jsonl.
    #[arg(long)]
    pub format: Option<Format>,
    /// Text encoding of the inputs when not UTF-8 (latin1, windows-1251, koi8-r, gbk...).
    #[arg(long)]
    pub encoding: Option<TextEncoding>,
    /// Least restrictive TLP for these items: lower declared labels are raised to it, and items
    /// without a label get it.
    #[arg(long)]
    pub tlp: Option<Tlp>,
    /// Admiralty grade of items that declare none (e.g. B2).
    #[arg(long)]
    pub grade: Option<AdmiraltyGrade>,
    /// Field mapping for JSON Lines and CSV: field=key pairs, e.g. `title=headline,body=text`.
    #[arg(long = "map", value_name = "MAPPING")]
    pub fields: Option<FieldMap>,
    /// Read every input from its start, ignoring resume checkpoints.
    #[arg(long)]
    pub restart: bool,
    /// Largest line, CSV row or message in bytes.
    #[arg(long)]
    pub max_item_bytes: Option<usize>,
    /// Largest single field in bytes.
    #[arg(long)]
    pub max_field_bytes: Option<usize>,
    /// Largest whole-file document in bytes.
    #[arg(long)]
    pub max_document_bytes: Option<usize>,
    /// Print a JSON summary on standard output instead of text.
    #[arg(long)]
    pub json: bool,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// Leave the full-text index behind the log (the next search catches it up).
    #[arg(long)]
    pub no_index: bool,
    /// Print each alert as a JSON line on standard output the moment its item is
    /// acknowledged (with `acknowledged_at` and `emitted_at`), for scripts and pipelines.
    #[arg(long)]
    pub print_alerts: bool,
    /// Longest time (milliseconds) a read unit waits for its batch to fill before the batch is
    /// made durable anyway: bounds the delay from arrival to acknowledgement and alert on a
    /// slow stream.
    #[arg(long)]
    pub max_batch_delay_ms: Option<u64>,
}

#[derive(Debug, Subcommand)]
pub enum ItemsCommand {
    /// List items in ingest order.
    List {
        /// Only this source.
        #[arg(long)]
        source: Option<SourceId>,
        /// Start after this sequence number (the `next` cursor of the previous page).
        #[arg(long, value_name = "SEQ")]
        after: Option<u64>,
        /// Page size.
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Show one item.
    Show {
        /// Item id (32 hexadecimal characters).
        id: muninn_model::ItemId,
        /// Print the raw bytes the item was read from instead.
        #[arg(long)]
        raw: bool,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum SourcesCommand {
    /// List sources with their counts (the default).
    List {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Define or redefine a source.
    Add {
        /// Identifier: lowercase letters, digits, '-', '_', '.'.
        id: SourceId,
        /// Display name (default: the id).
        #[arg(long)]
        name: Option<String>,
        /// open-source, partner, human-report, technical-collection or internal.
        #[arg(long, default_value = "open-source")]
        kind: SourceKind,
        /// Default Admiralty grade of its items.
        #[arg(long, default_value = "F6")]
        grade: AdmiraltyGrade,
        /// Default TLP of its items.
        #[arg(long, default_value = "amber")]
        tlp: Tlp,
        /// Free description.
        #[arg(long)]
        description: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Also read the whole log and check every item against its hash.
    #[arg(long)]
    pub verify: bool,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum WatchlistCommand {
    /// Import a list from a file, as a new watchlist or a new version of one (replacing its
    /// entries; screening uses the new version from the next item on).
    Import(WatchlistImportArgs),
    /// List the watchlists.
    List {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Show a watchlist and its first entries.
    Show {
        /// The watchlist's name.
        name: String,
        /// How many entries to print.
        #[arg(long, default_value_t = 20)]
        entries: usize,
        /// JSON output (the whole list).
        #[arg(long)]
        json: bool,
    },
    /// Make (or replace) a watchlist of the knowledge base's names and aliases, one name entry
    /// per object. Its TLP is the most restrictive of --tlp and the objects' (an object without
    /// a TLP counts as AMBER+STRICT, as the server treats it).
    FromKnowledge {
        /// The watchlist's name.
        #[arg(long)]
        name: String,
        /// Who maintains the list.
        #[arg(long, default_value = "local")]
        owner: String,
        /// The least restrictive marking the list may get.
        #[arg(long, default_value = "amber")]
        tlp: Tlp,
        /// Which objects.
        #[command(flatten)]
        selection: FromKnowledgeArgs,
    },
    /// Delete a watchlist (its alerts stay).
    Delete {
        /// The watchlist's name.
        name: String,
    },
}

/// Formats `muninn watchlist import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WatchlistFormat {
    /// CSV with a header: id, kind, value, aliases (`|`-separated), severity, note.
    Csv,
    /// The UN Security Council consolidated sanctions list (XML).
    Un,
    /// The OFAC SDN list in its legacy CSV layout (sdn.csv; `--alt alt.csv` for aliases).
    Ofac,
    /// A MISP galaxy cluster file (e.g. threat-actor.json).
    MispGalaxy,
    /// A watchlist as `muninn watchlist show --json` prints it.
    Json,
}

#[derive(Debug, Args)]
pub struct WatchlistImportArgs {
    /// The file to read.
    pub file: PathBuf,
    /// Its format.
    #[arg(long, value_enum)]
    pub format: WatchlistFormat,
    /// The watchlist's name (e.g. UN-1267). Default: the file's stem.
    #[arg(long)]
    pub name: Option<String>,
    /// Who maintains the list.
    #[arg(long, default_value = "local")]
    pub owner: String,
    /// The list's marking; alerts are never marked lower.
    #[arg(long, default_value = "amber")]
    pub tlp: Tlp,
    /// For `--format ofac`: the alt.csv file of aliases.
    #[arg(long)]
    pub alt: Option<PathBuf>,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ScreenArgs {
    /// Only items dated on or after this day or instant (event time, else collection time).
    #[arg(long)]
    pub since: Option<String>,
    /// Only this watchlist (may be repeated). Default: all.
    #[arg(long = "watchlist")]
    pub watchlists: Vec<String>,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct AlertsArgs {
    /// Only alerts in this state: new, acknowledged, dismissed, escalated.
    #[arg(long)]
    pub state: Option<String>,
    /// Only alerts of this watchlist.
    #[arg(long)]
    pub watchlist: Option<String>,
    /// Only alerts on this item.
    #[arg(long)]
    pub item: Option<String>,
    /// How many to print.
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// Move the selected alerts (or those given with --key) to this state.
    #[arg(long = "set")]
    pub set_state: Option<String>,
    /// The alert to change (its key, as listed); may be repeated.
    #[arg(long)]
    pub key: Vec<String>,
    /// Who makes the change (required with --set).
    #[arg(long)]
    pub by: Option<String>,
    /// Why (with --set).
    #[arg(long, default_value = "")]
    pub note: String,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct IndicatorArgs {
    /// The indicator, as written anywhere (defanged forms and any case are accepted), e.g.
    /// `198.51.100.7`, `evil[.]example`, a file digest.
    #[arg(value_name = "VALUE")]
    pub value: String,
    /// How many of the most recent items to list.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RelatedArgs {
    /// The item's id (32 hex characters, as `muninn items list` prints it).
    #[arg(value_name = "ITEM_ID")]
    pub item: String,
    /// How many related items to list.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct MatchArgs {
    /// The name to match, in any script and order (`SALEK, ABDULHAI`, `Абдулхай Салек`).
    #[arg(value_name = "NAME")]
    pub name: Option<String>,
    /// A CSV batch instead of NAME: a header with `name`, optional `id`, `birth_date`,
    /// `country` (`|`-separated) and `gender`; one answer per row, in order.
    #[arg(long, value_name = "FILE", conflicts_with = "name")]
    pub csv: Option<PathBuf>,
    /// Date of birth: YYYY, YYYY-MM or YYYY-MM-DD (adds or takes evidence when listed).
    #[arg(long)]
    pub birth_date: Option<String>,
    /// Country or nationality (may be repeated).
    #[arg(long = "country")]
    pub countries: Vec<String>,
    /// Gender: m or f.
    #[arg(long)]
    pub gender: Option<String>,
    /// Only this watchlist (may be repeated). Default: all.
    #[arg(long = "list")]
    pub lists: Vec<String>,
    /// Lowest score reported, 0..1. Default: the matcher's default threshold (0.85).
    #[arg(long)]
    pub threshold: Option<f32>,
    /// Most entities reported per query.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// JSON output (JSON Lines for a batch).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum EntitiesCommand {
    /// Import (or replace) a list of entities; the index is rebuilt to find their names.
    Import(EntitiesImportArgs),
    /// List the entity lists.
    List {
        /// Also list every entity.
        #[arg(long)]
        entities: bool,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Make (or replace) an entity list of the knowledge base's names and aliases; the index
    /// is rebuilt to find them.
    FromKnowledge {
        /// The list's name.
        #[arg(long, default_value = "knowledge")]
        name: String,
        /// Which objects.
        #[command(flatten)]
        selection: FromKnowledgeArgs,
    },
    /// Delete an entity list; the index is rebuilt without it.
    Delete {
        /// The list's name.
        name: String,
    },
}

/// Formats `muninn entities import` reads (the watchlist import formats; only name entries
/// become entities).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EntitiesFormat {
    /// A MISP galaxy cluster file (e.g. threat-actor.json): a cluster's value and synonyms.
    MispGalaxy,
    /// The UN Security Council consolidated sanctions list (XML).
    Un,
    /// The OFAC SDN list in its legacy CSV layout (sdn.csv).
    Ofac,
    /// CSV with a header: id, kind (name), value, aliases (`|`-separated).
    Csv,
}

#[derive(Debug, Args)]
pub struct EntitiesImportArgs {
    /// The file to read.
    pub file: PathBuf,
    /// Its format.
    #[arg(long, value_enum)]
    pub format: EntitiesFormat,
    /// What the entities are: threat-actor, organisation, person, place... Default: a MISP
    /// galaxy's type, else `unspecified`.
    #[arg(long)]
    pub kind: Option<String>,
    /// The list's name (prefixes its entities' ids). Default: the file's stem.
    #[arg(long)]
    pub name: Option<String>,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct EntityArgs {
    /// The knowledge base's view instead of the index's: profile, neighbourhood, path,
    /// communities.
    #[command(subcommand)]
    pub graph: Option<EntityGraphCommand>,
    /// A name or alias of the entity, in any script and case (`APT28`, `"Fancy Bear"`), or its id.
    #[arg(value_name = "NAME", required = true)]
    pub name: Option<String>,
    /// How many of the most recent items to list.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

/// The knowledge base's graph around an object (STIX objects imported with `muninn import`):
/// relationships are edges from source to target, embedded references (`created_by_ref`,
/// `object_refs`, `x_muninn_actor_ref`...) edges from the referring object.
#[derive(Debug, Subcommand)]
pub enum EntityGraphCommand {
    /// What the knowledge base holds of the objects with this name, alias or id: type, aliases,
    /// description, references, relationships.
    Profile(GraphArgs),
    /// The objects within --depth edges of one object, breadth first, with the edges that
    /// reach them.
    Neighbourhood(GraphArgs),
    /// A shortest path between two objects (at most --depth edges; of several, the one
    /// through the smallest ids).
    Path(PathArgs),
    /// The communities in an object's neighbourhood, by label propagation: every object starts
    /// in its own community; in id order, each joins the community most of its neighbours are
    /// in (keeping its own on a tie, else the smallest label), until nothing changes (at most
    /// 50 rounds). Deterministic: the same graph gives the same communities.
    Communities(GraphArgs),
    /// Objects that are probably one thing: pairs of actors, software, campaigns, identities
    /// or locations that share a name or alias across sources (ATT&CK's and the MISP galaxy's
    /// APT28), best first; pairs already decided either way, or already one, are left out.
    Duplicates(DuplicatesArgs),
    /// Records that two objects (names, aliases or ids) are one thing, or with --reject that
    /// they are not; --undo withdraws the assertion. Objects are never changed: `entity
    /// profile` shows the merged view the accepted assertions make.
    SameAs(SameAsArgs),
}

/// How many duplicate suggestions.
#[derive(Debug, Args)]
pub struct DuplicatesArgs {
    /// Most suggestions listed.
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

/// A same-as decision.
#[derive(Debug, Args)]
pub struct SameAsArgs {
    /// One object (name, alias or STIX id).
    pub first: String,
    /// The other.
    pub second: String,
    /// They are not the same: do not suggest them again.
    #[arg(long)]
    pub reject: bool,
    /// Withdraw the assertion about the pair (accepted or rejected).
    #[arg(long, conflicts_with = "reject")]
    pub undo: bool,
    /// Why.
    #[arg(long, default_value = "")]
    pub note: String,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

/// Which object and how far.
#[derive(Debug, Args)]
pub struct GraphArgs {
    /// A name or alias (any case) or a STIX id.
    #[arg(value_name = "NAME")]
    pub name: String,
    /// Only objects of this type (to choose between objects that share a name).
    #[arg(long = "type", value_name = "TYPE")]
    pub object_type: Option<String>,
    /// Most edges from the object (1 to 10).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=10))]
    pub depth: u8,
    /// Objects with more edges than this are listed but not passed through (an identity that
    /// created every object would put everything two steps apart).
    #[arg(long, default_value_t = 1000)]
    pub hub_degree: usize,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

/// Two objects and how far apart they may be.
#[derive(Debug, Args)]
pub struct PathArgs {
    /// Where the path starts: a name, alias or STIX id.
    #[arg(value_name = "FROM")]
    pub from: String,
    /// Where it ends.
    #[arg(value_name = "TO")]
    pub to: String,
    /// Most edges (1 to 12).
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u8).range(1..=12))]
    pub depth: u8,
    /// Objects with more edges than this are not passed through.
    #[arg(long, default_value_t = 1000)]
    pub hub_degree: usize,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

/// Which knowledge-base objects lend their names.
#[derive(Debug, Args)]
pub struct FromKnowledgeArgs {
    /// Object types whose names and aliases are taken (comma-separated or repeated). Malware
    /// and tool names (`Cuba`, `ping`) are often common words: the gazetteer tags such one-word
    /// names only where written as listed (or not at all), a watchlist matches them folded.
    #[arg(long, value_delimiter = ',', default_value = "intrusion-set,threat-actor,campaign")]
    pub types: Vec<String>,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum TaxiiCommand {
    /// Pull a collection's objects (STIX 2.1) into the knowledge base, page by page; each page
    /// is stored with the pull's cursor, so an interrupted pull resumes where it stopped.
    Pull(TaxiiPullArgs),
}

#[derive(Debug, Args)]
pub struct TaxiiPullArgs {
    /// The server's discovery URL (`https://host/taxii2/`) or an API root URL.
    pub url: String,
    /// The collection's id.
    #[arg(long)]
    pub collection: String,
    /// HTTP Basic user name (with --password-env).
    #[arg(long, requires = "password_env", conflicts_with = "token_env")]
    pub user: Option<String>,
    /// Environment variable holding the Basic password.
    #[arg(long, value_name = "VAR", requires = "user")]
    pub password_env: Option<String>,
    /// Environment variable holding a bearer token.
    #[arg(long, value_name = "VAR")]
    pub token_env: Option<String>,
    /// Allow plain http (default: https only).
    #[arg(long)]
    pub allow_http: bool,
    /// A HOST or HOST:PORT that may be in a private range (an intentional internal server);
    /// repeatable.
    #[arg(long = "allow-host", value_name = "HOST:PORT")]
    pub allow_host: Vec<String>,
    /// Most pages fetched in this run.
    #[arg(long, default_value_t = 10_000)]
    pub max_pages: u32,
    /// Most response bytes fetched in this run.
    #[arg(long, default_value_t = 1 << 30)]
    pub max_bytes: u64,
    /// Longest wait for any one read from the server, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub read_timeout: u64,
    /// Longest time for one request, redirects and body included, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 120)]
    pub timeout: u64,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}
