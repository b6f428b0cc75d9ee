//! `muninn match` against an imported watchlist: reordered, misspelt and Cyrillic queries, a
//! CSV batch with a bad row, and usage errors.

use crate::{json, muninn, stdout};

#[test]
fn names_match_across_orders_spellings_and_scripts() {
    let work = tempfile::tempdir().expect("tempdir");
    let data = work.path().join("data");
    let list = work.path().join("list.csv");
    std::fs::write(
        &list,
        "id,kind,value,aliases,severity,note\n\
         p1,name,ABDULHAI SALEK,عبد الحی سالک,high,\n\
         p2,name,Viktor Petrovich Lebedev,V. P. Lebedev,,\n\
         p3,name,Hasan Lebedev,,,\n\
         o1,name,Harbor Bank Co,Harbour Bank,,\n\
         c2,indicator,198.51.100.77,,,\n",
    )
    .expect("write");
    let imported = muninn(
        &data,
        &["watchlist", "import", list.to_str().expect("path"), "--format", "csv", "--name", "desk"],
    );
    assert!(imported.status.success(), "{}", String::from_utf8_lossy(&imported.stderr));

    let best = |name: &str| {
        let output = muninn(&data, &["match", name, "--json"]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let answer = json(&output);
        answer["matches"][0]["entity"].as_str().map(str::to_owned)
    };
    assert_eq!(best("SALEK, ABDULHAI").as_deref(), Some("desk/p1"));
    assert_eq!(best("Abdul Hai Saleq").as_deref(), Some("desk/p1"));
    assert_eq!(best("Lebedev Viktor").as_deref(), Some("desk/p2"));
    assert_eq!(best("Viktor Lebedve").as_deref(), Some("desk/p2"));
    assert_eq!(best("Виктор Петрович Лебедев").as_deref(), Some("desk/p2"));
    assert_eq!(best("Harbour Bank Ltd").as_deref(), Some("desk/o1"));
    assert_eq!(best("Ivan Lebedev"), None, "a shared family name alone is not a match");

    let text = stdout(&muninn(&data, &["match", "Абдулхай Салек"]));
    assert!(text.contains("desk/p1") && text.contains("Салек ~ SALEK"), "{text}");

    let batch = work.path().join("batch.csv");
    std::fs::write(
        &batch,
        "id,name,birth_date\nq1,Salek Abdulhai,\nq2,,\nq3,Hasan Lebedev,19x\nq4,Harbor Bank,\n",
    )
    .expect("write");
    let output =
        muninn(&data, &["match", "--csv", batch.to_str().expect("path"), "--json", "--list", "desk"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let lines: Vec<serde_json::Value> =
        stdout(&output).lines().map(|l| serde_json::from_str(l).expect("JSON line")).collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["matches"][0]["entity"], "desk/p1");
    assert!(lines[1]["error"].as_str().is_some_and(|e| e.contains("empty")), "{}", lines[1]);
    assert!(lines[2]["error"].as_str().is_some_and(|e| e.contains("birth date")), "{}", lines[2]);
    assert_eq!(lines[3]["matches"][0]["entity"], "desk/o1");

    assert_eq!(muninn(&data, &["match", ""]).status.code(), Some(2));
    assert_eq!(muninn(&data, &["match", "x", "--list", "nope"]).status.code(), Some(2));
    assert_eq!(muninn(&data, &["match"]).status.code(), Some(2));
}
