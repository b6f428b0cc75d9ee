//! `write_jsonl_items`: lines of the requested size, valid JSON, deterministic.

use muninn_exercise::write_jsonl_items;

#[test]
fn lines_have_the_requested_size() {
    for target in [200usize, 512, 2000] {
        let mut out = Vec::new();
        let written = write_jsonl_items(&mut out, 500, target, 7).expect("in memory");
        assert_eq!(written, out.len() as u64);
        let text = String::from_utf8(out).expect("UTF-8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 500);
        for line in lines {
            let length = line.len() + 1;
            assert!(length <= target && length + 4 > target, "{target}: {length}: {line}");
            let value: serde_json::Value = serde_json::from_str(line).expect("JSON");
            for field in ["title", "body", "published", "lang"] {
                assert!(value[field].is_string(), "{field}");
            }
        }
    }
}

#[test]
fn same_seed_same_bytes() {
    let run = |seed| {
        let mut out = Vec::new();
        write_jsonl_items(&mut out, 200, 300, seed).expect("in memory");
        out
    };
    assert_eq!(run(1), run(1));
    assert_ne!(run(1), run(2));
}

#[test]
fn a_target_below_the_minimum_gives_empty_bodies() {
    let mut out = Vec::new();
    write_jsonl_items(&mut out, 10, 10, 1).expect("in memory");
    let text = String::from_utf8(out).expect("UTF-8");
    for line in text.lines() {
        let value: serde_json::Value = serde_json::from_str(line).expect("JSON");
        assert_eq!(value["body"], "");
    }
}
