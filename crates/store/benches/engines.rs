//! Measures the record-table workload on the candidate engines (SQLite and redb), so that the
//! choice in ARCHITECTURE.md rests on a figure. Run by `cargo xtask bench store-engines`, which
//! passes the path of the JSON file to write.

#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::time::Instant;

use redb::{Database, Durability, ReadableDatabase, ReadableTable, TableDefinition};
use rusqlite::{Connection, params};

const RECORDS: u64 = 1_000_000;
const BATCH: u64 = 4096;
const LOOKUPS: u64 = 100_000;
const RUNS: usize = 3;

/// A deterministic 16-byte id per record, spread like content hashes.
fn id(n: u64) -> [u8; 16] {
    let mut z = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    let high = z ^ (z >> 31);
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&high.to_le_bytes());
    out[8..].copy_from_slice(&n.to_le_bytes());
    out
}

fn title(n: u64) -> String {
    format!("Report number {n} on the activity of a threat actor")
}

fn sqlite(dir: &std::path::Path) -> (f64, f64) {
    let conn = Connection::open(dir.join("bench.sqlite")).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536;
         CREATE TABLE items (seq INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE, segment INTEGER,
           offset INTEGER, len INTEGER, source TEXT, collected_at INTEGER, title TEXT);",
    )
    .unwrap();
    let mut conn = conn;
    let started = Instant::now();
    for batch_start in (0..RECORDS).step_by(BATCH as usize) {
        let tx = conn.transaction().unwrap();
        {
            let mut exists = tx.prepare_cached("SELECT 1 FROM items WHERE id = ?1").unwrap();
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO items (seq, id, segment, offset, len, source, collected_at, title)
                     VALUES (?1, ?2, 1, ?3, 200, 'bench', 1700000000000, ?4)",
                )
                .unwrap();
            for n in batch_start..(batch_start + BATCH).min(RECORDS) {
                let key = id(n);
                assert!(!exists.exists(params![&key[..]]).unwrap());
                insert.execute(params![n as i64, &key[..], (n * 400) as i64, title(n)]).unwrap();
            }
        }
        tx.commit().unwrap();
    }
    let inserts = RECORDS as f64 / started.elapsed().as_secs_f64();
    let started = Instant::now();
    let mut lookup = conn.prepare_cached("SELECT seq, offset FROM items WHERE id = ?1").unwrap();
    for n in 0..LOOKUPS {
        let key = id((n * 7919) % RECORDS);
        let _: (i64, i64) =
            lookup.query_row(params![&key[..]], |row| Ok((row.get(0)?, row.get(1)?))).unwrap();
    }
    (inserts, LOOKUPS as f64 / started.elapsed().as_secs_f64())
}

/// SQLite laid out for this workload: one B-tree keyed by id (WITHOUT ROWID), an index on seq,
/// and the existence check folded into the insert.
fn sqlite_keyed(dir: &std::path::Path) -> (f64, f64) {
    let mut conn = Connection::open(dir.join("keyed.sqlite")).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -262144;
         CREATE TABLE items (id BLOB PRIMARY KEY, seq INTEGER NOT NULL, segment INTEGER,
           offset INTEGER, len INTEGER, source TEXT, collected_at INTEGER, title TEXT) WITHOUT ROWID;
         CREATE INDEX items_seq ON items (seq);",
    )
    .unwrap();
    let started = Instant::now();
    for batch_start in (0..RECORDS).step_by(BATCH as usize) {
        let tx = conn.transaction().unwrap();
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO items (id, seq, segment, offset, len, source, collected_at, title)
                     VALUES (?1, ?2, 1, ?3, 200, 'bench', 1700000000000, ?4)",
                )
                .unwrap();
            for n in batch_start..(batch_start + BATCH).min(RECORDS) {
                let key = id(n);
                assert_eq!(
                    insert.execute(params![&key[..], n as i64, (n * 400) as i64, title(n)]).unwrap(),
                    1
                );
            }
        }
        tx.commit().unwrap();
    }
    let inserts = RECORDS as f64 / started.elapsed().as_secs_f64();
    let started = Instant::now();
    let mut lookup = conn.prepare_cached("SELECT seq, offset FROM items WHERE id = ?1").unwrap();
    for n in 0..LOOKUPS {
        let key = id((n * 7919) % RECORDS);
        let _: (i64, i64) =
            lookup.query_row(params![&key[..]], |row| Ok((row.get(0)?, row.get(1)?))).unwrap();
    }
    (inserts, LOOKUPS as f64 / started.elapsed().as_secs_f64())
}

const ITEMS: TableDefinition<'_, &[u8], (u64, u64, u64, u32)> = TableDefinition::new("items");
const TITLES: TableDefinition<'_, u64, &str> = TableDefinition::new("titles");

fn redb(dir: &std::path::Path) -> (f64, f64) {
    let db = Database::create(dir.join("bench.redb")).unwrap();
    let started = Instant::now();
    for batch_start in (0..RECORDS).step_by(BATCH as usize) {
        let mut tx = db.begin_write().unwrap();
        tx.set_durability(Durability::None).unwrap();
        {
            let mut items = tx.open_table(ITEMS).unwrap();
            let mut titles = tx.open_table(TITLES).unwrap();
            for n in batch_start..(batch_start + BATCH).min(RECORDS) {
                let key = id(n);
                assert!(items.get(&key[..]).unwrap().is_none());
                items.insert(&key[..], (n, 1, n * 400, 200)).unwrap();
                titles.insert(n, title(n).as_str()).unwrap();
            }
        }
        tx.commit().unwrap();
    }
    let inserts = RECORDS as f64 / started.elapsed().as_secs_f64();
    let started = Instant::now();
    let read = db.begin_read().unwrap();
    let items = read.open_table(ITEMS).unwrap();
    for n in 0..LOOKUPS {
        let key = id((n * 7919) % RECORDS);
        assert!(items.get(&key[..]).unwrap().is_some());
    }
    (inserts, LOOKUPS as f64 / started.elapsed().as_secs_f64())
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

fn main() {
    let Some(output) = std::env::args().skip(1).find(|a| !a.starts_with('-')) else {
        println!("engines: pass the JSON output path (cargo xtask bench store-engines)");
        return;
    };
    let mut sqlite_runs = (Vec::new(), Vec::new());
    let mut redb_runs = (Vec::new(), Vec::new());
    let mut keyed_runs = (Vec::new(), Vec::new());
    for run in 0..RUNS {
        let dir = tempfile::tempdir().unwrap();
        let (insert, lookup) = sqlite(dir.path());
        println!("run {run}: sqlite {insert:.0} inserts/s, {lookup:.0} lookups/s");
        sqlite_runs.0.push(insert);
        sqlite_runs.1.push(lookup);
        let dir = tempfile::tempdir().unwrap();
        let (insert, lookup) = sqlite_keyed(dir.path());
        println!("run {run}: sqlite keyed {insert:.0} inserts/s, {lookup:.0} lookups/s");
        keyed_runs.0.push(insert);
        keyed_runs.1.push(lookup);
        let dir = tempfile::tempdir().unwrap();
        let (insert, lookup) = redb(dir.path());
        println!("run {run}: redb   {insert:.0} inserts/s, {lookup:.0} lookups/s");
        redb_runs.0.push(insert);
        redb_runs.1.push(lookup);
    }
    let sqlite_insert = median(sqlite_runs.0);
    let redb_insert = median(redb_runs.0);
    let figures = serde_json::json!({
        "records": RECORDS,
        "batch": BATCH,
        "sqlite_inserts_per_s": sqlite_insert.round(),
        "redb_inserts_per_s": redb_insert.round(),
        "sqlite_lookups_per_s": median(sqlite_runs.1).round(),
        "sqlite_keyed_inserts_per_s": median(keyed_runs.0).round(),
        "sqlite_keyed_lookups_per_s": median(keyed_runs.1).round(),
        "redb_lookups_per_s": median(redb_runs.1).round(),
        "sqlite_to_redb_insert_ratio": (sqlite_insert / redb_insert * 100.0).round() / 100.0,
    });
    std::fs::write(output, serde_json::to_string_pretty(&figures).unwrap()).unwrap();
}
