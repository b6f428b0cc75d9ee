//! The item records hash-partitioned over two PostgreSQL servers with postgres_fdw, the way
//! Citus distributes them in production: the distribution column (`items.id`) is the partition
//! key, Muninn's item insert and reads work through the coordinator, rows live on the server of
//! their partition, and a lookup by id touches one partition only.

use muninn_testkit::engines::Postgres;
use tokio_postgres::NoTls;

const ITEM_COLUMNS: &str =
    "id bytea NOT NULL, seq bigint NOT NULL, part integer NOT NULL, source text NOT NULL,
    collected_ms bigint NOT NULL, event_ms bigint, title text, language text, tlp text NOT NULL,
    grade text NOT NULL, has_raw boolean NOT NULL, item bytea NOT NULL";

async fn client(server: &Postgres) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(&server.dsn(), NoTls).await.expect("connect");
    tokio::spawn(connection);
    client
}

async fn count(client: &tokio_postgres::Client, table: &str) -> i64 {
    client.query_one(&format!("SELECT count(*) FROM {table}"), &[]).await.expect("count").get(0)
}

#[test]
fn items_hash_partitioned_over_two_servers_with_postgres_fdw() {
    let coordinator = Postgres::start();
    let remote = Postgres::start();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        let near = client(&coordinator).await;
        let far = client(&remote).await;
        far.batch_execute(&format!("CREATE TABLE items_p1 ({ITEM_COLUMNS}, PRIMARY KEY (id))")).await.expect("remote");
        near.batch_execute(&format!(
            "CREATE EXTENSION postgres_fdw;
             CREATE SERVER remote FOREIGN DATA WRAPPER postgres_fdw
                 OPTIONS (host '127.0.0.1', port '{}', dbname 'postgres');
             CREATE USER MAPPING FOR postgres SERVER remote OPTIONS (user 'postgres');
             CREATE TABLE items ({ITEM_COLUMNS}) PARTITION BY HASH (id);
             CREATE TABLE items_p0 PARTITION OF items FOR VALUES WITH (MODULUS 2, REMAINDER 0);
             ALTER TABLE items_p0 ADD PRIMARY KEY (id);
             CREATE FOREIGN TABLE items_p1 PARTITION OF items FOR VALUES WITH (MODULUS 2, REMAINDER 1)
                 SERVER remote OPTIONS (table_name 'items_p1');",
            remote.port()
        ))
        .await
        .expect("coordinator");

        // Muninn's item insert (the statement of records.rs), through the coordinator.
        let ids: Vec<Vec<u8>> = (0u32..400).map(|n| [n.to_be_bytes().as_slice(), &[7; 12]].concat()).collect();
        let seqs: Vec<i64> = (1..=400).collect();
        let parts: Vec<i32> = vec![0; 400];
        let texts: Vec<String> = (0..400).map(|n| format!("feed-{}", n % 3)).collect();
        let times: Vec<i64> = vec![1_750_000_000_000; 400];
        let none_i64: Vec<Option<i64>> = vec![None; 400];
        let titles: Vec<Option<String>> = (0..400).map(|n| Some(format!("report {n}"))).collect();
        let languages: Vec<Option<String>> = vec![Some("en".to_owned()); 400];
        let tlps: Vec<String> = vec!["TLP:GREEN".to_owned(); 400];
        let grades: Vec<String> = vec!["B2".to_owned(); 400];
        let raws: Vec<bool> = vec![false; 400];
        let bodies: Vec<Vec<u8>> = vec![b"{}".to_vec(); 400];
        let insert = "INSERT INTO items (id, seq, part, source, collected_ms, event_ms, title, language, tlp, grade, has_raw, item)
             SELECT * FROM UNNEST($1::bytea[], $2::int8[], $3::int4[], $4::text[], $5::int8[], $6::int8[],
                                  $7::text[], $8::text[], $9::text[], $10::text[], $11::bool[], $12::bytea[])
             ON CONFLICT DO NOTHING
             RETURNING id";
        let params: [&(dyn tokio_postgres::types::ToSql + Sync); 12] =
            [&ids, &seqs, &parts, &texts, &times, &none_i64, &titles, &languages, &tlps, &grades, &raws, &bodies];
        let inserted = near.query(insert, &params).await.expect("insert through the coordinator");
        assert_eq!(inserted.len(), 400);
        // The same rows again: nothing inserted, no error (on both partitions).
        assert_eq!(near.query(insert, &params).await.expect("insert again").len(), 0);

        let (local, far_rows) = (count(&near, "items_p0").await, count(&far, "items_p1").await);
        assert_eq!(local + far_rows, 400);
        assert!(local > 100 && far_rows > 100, "both servers hold rows: {local} and {far_rows}");
        assert_eq!(count(&near, "items").await, 400);

        // Reads as Muninn makes them: by id (one partition), in log order.
        let probe = &ids[123];
        let plan: Vec<String> = near
            .query("EXPLAIN SELECT seq, item, has_raw FROM items WHERE id = $1", &[probe])
            .await
            .expect("explain")
            .iter()
            .map(|row| row.get::<_, String>(0))
            .collect();
        let touched = plan.iter().filter(|line| line.contains("items_p")).count();
        assert_eq!(touched, 1, "a lookup by id touches one partition: {plan:#?}");
        let row = near.query_one("SELECT seq FROM items WHERE id = $1", &[probe]).await.expect("lookup");
        assert_eq!(row.get::<_, i64>(0), 124);
        let first: Vec<i64> = near
            .query("SELECT seq FROM items WHERE seq > $1 ORDER BY seq LIMIT 5", &[&10i64])
            .await
            .expect("list")
            .iter()
            .map(|row| row.get(0))
            .collect();
        assert_eq!(first, vec![11, 12, 13, 14, 15]);
    });
}
