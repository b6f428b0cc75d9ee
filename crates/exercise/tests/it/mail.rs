//! A small mbox and MIME reader, written for these tests from the RFCs (mboxrd, RFC 2045 base64
//! and quoted-printable, RFC 2047 encoded words), and the mbox checks that use it.

use muninn_exercise::{Stream, demo_scenario};

use crate::Flow;

/// One message of an mbox file, `>From ` unquoted.
#[derive(Debug)]
pub struct Message {
    pub separator: String,
    /// Header fields, continuation lines unfolded.
    pub headers: Vec<(String, String)>,
    /// Header lines as written.
    pub raw_header_lines: Vec<String>,
    pub body: String,
}

impl Message {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(field, _)| field.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The decoded subject and every decoded text part.
    pub fn decoded_text(&self) -> String {
        let mut text = decode_words(self.header("Subject").unwrap_or(""));
        text.push('\n');
        text.push_str(&decode_entity(&self.headers, &self.body));
        text
    }
}

/// Splits an mbox file into messages. A separator is a `From ` line at the start of the file
/// or after an empty line.
pub fn split(mbox: &str) -> Vec<Message> {
    let mut messages = Vec::new();
    let mut current: Option<(String, Vec<&str>)> = None;
    let mut previous_empty = true;
    for line in mbox.split('\n') {
        if previous_empty && line.starts_with("From ") {
            if let Some((separator, lines)) = current.take() {
                messages.push(parse(separator, &lines));
            }
            current = Some((line.to_owned(), Vec::new()));
        } else if let Some((_, lines)) = current.as_mut() {
            lines.push(line);
        }
        previous_empty = line.is_empty();
    }
    if let Some((separator, lines)) = current {
        messages.push(parse(separator, &lines));
    }
    messages
}

fn parse(separator: String, lines: &[&str]) -> Message {
    let blank = lines.iter().position(|line| line.is_empty()).unwrap_or(lines.len());
    let raw_header_lines: Vec<String> = lines[..blank].iter().map(|l| (*l).to_owned()).collect();
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in &raw_header_lines {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.to_owned(), value.trim().to_owned()));
        }
    }
    let body_lines: Vec<String> = lines[(blank + 1).min(lines.len())..]
        .iter()
        .map(|line| {
            // mboxrd: one `>` less on `>From ` lines.
            if line.trim_start_matches('>').starts_with("From ") && line.starts_with('>') {
                line[1..].to_owned()
            } else {
                (*line).to_owned()
            }
        })
        .collect();
    Message { separator, headers, raw_header_lines, body: body_lines.join("\n") }
}

fn parameter(value: &str, name: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|part| {
        let (key, raw) = part.trim().split_once('=')?;
        key.eq_ignore_ascii_case(name).then(|| raw.trim_matches('"').to_owned())
    })
}

/// The text of a MIME entity: its own text if `text/*`, its parts' texts if multipart.
fn decode_entity(headers: &[(String, String)], body: &str) -> String {
    let header = |name: &str| {
        headers
            .iter()
            .find(|(field, _)| field.eq_ignore_ascii_case(name))
            .map_or("", |(_, value)| value.as_str())
    };
    let content_type = header("Content-Type");
    if content_type.starts_with("multipart/") {
        let boundary = parameter(content_type, "boundary").expect("multipart has a boundary");
        let delimiter = format!("--{boundary}");
        let mut text = String::new();
        for part in body.split(&delimiter).skip(1) {
            if part.starts_with("--") {
                break;
            }
            let part = part.strip_prefix('\n').unwrap_or(part);
            let message = parse(String::new(), &part.split('\n').collect::<Vec<_>>());
            text.push_str(&decode_entity(&message.headers, &message.body));
            text.push('\n');
        }
        return text;
    }
    if !content_type.is_empty() && !content_type.starts_with("text/") {
        return String::new();
    }
    let bytes = match header("Content-Transfer-Encoding").to_ascii_lowercase().as_str() {
        "base64" => base64_decode(body),
        "quoted-printable" => quoted_printable_decode(body),
        _ => body.as_bytes().to_vec(),
    };
    String::from_utf8(bytes).expect("text parts are UTF-8")
}

pub fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let symbols: Vec<u8> = text.bytes().filter_map(value).collect();
    let mut out = Vec::new();
    for chunk in symbols.chunks(4) {
        let mut accumulator = 0u32;
        for (position, symbol) in chunk.iter().enumerate() {
            accumulator |= u32::from(*symbol) << (18 - 6 * position);
        }
        let bytes = accumulator.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}

pub fn quoted_printable_decode(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let lines: Vec<&str> = text.split('\n').collect();
    for (number, line) in lines.iter().enumerate() {
        let bytes = line.as_bytes();
        let soft = bytes.last() == Some(&b'=');
        let content = if soft { &bytes[..bytes.len() - 1] } else { bytes };
        let mut index = 0;
        while index < content.len() {
            if content[index] == b'=' && index + 2 < content.len() {
                let hex = std::str::from_utf8(&content[index + 1..index + 3]).expect("ASCII");
                out.push(u8::from_str_radix(hex, 16).expect("hex escape"));
                index += 3;
            } else {
                out.push(content[index]);
                index += 1;
            }
        }
        if !soft && number + 1 < lines.len() {
            out.push(b'\n');
        }
    }
    out
}

/// Decodes RFC 2047 `B` encoded words; whitespace between adjacent encoded words is dropped.
pub fn decode_words(value: &str) -> String {
    if !value.contains("=?") {
        return value.to_owned();
    }
    let mut bytes = Vec::new();
    for word in value.split_whitespace() {
        let payload = word
            .strip_prefix("=?UTF-8?B?")
            .and_then(|rest| rest.strip_suffix("?="))
            .expect("only UTF-8 B words are written");
        bytes.extend(base64_decode(payload));
    }
    String::from_utf8(bytes).expect("encoded words decode to UTF-8")
}

#[test]
fn mbox_is_well_formed() {
    let scenario = demo_scenario();
    let flow = Flow::generate(&scenario, 7);
    let mbox = flow.read("mail/inbox.mbox");
    assert!(mbox.starts_with("From "));
    let lines: Vec<&str> = mbox.split('\n').collect();
    for (number, line) in lines.iter().enumerate() {
        if line.starts_with("From ") {
            // Every line starting "From " is a separator: after an empty line, before headers.
            assert!(number == 0 || lines[number - 1].is_empty(), "line {number}");
            assert!(lines[number + 1].starts_with("From: "), "line {number}: {line}");
        }
    }
    assert!(mbox.contains("\n>From "), "the demo exercises mboxrd quoting");
    let messages = split(&mbox);
    assert_eq!(messages.len() as u64, scenario.volume.mail);
    for message in &messages {
        let separator: Vec<&str> = message.separator.split(' ').collect();
        assert!(separator[1].contains('@'), "{}", message.separator);
        for name in ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version"] {
            assert!(message.header(name).is_some(), "{name} in {}", message.separator);
        }
        for line in &message.raw_header_lines {
            assert!(line.is_ascii(), "non-ASCII header line {line}");
            assert!(line.len() <= 998);
            assert!(line.starts_with(' ') || line.contains(':'), "{line}");
        }
        let date = message.header("Date").expect("checked");
        jiff::fmt::rfc2822::parse(date).expect("Date is RFC 5322");
        let id = message.header("Message-ID").expect("checked");
        assert!(id.starts_with('<') && id.ends_with('>') && id.contains('@'));
        let content_type = message.header("Content-Type").expect("MIME type");
        if let Some(boundary) = parameter(content_type, "boundary") {
            assert!(message.body.contains(&format!("--{boundary}\n")));
            assert!(message.body.contains(&format!("--{boundary}--")));
        }
        assert!(!message.decoded_text().trim().is_empty());
    }
}

#[test]
fn mbox_decodes_to_the_generated_messages() {
    let scenario = demo_scenario();
    let flow = Flow::generate(&scenario, 7);
    let generator = muninn_exercise::Generator::new(&scenario, 7).expect("valid");
    let messages = split(&flow.read("mail/inbox.mbox"));
    let mut layouts = std::collections::BTreeSet::new();
    let mut encoded_subjects = 0;
    for (index, message) in messages.iter().enumerate() {
        let mail = generator.mail(index as u64);
        layouts.insert(format!("{:?}", mail.layout));
        assert_eq!(decode_words(message.header("Subject").expect("subject")), mail.subject);
        if !mail.subject.is_ascii() {
            encoded_subjects += 1;
        }
        let label = mail.tlp.label();
        assert!(mail.body.lines().take(5).any(|line| line == label), "{:?}", mail.key);
        let text = message.decoded_text();
        for line in mail.body.lines().filter(|line| !line.is_empty()) {
            assert!(text.contains(line), "{:?} lacks {line:?}", mail.key);
        }
        if let Some(attachment) = &mail.attachment {
            let disposition = format!("filename=\"{}\"", attachment.filename);
            assert!(message.body.contains(&disposition));
        }
    }
    assert_eq!(layouts.len(), 4, "every MIME layout appears: {layouts:?}");
    assert!(encoded_subjects > 0, "some subjects are RFC 2047 encoded");
    assert_eq!(generator.volume(Stream::Mail), messages.len() as u64);
}
