//! The files parse as what they claim to be, and hold the generated records.

use muninn_exercise::{Feed, Generator, Lang, demo_scenario};
use serde_json::Value;

use crate::Flow;

#[test]
fn jsonl_lines_parse_with_the_documented_fields() {
    let scenario = demo_scenario();
    let flow = Flow::generate(&scenario, 3);
    let cases = [
        (
            "news.jsonl",
            scenario.volume.news,
            &["title", "body", "published", "url", "lang", "source", "tlp"][..],
        ),
        ("chat/messages.jsonl", scenario.volume.chat, &["channel", "author", "sent", "text", "lang"][..]),
    ];
    for (file, count, fields) in cases {
        let text = flow.read(file);
        assert!(text.ends_with('\n'));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len() as u64, count, "{file}");
        let mut languages = std::collections::BTreeSet::new();
        for line in lines {
            let value: Value = serde_json::from_str(line).expect("a JSON object per line");
            let object = value.as_object().expect("an object");
            let keys: Vec<&str> = object.keys().map(String::as_str).collect();
            let mut expected = fields.to_vec();
            expected.sort_unstable();
            let mut sorted = keys.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, expected, "{file}: {line}");
            for field in fields {
                let text = object[*field].as_str().expect("string fields");
                assert!(!text.is_empty(), "{file}: empty {field}");
            }
            let time = object
                .get("published")
                .or_else(|| object.get("sent"))
                .and_then(Value::as_str)
                .expect("a time");
            let parsed: jiff::Timestamp = time.parse().expect("RFC 3339");
            assert!(time.ends_with('Z'));
            assert!(parsed >= scenario.start && parsed < scenario.end());
            languages.insert(object["lang"].as_str().expect("lang").to_owned());
            if let Some(tlp) = object.get("tlp") {
                let tlp = tlp.as_str().expect("tlp");
                assert!(tlp.parse::<muninn_model::Tlp>().is_ok(), "{tlp}");
            }
        }
        assert_eq!(languages.len(), 4, "{file}: all four languages: {languages:?}");
    }
}

#[test]
fn the_report_counts_what_was_written() {
    let scenario = demo_scenario();
    let flow = Flow::generate(&scenario, 3);
    let report = flow.report;
    let volume = scenario.volume;
    assert_eq!(
        [report.news, report.notes, report.mail, report.chat, report.rss_entries, report.atom_entries],
        [volume.news, volume.notes, volume.mail, volume.chat, volume.feed_entries, volume.feed_entries]
    );
    assert_eq!(report.signals, scenario.signals.len());
    let planted: u64 = scenario.signals.iter().map(|signal| signal.planted_items()).sum();
    assert_eq!(report.planted_items, planted);
    let on_disk: u64 = flow.files().values().map(|bytes| bytes.len() as u64).sum();
    assert_eq!(report.bytes_written, on_disk);
}

#[test]
fn notes_are_markdown_with_a_title_and_a_tlp_line() {
    let scenario = demo_scenario();
    let flow = Flow::generate(&scenario, 3);
    let generator = Generator::new(&scenario, 3).expect("valid");
    for index in 0..scenario.volume.notes {
        let text = flow.read(&format!("notes/{index:04}.md"));
        let mut lines = text.lines();
        let title = lines.next().expect("a first line");
        assert!(title.starts_with("# "), "{title}");
        assert_eq!(&title[2..], generator.note(index).title);
        assert_eq!(lines.next(), Some(""));
        let tlp = lines.next().expect("a TLP line");
        assert!(tlp.starts_with("TLP:"), "{tlp}");
        assert!(tlp.parse::<muninn_model::Tlp>().is_ok(), "{tlp}");
        assert!(!text.starts_with("---"), "no front matter");
    }
}

#[test]
fn feeds_are_well_formed_xml_with_every_entry() {
    let scenario = demo_scenario();
    let flow = Flow::generate(&scenario, 3);
    let generator = Generator::new(&scenario, 3).expect("valid");
    for (file, feed, root, entry_tag) in
        [("feeds/feed.rss", Feed::Rss, "rss", "<item>"), ("feeds/feed.atom", Feed::Atom, "feed", "<entry ")]
    {
        let xml = flow.read(file);
        assert_eq!(check_xml(&xml), Ok(root.to_owned()), "{file}");
        assert_eq!(xml.matches(entry_tag).count() as u64, scenario.volume.feed_entries);
        for index in 0..scenario.volume.feed_entries {
            let entry = generator.feed_entry(feed, index);
            let title = format!("<title>{}</title>", escape(&entry.title));
            assert!(xml.contains(&title), "{file}: {title}");
            if feed == Feed::Rss {
                assert_eq!(entry.lang, Lang::En);
            }
        }
    }
}

#[test]
fn the_xml_checker_refuses_malformed_documents() {
    let cases = [
        ("<a><b></a></b>", "</a> closes <b>"),
        ("<a>x & y</a>", "bad entity"),
        ("<a>1 < 2</a>", "bad tag"),
        ("<a></a><b></b>", "two roots"),
        ("<a>", "unclosed <a>"),
    ];
    for (xml, expected) in cases {
        let error = check_xml(xml).expect_err(xml);
        assert!(error.contains(expected), "{xml}: {error}");
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// A small XML well-formedness check: tags nest and match, one root element, attribute
/// values quoted, `&` only in the predefined or numeric entities. Returns the root's name.
pub fn check_xml(xml: &str) -> Result<String, String> {
    let mut rest =
        xml.strip_prefix("<?xml").map_or(xml, |after| after.split_once("?>").map_or("", |(_, tail)| tail));
    let mut stack: Vec<String> = Vec::new();
    let mut root: Option<String> = None;
    loop {
        let (text, after) = match rest.find('<') {
            Some(open) => (&rest[..open], Some(&rest[open + 1..])),
            None => (rest, None),
        };
        check_text(text)?;
        if stack.is_empty() && !text.trim().is_empty() {
            return Err(format!("text outside the root: {text:?}"));
        }
        let Some(after) = after else { break };
        let close = after.find('>').ok_or("bad tag: no '>'")?;
        let tag = &after[..close];
        rest = &after[close + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack.pop().ok_or(format!("</{name}> without an open tag"))?;
            if open != name.trim() {
                return Err(format!("</{name}> closes <{open}>"));
            }
            continue;
        }
        let self_closing = tag.ends_with('/');
        let inner = tag.trim_end_matches('/');
        let name = inner.split_whitespace().next().unwrap_or("");
        let name_ok = name.chars().all(|c| c.is_alphanumeric() || matches!(c, ':' | '-' | '_' | '.'))
            && name.chars().next().is_some_and(char::is_alphabetic);
        if !name_ok {
            return Err(format!("bad tag <{tag}>"));
        }
        check_attributes(&inner[name.len()..])?;
        if stack.is_empty() {
            if root.is_some() {
                return Err("two roots".to_owned());
            }
            root = Some(name.to_owned());
        }
        if !self_closing {
            stack.push(name.to_owned());
        }
    }
    if let Some(open) = stack.pop() {
        return Err(format!("unclosed <{open}>"));
    }
    root.ok_or_else(|| "no root".to_owned())
}

fn check_text(text: &str) -> Result<(), String> {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        let after = &rest[amp + 1..];
        let end = after.find(';').ok_or("bad entity: no ';'")?;
        let entity = &after[..end];
        let known = matches!(entity, "amp" | "lt" | "gt" | "quot" | "apos")
            || (entity.starts_with('#') && entity[1..].chars().all(|c| c.is_ascii_digit()));
        if !known {
            return Err(format!("bad entity &{entity};"));
        }
        rest = &after[end + 1..];
    }
    if text.contains('>') {
        return Err("stray '>'".to_owned());
    }
    Ok(())
}

fn check_attributes(text: &str) -> Result<(), String> {
    let mut rest = text.trim();
    while !rest.is_empty() {
        let (name, after) = rest.split_once('=').ok_or(format!("bad attribute {rest}"))?;
        if name.trim().is_empty() || name.trim().contains(char::is_whitespace) {
            return Err(format!("bad attribute name {name:?}"));
        }
        let after = after.trim_start();
        let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'');
        let quote = quote.ok_or(format!("unquoted attribute {name}"))?;
        let value_end = after[1..].find(quote).ok_or("unterminated attribute")?;
        let value = &after[1..1 + value_end];
        if value.contains('<') {
            return Err("'<' in an attribute".to_owned());
        }
        check_text(value)?;
        rest = after[value_end + 2..].trim_start();
    }
    Ok(())
}
