//! File formats, and [`write_flow`], which streams a whole flow into a directory.
//!
//! **Invariant:** writing holds one item at a time; files are written through buffered
//! writers as items are generated.

mod feeds;
mod mbox;
pub(crate) mod mime;
mod partner;

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::Path;

use serde::Serialize;

use crate::ExerciseError;
use crate::clock;
use crate::generator::Generator;
use crate::records::{ChatMessage, Feed, NewsItem, Note, Stream};
use crate::truth::GroundTruth;

pub use feeds::{AtomWriter, FeedHeader, RssWriter};
pub use mbox::write_mbox_message;
pub use partner::{misp_event, stix_bundle, write_json};

/// What [`crate::generate`] wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GenerateReport {
    /// News reports in `news.jsonl`.
    pub news: u64,
    /// Notes under `notes/`.
    pub notes: u64,
    /// Messages in `mail/inbox.mbox`.
    pub mail: u64,
    /// Messages in `chat/messages.jsonl`.
    pub chat: u64,
    /// Entries in `feeds/feed.rss`.
    pub rss_entries: u64,
    /// Entries in `feeds/feed.atom`.
    pub atom_entries: u64,
    /// STIX bundles under `partners/stix/`.
    pub stix_bundles: u64,
    /// MISP events under `partners/misp/`.
    pub misp_events: u64,
    /// Signals planted.
    pub signals: usize,
    /// Items that carry a signal.
    pub planted_items: u64,
    /// Bytes written to all files, `truth.json` included.
    pub bytes_written: u64,
}

impl GenerateReport {
    /// Items of every kind written.
    pub fn items(&self) -> u64 {
        self.news
            + self.notes
            + self.mail
            + self.chat
            + self.rss_entries
            + self.atom_entries
            + self.stix_bundles
            + self.misp_events
    }
}

#[derive(Serialize)]
struct NewsLine<'a> {
    title: &'a str,
    body: &'a str,
    published: &'a str,
    url: &'a str,
    lang: &'a str,
    source: &'a str,
    tlp: &'a str,
}

#[derive(Serialize)]
struct ChatLine<'a> {
    channel: &'a str,
    author: &'a str,
    sent: &'a str,
    text: &'a str,
    lang: &'a str,
}

/// One line of `news.jsonl`.
pub fn write_news_line(item: &NewsItem, out: &mut dyn Write) -> io::Result<()> {
    let line = NewsLine {
        title: &item.title,
        body: &item.body,
        published: &clock::rfc3339(item.published.as_second()),
        url: &item.url,
        lang: item.lang.code(),
        source: item.source,
        tlp: item.tlp.short(),
    };
    serde_json::to_writer(&mut *out, &line)?;
    out.write_all(b"\n")
}

/// One line of `chat/messages.jsonl`.
pub fn write_chat_line(message: &ChatMessage, out: &mut dyn Write) -> io::Result<()> {
    let line = ChatLine {
        channel: message.channel,
        author: message.author,
        sent: &clock::rfc3339(message.sent.as_second()),
        text: &message.text,
        lang: message.lang.code(),
    };
    serde_json::to_writer(&mut *out, &line)?;
    out.write_all(b"\n")
}

/// A note as Markdown: `# Title`, an empty line, then the body (which starts with the TLP line).
pub fn write_note(note: &Note, out: &mut dyn Write) -> io::Result<()> {
    write!(out, "# {}\n\n{}", note.title, note.body)
}

/// `truth.json`, pretty-printed.
pub fn write_truth(truth: &GroundTruth, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, truth)?;
    out.write_all(b"\n")
}

/// Streams the whole flow of `generator` into `out_dir`, creating it and its subdirectories.
/// Files of the same names are overwritten; other files (notes of an earlier, larger run) are
/// left alone.
pub fn write_flow(generator: &Generator, out_dir: &Path) -> Result<GenerateReport, ExerciseError> {
    let mut directories = vec!["", "notes", "mail", "chat", "feeds"];
    if generator.volume(Stream::Stix) > 0 {
        directories.push("partners/stix");
    }
    if generator.volume(Stream::Misp) > 0 {
        directories.push("partners/misp");
    }
    for directory in directories {
        let path = out_dir.join(directory);
        fs::create_dir_all(&path).map_err(|source| ExerciseError::Io { path, source })?;
    }
    let mut report = GenerateReport::default();
    let truth = generator.ground_truth();
    report.signals = truth.signals.len();
    report.planted_items = truth.signals.iter().map(|s| s.items.len() as u64).sum();

    report.news = generator.volume(Stream::News);
    report.bytes_written += write_file(&out_dir.join("news.jsonl"), |out| {
        (0..report.news).try_for_each(|index| write_news_line(&generator.news(index), out))
    })?;

    report.notes = generator.volume(Stream::Note);
    for index in 0..report.notes {
        let path = out_dir.join(format!("notes/{index:04}.md"));
        report.bytes_written += write_file(&path, |out| write_note(&generator.note(index), out))?;
    }

    report.mail = generator.volume(Stream::Mail);
    report.bytes_written += write_file(&out_dir.join("mail/inbox.mbox"), |out| {
        (0..report.mail).try_for_each(|index| write_mbox_message(&generator.mail(index), out))
    })?;

    report.chat = generator.volume(Stream::Chat);
    report.bytes_written += write_file(&out_dir.join("chat/messages.jsonl"), |out| {
        (0..report.chat).try_for_each(|index| write_chat_line(&generator.chat(index), out))
    })?;

    let name = &generator.scenario().name;
    let updated = generator.scenario().end().as_second() - 1;
    report.rss_entries = generator.volume(Stream::Rss);
    report.bytes_written += write_file(&out_dir.join("feeds/feed.rss"), |out| {
        let rss = RssWriter;
        let description = format!("Synthetic security news for the exercise {name:?}");
        let header = FeedHeader {
            title: "Security Wire (synthetic)",
            link: "https://securitywire.example/",
            description: &description,
            updated,
        };
        rss.begin(&header, out)?;
        for index in 0..report.rss_entries {
            rss.entry(&generator.feed_entry(Feed::Rss, index), out)?;
        }
        rss.finish(out)
    })?;

    report.atom_entries = generator.volume(Stream::Atom);
    report.bytes_written += write_file(&out_dir.join("feeds/feed.atom"), |out| {
        let atom = AtomWriter;
        let id = format!("urn:muninn:exercise:{name}:atom");
        let header = FeedHeader {
            title: "Regional Monitor (synthetic)",
            link: "https://regional-monitor.example/",
            description: &id,
            updated,
        };
        atom.begin(&header, out)?;
        for index in 0..report.atom_entries {
            atom.entry(&generator.feed_entry(Feed::Atom, index), out)?;
        }
        atom.finish(out)
    })?;

    report.stix_bundles = generator.volume(Stream::Stix);
    for index in 0..report.stix_bundles {
        let path = out_dir.join(format!("partners/stix/{index:04}.json"));
        let bundle = stix_bundle(&generator.partner_report(Stream::Stix, index));
        report.bytes_written += write_file(&path, |out| write_json(&bundle, out))?;
    }
    report.misp_events = generator.volume(Stream::Misp);
    for index in 0..report.misp_events {
        let path = out_dir.join(format!("partners/misp/{index:04}.json"));
        let event = misp_event(&generator.partner_report(Stream::Misp, index));
        report.bytes_written += write_file(&path, |out| write_json(&event, out))?;
    }

    report.bytes_written += write_file(&out_dir.join("truth.json"), |out| write_truth(&truth, out))?;
    Ok(report)
}

/// Creates `path`, writes it through a buffer, and returns the bytes written.
fn write_file(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<u64, ExerciseError> {
    let io_error = |source| ExerciseError::Io { path: path.to_owned(), source };
    let file = File::create(path).map_err(io_error)?;
    let mut out = BufWriter::with_capacity(1 << 16, CountingWriter::new(file));
    fill(&mut out).map_err(io_error)?;
    out.flush().map_err(io_error)?;
    let counting = out.into_inner().map_err(|error| io_error(error.into_error()))?;
    Ok(counting.bytes())
}

/// A writer that counts the bytes passed through it.
#[derive(Debug)]
pub struct CountingWriter<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> CountingWriter<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> CountingWriter<W> {
        CountingWriter { inner, bytes: 0 }
    }

    /// The bytes written so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }
}

impl<W: Write> Write for CountingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(buf)?;
        self.bytes += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
