//! Plain JSONL news for throughput benchmarks: no signals, lines of a chosen size.

use std::io::{self, BufWriter, Write};

use serde::Serialize;

use crate::clock;
use crate::compose::{Composer, Plant};
use crate::plan::pick_lang;
use crate::records::Stream;
use crate::rng::Rng;
use crate::write::CountingWriter;

const BENCH_SALT: u64 = 0x6265_6e63;
/// 2026-01-01T00:00:00Z: benchmark items are one second apart from here.
const BENCH_START: i64 = 1_767_225_600;

#[derive(Serialize)]
struct BenchLine<'a> {
    title: &'a str,
    body: &'a str,
    published: &'a str,
    lang: &'a str,
}

/// Writes `count` JSONL news items (`title`, `body`, `published`, `lang`), each line about
/// `target_bytes` long with its newline (a few bytes shorter when the body is cut inside a
/// multi-byte character; longer when `target_bytes` is less than an empty item needs).
/// Returns the bytes written. Same `seed`, same bytes.
pub fn write_jsonl_items(out: &mut dyn Write, count: u64, target_bytes: usize, seed: u64) -> io::Result<u64> {
    let mut buffered = BufWriter::with_capacity(1 << 16, CountingWriter::new(out));
    let mut line = Vec::with_capacity(target_bytes + 256);
    let mut body = String::with_capacity(target_bytes + 256);
    for index in 0..count {
        let mut rng = Rng::for_item(seed, BENCH_SALT, index);
        let lang = pick_lang(Stream::News, &mut rng);
        let mut composer = Composer::new(lang, rng, Plant::None, Vec::new());
        let lexicon = lang.lexicon();
        let mut title = composer.line(lexicon.threat.titles).unwrap_or_default();
        let published = clock::rfc3339(BENCH_START + index as i64);
        let mut item = BenchLine { title: "", body: "", published: &published, lang: lang.code() };
        line.clear();
        serde_json::to_writer(&mut line, &item)?;
        // The title gets at most half of what the fields leave, the body the rest.
        let title_budget = target_bytes.saturating_sub(line.len() + 1) / 2;
        truncate_at_char(&mut title, title_budget);
        item.title = &title;
        line.clear();
        serde_json::to_writer(&mut line, &item)?;
        // The newline takes one byte of the target.
        let budget = target_bytes.saturating_sub(line.len() + 1);
        body.clear();
        // A report number makes every item distinct: the benchmark measures new items, not the
        // duplicate path.
        body.push_str(&format!("#{index} "));
        while body.len() < budget {
            if !body.ends_with(' ') {
                body.push_str(lexicon.sentence_gap);
            }
            let sentence = composer.line(lexicon.threat.sentences).unwrap_or_default();
            body.push_str(&sentence);
        }
        truncate_at_char(&mut body, budget);
        item.body = &body;
        line.clear();
        serde_json::to_writer(&mut line, &item)?;
        line.push(b'\n');
        buffered.write_all(&line)?;
    }
    buffered.flush()?;
    let counting = buffered.into_inner().map_err(|error| error.into_error())?;
    Ok(counting.bytes())
}

/// Cuts `text` to at most `max_bytes`, at a character boundary.
fn truncate_at_char(text: &mut String, max_bytes: usize) {
    let mut cut = max_bytes.min(text.len());
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    text.truncate(cut);
}
