//! `muninn demo`: generates the demo scenario, adds the real public samples shipped in the
//! binary, loads everything into a fresh data directory and says what it did.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use muninn_ingest::{IngestConfig, IngestSummary, Input, Quiet};
use muninn_model::{AdmiraltyGrade, Source, SourceId, SourceKind, Timestamp, Tlp};
use muninn_screen::{Screener, Watchlist};
use muninn_store::{Document, EmbeddedStore, ItemStore, StoreConfig};
use serde_json::json;

use crate::cli::DemoArgs;
use crate::config::Config;
use crate::{UsageError, output};

/// Marks a directory as the demo's, so that a later run may replace it.
const MARKER: &str = ".muninn-demo";

/// Real public material embedded in the binary (licences in `demo/samples/README.md`).
const SAMPLES: [(&str, &[u8]); 7] = [
    ("spamassassin-klez.eml", include_bytes!("../../demo/samples/spamassassin-klez.eml")),
    ("spamassassin-encryption.eml", include_bytes!("../../demo/samples/spamassassin-encryption.eml")),
    ("udhr-eng.html", include_bytes!("../../demo/samples/udhr-eng.html")),
    ("udhr-rus.html", include_bytes!("../../demo/samples/udhr-rus.html")),
    ("udhr-arb.html", include_bytes!("../../demo/samples/udhr-arb.html")),
    ("udhr-cmn_hans.html", include_bytes!("../../demo/samples/udhr-cmn_hans.html")),
    ("README.md", include_bytes!("../../demo/samples/README.md")),
];

/// A source the demo defines: id, name, kind, grade, TLP.
type SourceSpec = (&'static str, &'static str, SourceKind, &'static str, Tlp);

pub(crate) const SOURCES: [SourceSpec; 19] = [
    ("newswire-en", "Newswire (English)", SourceKind::OpenSource, "B2", Tlp::Clear),
    ("cyberdesk-en", "Cyber desk (English)", SourceKind::OpenSource, "B3", Tlp::Clear),
    ("baltic-monitor-en", "Baltic monitor", SourceKind::OpenSource, "C3", Tlp::Clear),
    ("gulf-times-en", "Gulf times", SourceKind::OpenSource, "C3", Tlp::Clear),
    ("newswire-ru", "Newswire (Russian)", SourceKind::OpenSource, "B2", Tlp::Clear),
    ("vostok-monitor-ru", "Vostok monitor", SourceKind::OpenSource, "C4", Tlp::Clear),
    ("newswire-ar", "Newswire (Arabic)", SourceKind::OpenSource, "B2", Tlp::Clear),
    ("gulf-monitor-ar", "Gulf monitor (Arabic)", SourceKind::OpenSource, "C3", Tlp::Clear),
    ("newswire-zh", "Newswire (Chinese)", SourceKind::OpenSource, "B2", Tlp::Clear),
    ("cyber-daily-zh", "Cyber daily (Chinese)", SourceKind::OpenSource, "C3", Tlp::Clear),
    ("analyst-notes", "Analyst notes", SourceKind::Internal, "A2", Tlp::Amber),
    ("partner-mail", "Partner CERT mailing list", SourceKind::Partner, "B2", Tlp::Amber),
    ("field-chat", "Field team chat", SourceKind::HumanReport, "C3", Tlp::AmberStrict),
    ("threat-feed-rss", "Threat news feed (RSS)", SourceKind::OpenSource, "B3", Tlp::Clear),
    ("advisories-atom", "Advisories feed (Atom)", SourceKind::OpenSource, "B2", Tlp::Clear),
    ("partner-stix", "Partners' STIX 2.1 bundles", SourceKind::Partner, "B2", Tlp::Amber),
    ("partner-misp", "Partners' MISP events", SourceKind::Partner, "B2", Tlp::Amber),
    (
        "spamassassin-corpus",
        "SpamAssassin public corpus (real e-mail, 2002)",
        SourceKind::OpenSource,
        "F6",
        Tlp::Clear,
    ),
    (
        "un-udhr",
        "United Nations: Universal Declaration of Human Rights",
        SourceKind::OpenSource,
        "A1",
        Tlp::Clear,
    ),
];

/// What to load from the corpus, and as which source (`None`: the source each line names).
pub(crate) const PARTS: [(&str, &str, Option<&str>); 10] = [
    ("news", "news.jsonl", None),
    ("analyst notes", "notes", Some("analyst-notes")),
    ("partner e-mail", "mail/inbox.mbox", Some("partner-mail")),
    ("field chat", "chat/messages.jsonl", Some("field-chat")),
    ("RSS feed", "feeds/feed.rss", Some("threat-feed-rss")),
    ("Atom feed", "feeds/feed.atom", Some("advisories-atom")),
    ("partner STIX bundles", "partners/stix", Some("partner-stix")),
    ("partner MISP events", "partners/misp", Some("partner-misp")),
    ("real e-mail samples", "samples/spamassassin-klez.eml", Some("spamassassin-corpus")),
    ("real e-mail samples", "samples/spamassassin-encryption.eml", Some("spamassassin-corpus")),
];

/// The demo's gazetteer: 15 MISP threat-actor clusters (licence: `demo/GAZETTEER-LICENCE.md`).
pub(crate) const GAZETTEER: &[u8] = include_bytes!("../../demo/gazetteer-threat-actors.json");
/// MITRE ATT&CK Enterprise 18.1 as one STIX 2.1 bundle (24,771 objects) and the MISP
/// threat-actor galaxy (864 clusters), zstd-compressed (licences: `demo/knowledge/README.md`).
const ATTACK: &[u8] = include_bytes!("../../demo/knowledge/enterprise-attack-18.1.json.zst");
const THREAT_ACTOR_GALAXY: &[u8] = include_bytes!("../../demo/knowledge/misp-galaxy-threat-actor.json.zst");

/// What the demo put in the knowledge base.
struct LoadedKnowledge {
    attack: muninn_stix::ImportCounts,
    galaxy: super::knowledge::UndatedImport,
    software_entities: usize,
}

/// Loads ATT&CK and the threat-actor galaxy into the knowledge base, and ATT&CK's software
/// (malware and tools, with their aliases) into the gazetteer as the list `attack-software`.
fn load_knowledge(store: &mut EmbeddedStore) -> anyhow::Result<LoadedKnowledge> {
    let attack = zstd::decode_all(ATTACK).context("decompressing the bundled ATT&CK bundle")?;
    let (report, documents) = super::knowledge::import_against_store(store, &attack)?;
    store.put_documents(documents)?;
    let galaxy = zstd::decode_all(THREAT_ACTOR_GALAXY).context("decompressing the bundled galaxy")?;
    let galaxy = super::knowledge::import_galaxy(store, &galaxy, Timestamp::now())?;
    let objects = super::graph::stored_objects(store)?;
    let software: Vec<muninn_index::Entity> =
        muninn_stix::named_objects(objects.values(), &["malware", "tool"])
            .into_iter()
            .map(|object| muninn_index::Entity {
                id: format!("attack-software:{}", object.id),
                name: object.name,
                aliases: object.aliases,
                kind: object.object_type,
            })
            .collect();
    let software_entities = software.len();
    super::entities::store_entities(store, "attack-software", "stix", software, Vec::new())?;
    Ok(LoadedKnowledge { attack: report.counts(), galaxy, software_entities })
}

/// A warning list of known benign values (public DNS resolvers), in the MISP format.
const WARNING_LIST: &[u8] = include_bytes!("../../demo/warninglist-public-resolvers.json");

/// Defines the sources the generated flow's files are ingested under.
pub(crate) fn define_sources(store: &mut EmbeddedStore) -> anyhow::Result<()> {
    for (id, name, kind, grade, tlp) in SOURCES {
        store.put_source(Source {
            id: SourceId::new(id)?,
            name: name.to_owned(),
            kind,
            default_grade: grade.parse::<AdmiraltyGrade>()?,
            default_tlp: tlp,
            description: None,
        })?;
    }
    Ok(())
}

/// The demo's watchlist (`demo/watchlist.csv`): a listed person in four scripts, an actor with
/// its aliases, an indicator, a pattern and a rule, all planted in the demo scenario.
fn demo_watchlist() -> anyhow::Result<Watchlist> {
    let imported = muninn_screen::import::csv(include_bytes!("../../demo/watchlist.csv"))?;
    anyhow::ensure!(imported.warnings.is_empty(), "the demo watchlist has problems: {:?}", imported.warnings);
    Ok(Watchlist {
        name: "demo-watchlist".to_owned(),
        owner: "demo".to_owned(),
        tlp: Tlp::Green,
        version: 1,
        entries: imported.entries,
    })
}

/// Prepares the demo directory: replaces an earlier demo, refuses anything else.
fn prepare(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        let is_empty = std::fs::read_dir(dir)?.next().is_none();
        if !is_empty && !dir.join(MARKER).exists() {
            return Err(UsageError(format!(
                "{} exists and is not a muninn demo directory; choose another with --dir",
                dir.display()
            ))
            .into());
        }
        std::fs::remove_dir_all(dir).with_context(|| format!("cannot replace {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    std::fs::write(dir.join(MARKER), "muninn demo directory: `muninn demo` may replace it\n")?;
    Ok(())
}

/// The demo's organisations: id, name, clients.
const DEMO_ORGS: [(&str, &str, &[&str]); 3] = [
    ("local", "Demo CERT (this deployment)", &["client-c"]),
    ("partner-x", "Partner CERT X", &[]),
    ("client-c", "Client C (a constituent of the demo CERT)", &[]),
];

/// The demo's users: id, organisation, role, password. Demo only: the server listens on
/// loopback and the passwords are printed.
const DEMO_USERS: [(&str, &str, &str, &str); 4] = [
    ("admin", "local", "admin", "demo-admin-password"),
    ("analyst", "local", "analyst", "demo-analyst-password"),
    ("reader", "local", "reader", "demo-reader-password"),
    ("partner", "partner-x", "partner", "demo-partner-password"),
];

pub fn run(_config: &Config, args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    prepare(&args.dir)?;
    let corpus = args.dir.join("corpus");
    let data = args.dir.join("data");
    let scenario = muninn_exercise::demo_scenario();
    let report =
        muninn_exercise::generate(&scenario, args.seed, &corpus).context("generating the demo corpus")?;
    let samples = corpus.join("samples");
    std::fs::create_dir_all(&samples)?;
    for (name, bytes) in SAMPLES {
        std::fs::write(samples.join(name), bytes)?;
    }

    let mut store = EmbeddedStore::open(&data, StoreConfig::default())?;
    define_sources(&mut store)?;
    let watchlist = demo_watchlist()?;
    store.put_documents(vec![Document::put(
        super::screen::WATCHLIST_TABLE,
        &watchlist.name,
        serde_json::to_vec(&watchlist)?,
    )])?;
    let (screener, screen_warnings) = Screener::compile(std::slice::from_ref(&watchlist), Timestamp::now());
    anyhow::ensure!(screen_warnings.is_empty(), "the demo watchlist has problems: {screen_warnings:?}");
    let mut alerts = 0;
    let collected_at = Timestamp::now();
    let mut loaded: Vec<(String, String, IngestSummary)> = Vec::new();
    let udhr: Vec<PathBuf> = SAMPLES
        .iter()
        .filter(|(name, _)| name.starts_with("udhr-"))
        .map(|(name, _)| samples.join(name))
        .collect();
    let mut parts: Vec<(&str, Vec<PathBuf>, Option<&str>)> =
        PARTS.iter().map(|(label, path, source)| (*label, vec![corpus.join(path)], *source)).collect();
    parts.push(("real HTML samples", udhr, Some("un-udhr")));
    for (label, paths, source) in parts {
        let config = IngestConfig {
            source: source.map(SourceId::new).transpose()?,
            ..IngestConfig::new(collected_at)
        };
        let inputs: Vec<Input> = paths.into_iter().map(Input::Path).collect();
        let mut quiet = Quiet;
        let mut screening = super::screen::ScreeningObserver::new(&screener, &mut quiet);
        let summary = muninn_ingest::ingest(&mut store, &inputs, &config, &mut screening)?;
        alerts += screening.alerts_raised;
        let source_name = source.unwrap_or("(named per line)").to_owned();
        match loaded.iter_mut().find(|(l, s, _)| l == label && *s == source_name) {
            Some((_, _, total)) => {
                total.stored += summary.stored;
                total.duplicates += summary.duplicates;
                total.rejected += summary.rejected;
                total.diagnostics.extend(summary.diagnostics);
            }
            None => loaded.push((label.to_owned(), source_name, summary)),
        }
    }
    let stats = store.stats()?;
    let verify = store.verify()?;
    let gazetteer = super::entities::store_list(
        &mut store,
        "threat-actors",
        crate::cli::EntitiesFormat::MispGalaxy,
        GAZETTEER,
        None,
    )?;
    let knowledge = load_knowledge(&mut store)?;
    store.put_documents(vec![Document::put(
        muninn_api::catalog::WARNINGLIST_TABLE,
        "Public DNS resolvers",
        WARNING_LIST.to_vec(),
    )])?;
    for (id, name, clients) in DEMO_ORGS {
        let clients: Vec<String> = clients.iter().map(|c| (*c).to_owned()).collect();
        super::serve::add_org(&mut store, id, name, &clients)?;
    }
    for (id, org, role, password) in DEMO_USERS {
        super::serve::add_user(&mut store, id, org, role, password, &[])?;
    }
    // A TAXII collection every organisation may read and the demo CERT may add to.
    let (collection, documents) = muninn_api::taxii::create_collection(muninn_api::taxii::NewCollection {
        title: "Demo CERT shared indicators".to_owned(),
        description: "Indicators the demo CERT shares with its community over TAXII 2.1".to_owned(),
        readers: vec![muninn_api::taxii::EVERYONE.to_owned()],
        writers: vec!["local".to_owned()],
    })
    .map_err(|error| anyhow::anyhow!("creating the demo's TAXII collection: {error}"))?;
    store.put_documents(documents)?;
    let mut index = super::entities::open_index(&data, &store)?;
    let indexed = index.sync(&store)?.indexed;
    drop(index);
    drop(store);
    let seconds = started.elapsed().as_secs_f64();
    let rejected: u64 = loaded.iter().map(|(_, _, s)| s.rejected).sum();

    if args.json {
        let parts: Vec<_> = loaded
            .iter()
            .map(|(label, source, s)| json!({ "part": label, "source": source, "stored": s.stored, "duplicates": s.duplicates, "rejected": s.rejected }))
            .collect();
        output::print_json(&json!({
            "dir": args.dir.display().to_string(),
            "data_dir": data.display().to_string(),
            "scenario": scenario.name,
            "seed": args.seed,
            "generated_items": report.items(),
            "planted_signals": report.signals,
            "parts": parts,
            "items": stats.items,
            "duplicates": stats.duplicates_seen,
            "by_language": stats.by_language.iter().map(|(k, v)| (k.clone(), json!(v))).collect::<serde_json::Map<_, _>>(),
            "by_tlp": stats.by_tlp.iter().map(|(k, v)| (k.clone(), json!(v))).collect::<serde_json::Map<_, _>>(),
            "verified": verify.problems.is_empty(),
            "indexed": indexed,
            "watchlist": watchlist.name,
            "gazetteer_entities": gazetteer.entities + knowledge.software_entities,
            "knowledge": {
                "attack_objects": knowledge.attack.stored,
                "attack_rejected": knowledge.attack.rejected,
                "galaxy_intrusion_sets": knowledge.galaxy.stored - knowledge.galaxy.links,
                "galaxy_links": knowledge.galaxy.links,
                "galaxy_problems": knowledge.galaxy.problems,
            },
            "alerts": alerts,
            "seconds": seconds,
        }))?;
    } else {
        let rows: Vec<Vec<String>> = loaded
            .iter()
            .map(|(label, source, s)| {
                vec![
                    label.clone(),
                    source.clone(),
                    s.stored.to_string(),
                    s.duplicates.to_string(),
                    s.rejected.to_string(),
                ]
            })
            .collect();
        let join = |list: &[(String, u64)]| {
            list.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ")
        };
        let data_arg = data.display().to_string();
        let mut text = format!(
            "Muninn demo: generated the {:?} scenario (seed {}, {} days from {}) and loaded it with real public samples into {data_arg}\n\n",
            scenario.name, args.seed, scenario.days, scenario.start
        );
        text.push_str(&output::table(&["PART", "SOURCE", "STORED", "DUPLICATES", "REJECTED"], &rows));
        text.push_str(&format!(
            "\n{} items from {} sources in {:.1} s; {} exact duplicates stored once and counted\n",
            stats.items, stats.sources, seconds, stats.duplicates_seen
        ));
        text.push_str(&format!("languages: {}\n", join(&stats.by_language)));
        text.push_str(&format!("markings:  {}\n", join(&stats.by_tlp)));
        text.push_str(&format!(
            "planted signals: {} (ground truth in {})\n",
            report.signals,
            corpus.join("truth.json").display()
        ));
        text.push_str(&format!("full-text index: {indexed} items\n"));
        text.push_str(&format!(
            "knowledge base: MITRE ATT&CK Enterprise ({} objects) and the MISP threat-actor galaxy ({} intrusion sets, {} links to each other and to ATT&CK)\n",
            knowledge.attack.stored,
            knowledge.galaxy.stored - knowledge.galaxy.links,
            knowledge.galaxy.links
        ));
        text.push_str(&format!(
            "gazetteer: {} threat actors and {} ATT&CK malware and tools found by name in the items (entity: in search, facets, muninn entity)\n",
            gazetteer.entities, knowledge.software_entities
        ));
        text.push_str(&format!(
            "screening: {alerts} alerts from watchlist {:?} ({} entries), raised as the items arrived\n",
            watchlist.name,
            watchlist.entries.len()
        ));
        text.push_str(&format!(
            "store verified: {}\n",
            if verify.problems.is_empty() {
                "every item matches its hash"
            } else {
                "PROBLEMS, run `muninn stats --verify`"
            }
        ));
        text.push_str(&format!(
            "\nTry:\n  muninn --data-dir {data_arg} search 'sandworm OR \"frozen lighthouse\"' --facets\n  muninn --data-dir {data_arg} search 'Багдади OR البغدادي OR baghdadi'\n  muninn --data-dir {data_arg} alerts\n  muninn --data-dir {data_arg} entity \"Fancy Bear\"\n  muninn --data-dir {data_arg} entity profile intrusion-set--bef4c620-0787-42a8-a96d-b7eb6e85917c   (APT28 in ATT&CK)\n  muninn --data-dir {data_arg} entity neighbourhood 'Sandworm Team' --depth 1\n  muninn --data-dir {data_arg} search 'entity:Sandworm' --facets\n  muninn --data-dir {data_arg} watchlist show demo-watchlist\n  muninn --data-dir {data_arg} items list\n  muninn --data-dir {data_arg} sources\n  muninn --data-dir {data_arg} stats\n  muninn --data-dir {data_arg} items show <ID>\n"
        ));
        text.push_str("\nUsers (demo passwords; the server listens on loopback only):\n");
        for (id, org, role, password) in DEMO_USERS {
            text.push_str(&format!("  {id:<8} {role:<8} of {org:<10} password {password}\n"));
        }
        if !args.no_serve {
            text.push_str(&format!(
                "\nOpen the web UI at http://{0}/ (sign in as analyst / demo-analyst-password; ? shows the keyboard shortcuts)\n\nTry the API:\n  curl -s -u analyst:demo-analyst-password 'http://{0}/api/v1/search?q=sandworm&facets=true'\n  curl -s -u partner:demo-partner-password -H 'Accept: application/taxii+json;version=2.1' http://{0}/taxii2/api/collections/{1}/objects/\n",
                args.listen, collection.id
            ));
        }
        output::print(&text)?;
        for (_, _, summary) in &loaded {
            for diagnostic in &summary.diagnostics {
                eprintln!("rejected: {diagnostic}");
            }
        }
    }
    if rejected > 0 || !verify.problems.is_empty() || knowledge.attack.rejected > 0 {
        return Ok(ExitCode::from(crate::exit::PARTIAL));
    }
    if !args.no_serve {
        super::serve::serve_dir(&data, args.listen, muninn_api::Settings::default())?;
    }
    Ok(ExitCode::SUCCESS)
}
