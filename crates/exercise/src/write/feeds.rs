//! RSS 2.0 and Atom (RFC 4287) feeds, written entry by entry.

use std::io::{self, Write};

use super::mbox::escape_html as escape_xml;
use crate::clock;
use crate::records::FeedEntry;

/// The channel-level fields of a feed.
#[derive(Debug, Clone, Copy)]
pub struct FeedHeader<'a> {
    /// The feed's title.
    pub title: &'a str,
    /// The site's address.
    pub link: &'a str,
    /// A description (RSS) or the feed's id (Atom).
    pub description: &'a str,
    /// The feed's last update (Unix seconds), written by Atom.
    pub updated: i64,
}

/// Writes an RSS 2.0 feed: [`RssWriter::begin`], entries, [`RssWriter::finish`].
#[derive(Debug, Default)]
pub struct RssWriter;

impl RssWriter {
    /// The XML declaration and the channel's fields.
    pub fn begin(&self, header: &FeedHeader<'_>, out: &mut dyn Write) -> io::Result<()> {
        write!(
            out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\">\n  <channel>\n    \
             <title>{}</title>\n    <link>{}</link>\n    <description>{}</description>\n    \
             <language>en</language>\n",
            escape_xml(header.title),
            escape_xml(header.link),
            escape_xml(header.description)
        )
    }

    /// One `<item>`.
    pub fn entry(&self, entry: &FeedEntry, out: &mut dyn Write) -> io::Result<()> {
        let link = escape_xml(&entry.link);
        write!(
            out,
            "    <item>\n      <title>{}</title>\n      <link>{link}</link>\n      \
             <guid isPermaLink=\"true\">{link}</guid>\n      <pubDate>{}</pubDate>\n      \
             <description>{}</description>\n    </item>\n",
            escape_xml(&entry.title),
            clock::rfc2822(entry.published.as_second()),
            escape_xml(&entry.summary)
        )
    }

    /// Closes the channel.
    pub fn finish(&self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(b"  </channel>\n</rss>\n")
    }
}

/// Writes an Atom feed: [`AtomWriter::begin`], entries, [`AtomWriter::finish`].
#[derive(Debug, Default)]
pub struct AtomWriter;

impl AtomWriter {
    /// The XML declaration and the feed's fields.
    pub fn begin(&self, header: &FeedHeader<'_>, out: &mut dyn Write) -> io::Result<()> {
        write!(
            out,
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
             <feed xmlns=\"http://www.w3.org/2005/Atom\">\n  <title>{}</title>\n  \
             <id>{}</id>\n  <updated>{}</updated>\n  <link href=\"{}\"/>\n  \
             <author><name>{}</name></author>\n",
            escape_xml(header.title),
            escape_xml(header.description),
            clock::rfc3339(header.updated),
            escape_xml(header.link),
            escape_xml(header.title)
        )
    }

    /// One `<entry>`, its language in `xml:lang`.
    pub fn entry(&self, entry: &FeedEntry, out: &mut dyn Write) -> io::Result<()> {
        let link = escape_xml(&entry.link);
        let published = clock::rfc3339(entry.published.as_second());
        write!(
            out,
            "  <entry xml:lang=\"{}\">\n    <title>{}</title>\n    <id>{link}</id>\n    \
             <link href=\"{link}\"/>\n    <published>{published}</published>\n    \
             <updated>{published}</updated>\n    <summary>{}</summary>\n  </entry>\n",
            entry.lang.code(),
            escape_xml(&entry.title),
            escape_xml(&entry.summary)
        )
    }

    /// Closes the feed.
    pub fn finish(&self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(b"</feed>\n")
    }
}
