//! The gazetteer from the command line: `muninn entities import|list|delete`, `entity:` in
//! search, `muninn entity NAME`, and entities in `items show` and `related`.

use crate::{json, muninn, stdout};

/// The demo's gazetteer: 15 threat-actor clusters of the MISP galaxy.
const GAZETTEER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/gazetteer-threat-actors.json");

#[test]
fn imported_entities_are_searched_summarised_and_shown() {
    let work = tempfile::tempdir().expect("tempdir");
    let data = work.path().join("data");
    let input = work.path().join("in.jsonl");
    std::fs::write(
        &input,
        "{\"title\": \"APT28 lure\", \"body\": \"The lures came from 198.51.100.7.\", \"tlp\": \"clear\"}\n\
         {\"title\": \"Отчёт\", \"body\": \"Группировка Фэнси Бэр атаковала министерства.\", \"tlp\": \"green\"}\n\
         {\"title\": \"报告\", \"body\": \"据报道奇幻熊和沙虫发起攻击。\", \"tlp\": \"amber\"}\n\
         {\"title\": \"unrelated\", \"body\": \"A fancy bear costume and a sofa.\", \"tlp\": \"clear\"}\n",
    )
    .expect("write");
    let ingested = muninn(&data, &["ingest", "--source", "desk", "--json", input.to_str().expect("path")]);
    assert!(ingested.status.success(), "{}", String::from_utf8_lossy(&ingested.stderr));

    let unknown = muninn(&data, &["search", "entity:APT28"]);
    assert_eq!(unknown.status.code(), Some(2), "no gazetteer yet: {}", stdout(&unknown));

    let imported = json(&muninn(
        &data,
        &["entities", "import", "--format", "misp-galaxy", "--name", "actors", "--json", GAZETTEER],
    ));
    assert_eq!(imported["entities"], 15);
    assert_eq!(imported["kind"], "threat-actor");
    assert_eq!(imported["reindexed"], 4);
    let listed = json(&muninn(&data, &["entities", "list", "--json"]));
    assert_eq!(listed["lists"][0]["name"], "actors");
    assert_eq!(listed["lists"][0]["format"], "misp-galaxy");
    assert_eq!(listed["lists"][0]["entities"], 15);

    // An alias finds the items that name the entity by any name, in any script; "fancy bear
    // costume" is a whole-word match of an alias, the price of case folding.
    let found = json(&muninn(&data, &["search", "entity:\"Fancy Bear\"", "--json", "--facets"]));
    let mut titles: Vec<&str> =
        found["hits"].as_array().expect("hits").iter().filter_map(|hit| hit["title"].as_str()).collect();
    titles.sort_unstable();
    assert_eq!(titles, ["APT28 lure", "unrelated", "Отчёт", "报告"]);
    let facet = &found["facets"]["entity"];
    assert_eq!(facet[0]["name"], "APT28", "{facet}");
    assert_eq!(facet[0]["count"], 4, "{facet}");
    assert_eq!(facet[1]["name"], "Sandworm", "{facet}");
    let unknown = muninn(&data, &["search", "entity:\"Fancy Baer\""]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no entity named \"Fancy Baer\""));

    let summary = json(&muninn(&data, &["entity", "sofacy", "--json", "--limit", "2"]));
    assert_eq!(summary["entities"][0]["name"], "APT28");
    assert_eq!(summary["count"], 4);
    assert_eq!(summary["sources"][0], serde_json::json!(["desk", 4]));
    assert_eq!(summary["recent"].as_array().map(Vec::len), Some(2));
    let text = stdout(&muninn(&data, &["entity", "沙虫"]));
    assert!(text.starts_with("Sandworm (threat-actor, actors:"), "{text}");
    assert!(text.contains(": 1 item(s)"), "{text}");
    assert_eq!(muninn(&data, &["entity", "nobody"]).status.code(), Some(2));

    // items show: the entities with their spans and forms, and the indicators.
    let chinese =
        found["hits"].as_array().expect("hits").iter().find(|hit| hit["title"] == "报告").expect("报告");
    let id = chinese["id"].as_str().expect("id");
    let shown = json(&muninn(&data, &["items", "show", id, "--json"]));
    let entities: Vec<(&str, &str)> = shown["extracted"]["entities"]
        .as_array()
        .expect("entities")
        .iter()
        .map(|e| (e["name"].as_str().unwrap_or(""), e["form"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(entities, [("APT28", "奇幻熊"), ("Sandworm", "沙虫")]);
    let first = found["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .find(|hit| hit["title"] == "APT28 lure")
        .expect("lure");
    let text = stdout(&muninn(&data, &["items", "show", first["id"].as_str().expect("id")]));
    assert!(text.contains("ipv4  198.51.100.7"), "{text}");
    assert!(text.contains("APT28   APT28"), "{text}");

    // related: the Chinese report shares APT28 with three items and Sandworm with none.
    let related = json(&muninn(&data, &["related", id, "--json"]));
    let related = related["related"].as_array().expect("related");
    assert_eq!(related.len(), 3);
    assert_eq!(related[0]["shared_entities"][0]["name"], "APT28");

    // Deleting the list reindexes without it.
    let deleted = muninn(&data, &["entities", "delete", "actors"]);
    assert!(deleted.status.success(), "{}", String::from_utf8_lossy(&deleted.stderr));
    assert_eq!(muninn(&data, &["search", "entity:APT28"]).status.code(), Some(2));
}

/// A one-word alias that is a common word ("Snake", for Turla) tags only the items that write it
/// as listed, not at a sentence start; the import says which names are guarded; `entity:Snake`
/// still resolves.
#[test]
fn common_word_aliases_tag_only_where_written_as_listed() {
    let work = tempfile::tempdir().expect("tempdir");
    let data = work.path().join("data");
    let input = work.path().join("in.jsonl");
    std::fs::write(
        &input,
        "{\"title\": \"report one\", \"body\": \"The group known as Snake used a new implant.\"}\n\
         {\"title\": \"garden\", \"body\": \"A snake in the grass; SNAKE warnings posted.\"}\n\
         {\"title\": \"market\", \"body\": \"Snake oil sales rose.\"}\n",
    )
    .expect("write");
    let ingested = muninn(&data, &["ingest", "--source", "desk", "--json", input.to_str().expect("path")]);
    assert!(ingested.status.success(), "{}", String::from_utf8_lossy(&ingested.stderr));
    let list = work.path().join("actors.csv");
    std::fs::write(&list, "id,kind,value,aliases\nturla,name,Turla,Snake|Venomous Bear\n").expect("write");
    let imported = json(&muninn(
        &data,
        &[
            "entities",
            "import",
            "--format",
            "csv",
            "--name",
            "actors",
            "--json",
            list.to_str().expect("path"),
        ],
    ));
    assert_eq!(
        imported["common_words"][0].as_str().map(|line| line.contains("\"Snake\"")),
        Some(true),
        "{imported}"
    );
    let found = json(&muninn(&data, &["search", "entity:Snake", "--json"]));
    let titles: Vec<&str> =
        found["hits"].as_array().expect("hits").iter().filter_map(|hit| hit["title"].as_str()).collect();
    assert_eq!(titles, ["report one"]);
}
