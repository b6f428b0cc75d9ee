//! The generated items, before any file format is applied.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use muninn_model::Tlp;
use serde::{Deserialize, Serialize};

use crate::ExerciseError;
use crate::lexicon::Lang;

/// A kind of item, each written to its own file (or directory, for notes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stream {
    /// News reports, `news.jsonl`.
    News,
    /// Analyst notes, `notes/NNNN.md`.
    Note,
    /// E-mails, `mail/inbox.mbox`.
    Mail,
    /// Chat messages, `chat/messages.jsonl`.
    Chat,
    /// RSS 2.0 entries, `feeds/feed.rss` (English).
    Rss,
    /// Atom entries, `feeds/feed.atom`.
    Atom,
    /// Partners' reports as STIX 2.1 bundles, `partners/stix/NNNN.json` (English).
    Stix,
    /// Partners' reports as MISP events, `partners/misp/NNNN.json` (English).
    Misp,
}

impl Stream {
    /// Every stream, in the order files are written.
    pub const ALL: [Stream; 8] = [
        Stream::News,
        Stream::Note,
        Stream::Mail,
        Stream::Chat,
        Stream::Rss,
        Stream::Atom,
        Stream::Stix,
        Stream::Misp,
    ];

    /// The prefix of item keys: `news` in `news:000123`.
    pub fn prefix(self) -> &'static str {
        match self {
            Stream::News => "news",
            Stream::Note => "note",
            Stream::Mail => "mail",
            Stream::Chat => "chat",
            Stream::Rss => "rss",
            Stream::Atom => "atom",
            Stream::Stix => "stix",
            Stream::Misp => "misp",
        }
    }

    /// The languages items of this stream are written in.
    pub fn languages(self) -> &'static [Lang] {
        match self {
            Stream::Note | Stream::Rss | Stream::Stix | Stream::Misp => &[Lang::En],
            Stream::News | Stream::Mail | Stream::Chat | Stream::Atom => &Lang::ALL,
        }
    }

    /// A salt that keeps the random choices of different streams apart.
    pub(crate) fn salt(self) -> u64 {
        match self {
            Stream::News => 0x6e65_7773,
            Stream::Note => 0x6e6f_7465,
            Stream::Mail => 0x6d61_696c,
            Stream::Chat => 0x6368_6174,
            Stream::Rss => 0x7273_7373,
            Stream::Atom => 0x6174_6f6d,
            Stream::Stix => 0x7374_6978,
            Stream::Misp => 0x6d69_7370,
        }
    }
}

/// One of the two feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Feed {
    /// `feeds/feed.rss`, RSS 2.0, in English.
    Rss,
    /// `feeds/feed.atom`, Atom, in all four languages.
    Atom,
}

impl Feed {
    /// The stream of the feed's entries.
    pub fn stream(self) -> Stream {
        match self {
            Feed::Rss => Stream::Rss,
            Feed::Atom => Stream::Atom,
        }
    }
}

/// The stable key of a generated item: its stream and its 0-based position in that stream,
/// written `news:000123` (notes: `note:0007`, the number of `notes/0007.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ItemKey {
    /// The stream.
    pub stream: Stream,
    /// The position in the stream.
    pub index: u64,
}

impl ItemKey {
    /// The file (relative to the output directory) that holds the item.
    pub fn file(&self) -> String {
        match self.stream {
            Stream::News => "news.jsonl".to_owned(),
            Stream::Note => format!("notes/{:04}.md", self.index),
            Stream::Mail => "mail/inbox.mbox".to_owned(),
            Stream::Chat => "chat/messages.jsonl".to_owned(),
            Stream::Rss => "feeds/feed.rss".to_owned(),
            Stream::Atom => "feeds/feed.atom".to_owned(),
            Stream::Stix => format!("partners/stix/{:04}.json", self.index),
            Stream::Misp => format!("partners/misp/{:04}.json", self.index),
        }
    }
}

impl FromStr for ItemKey {
    type Err = ExerciseError;

    /// Parses `news:000123`, `note:0007`, `mail:…`, `chat:…`, `rss:…`, `atom:…`.
    fn from_str(text: &str) -> Result<ItemKey, ExerciseError> {
        let invalid = || ExerciseError::InvalidKey(text.to_owned());
        let (prefix, number) = text.split_once(':').ok_or_else(invalid)?;
        let stream = Stream::ALL.into_iter().find(|stream| stream.prefix() == prefix).ok_or_else(invalid)?;
        if number.is_empty() || !number.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(invalid());
        }
        let index = number.parse().map_err(|_| invalid())?;
        Ok(ItemKey { stream, index })
    }
}

impl fmt::Display for ItemKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.stream {
            Stream::Note | Stream::Stix | Stream::Misp => {
                write!(f, "{}:{:04}", self.stream.prefix(), self.index)
            }
            stream => write!(f, "{}:{:06}", stream.prefix(), self.index),
        }
    }
}

/// A news report (`news.jsonl`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewsItem {
    /// The item's key.
    pub key: ItemKey,
    /// The headline.
    pub title: String,
    /// The text, sentences separated as the language does.
    pub body: String,
    /// When it was published.
    pub published: Timestamp,
    /// The article's address on the source's (reserved) domain.
    pub url: String,
    /// Its language.
    pub lang: Lang,
    /// The source's slug, such as `newswire-en`.
    pub source: &'static str,
    /// Its marking.
    pub tlp: Tlp,
}

/// An analyst note (`notes/NNNN.md`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The item's key.
    pub key: ItemKey,
    /// The title, the Markdown heading of the first line.
    pub title: String,
    /// Its marking, stated as `TLP:AMBER` at the top of the body.
    pub tlp: Tlp,
    /// When it was written.
    pub written: Timestamp,
    /// Who wrote it.
    pub author: &'static str,
    /// The Markdown after the title line: the TLP line, a date line, then sections.
    pub body: String,
}

/// How an e-mail's body is put into MIME.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailLayout {
    /// A single `text/plain` part, 8-bit UTF-8.
    Plain,
    /// `multipart/alternative`: text and HTML, both quoted-printable.
    AlternativeQuotedPrintable,
    /// `multipart/alternative`: text and HTML, both base64.
    AlternativeBase64,
    /// `multipart/mixed`: a quoted-printable text part and a base64 attachment.
    WithAttachment,
}

/// A file attached to an e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The file name.
    pub filename: String,
    /// Its media type.
    pub content_type: &'static str,
    /// Its bytes.
    pub content: Vec<u8>,
}

/// An e-mail (`mail/inbox.mbox`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailMessage {
    /// The item's key.
    pub key: ItemKey,
    /// The sender's display name (RFC 2047-encoded when not ASCII).
    pub from_name: &'static str,
    /// The sender's address.
    pub from_address: &'static str,
    /// The `To` header, as written.
    pub to: &'static str,
    /// The subject, decoded (RFC 2047-encoded on the wire when not ASCII).
    pub subject: String,
    /// The `Date` header.
    pub date: Timestamp,
    /// The `Message-ID` header, with its angle brackets.
    pub message_id: String,
    /// Its language.
    pub lang: Lang,
    /// Its marking, stated on the third line of the body (after the greeting), and in some
    /// subjects as `[TLP:AMBER]`.
    pub tlp: Tlp,
    /// The plain-text body, decoded, lines separated by `\n`.
    pub body: String,
    /// How the body is put into MIME.
    pub layout: MailLayout,
    /// The attachment, for [`MailLayout::WithAttachment`].
    pub attachment: Option<Attachment>,
}

/// A chat message (`chat/messages.jsonl`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatMessage {
    /// The item's key.
    pub key: ItemKey,
    /// The channel, such as `#soc-alerts`.
    pub channel: &'static str,
    /// The author's handle.
    pub author: &'static str,
    /// When it was sent.
    pub sent: Timestamp,
    /// The message.
    pub text: String,
    /// Its language.
    pub lang: Lang,
}

/// An entry of the RSS or the Atom feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEntry {
    /// The item's key ([`Stream::Rss`] or [`Stream::Atom`]).
    pub key: ItemKey,
    /// The entry's title.
    pub title: String,
    /// Its address.
    pub link: String,
    /// When it was published.
    pub published: Timestamp,
    /// Its summary text.
    pub summary: String,
    /// Its language.
    pub lang: Lang,
}

/// What kind of value a partner's indicator is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndicatorKind {
    /// An IPv4 address.
    Ipv4,
    /// A domain name.
    Domain,
    /// A URL.
    Url,
    /// A SHA-256 digest.
    Sha256,
    /// An MD5 digest.
    Md5,
}

impl IndicatorKind {
    /// The kind of a (refanged) indicator value the generator writes.
    pub fn of(value: &str) -> IndicatorKind {
        let hex = value.bytes().all(|b| b.is_ascii_hexdigit());
        if value.starts_with("http://") || value.starts_with("https://") {
            IndicatorKind::Url
        } else if hex && value.len() == 64 {
            IndicatorKind::Sha256
        } else if hex && value.len() == 32 {
            IndicatorKind::Md5
        } else if value.split('.').count() == 4 && value.split('.').all(|part| part.parse::<u8>().is_ok()) {
            IndicatorKind::Ipv4
        } else {
            IndicatorKind::Domain
        }
    }
}

/// A partner's report with its indicators: a STIX 2.1 bundle (`partners/stix/NNNN.json`: an
/// identity, the report, an indicator per value, the actor as an intrusion set) or a MISP event
/// (`partners/misp/NNNN.json`: an attribute per value, the actor as a threat-actor galaxy
/// cluster).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerReport {
    /// The item's key ([`Stream::Stix`] or [`Stream::Misp`]).
    pub key: ItemKey,
    /// The report's name (a MISP event's `info`).
    pub title: String,
    /// Its narrative (the STIX report's `description`; a MISP event's text attribute).
    pub narrative: String,
    /// The narrative, then a line per indicator (`indicator: VALUE`) and the actor
    /// (`actor: NAME`): what the report says, as [`Item::body`] gives it.
    pub body: String,
    /// When it was published.
    pub published: Timestamp,
    /// The sharing organisation.
    pub partner: &'static str,
    /// Its marking.
    pub tlp: Tlp,
    /// The indicators, refanged, in the order written.
    pub indicators: Vec<(IndicatorKind, String)>,
    /// The threat actor the report attributes the activity to, if any.
    pub actor: Option<&'static str>,
    /// Random bits for the ids of the report's objects (deterministic per item).
    pub id_seed: u64,
}

/// A generated item of any stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A news report.
    News(NewsItem),
    /// An analyst note.
    Note(Note),
    /// An e-mail.
    Mail(MailMessage),
    /// A chat message.
    Chat(ChatMessage),
    /// An RSS or Atom entry.
    Feed(FeedEntry),
    /// A partner's STIX bundle or MISP event.
    Partner(PartnerReport),
}

impl Item {
    /// The title (for chat, the message).
    pub fn title(&self) -> &str {
        match self {
            Item::News(item) => &item.title,
            Item::Note(note) => &note.title,
            Item::Mail(mail) => &mail.subject,
            Item::Chat(chat) => &chat.text,
            Item::Feed(entry) => &entry.title,
            Item::Partner(report) => &report.title,
        }
    }

    /// The text besides the title (for chat, the message again).
    pub fn body(&self) -> &str {
        match self {
            Item::News(item) => &item.body,
            Item::Note(note) => &note.body,
            Item::Mail(mail) => &mail.body,
            Item::Chat(chat) => &chat.text,
            Item::Feed(entry) => &entry.summary,
            Item::Partner(report) => &report.body,
        }
    }

    /// When it was published, sent or written.
    pub fn published(&self) -> Timestamp {
        match self {
            Item::News(item) => item.published,
            Item::Note(note) => note.written,
            Item::Mail(mail) => mail.date,
            Item::Chat(chat) => chat.sent,
            Item::Feed(entry) => entry.published,
            Item::Partner(report) => report.published,
        }
    }

    /// Its language.
    pub fn lang(&self) -> Lang {
        match self {
            Item::News(item) => item.lang,
            Item::Note(_) | Item::Partner(_) => Lang::En,
            Item::Mail(mail) => mail.lang,
            Item::Chat(chat) => chat.lang,
            Item::Feed(entry) => entry.lang,
        }
    }

    /// Whether its title or text contains `text`.
    pub fn contains(&self, text: &str) -> bool {
        self.title().contains(text) || self.body().contains(text)
    }
}
