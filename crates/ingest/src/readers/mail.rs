//! E-mail: single messages (`.eml`) and mailboxes (`mbox`). MIME multipart, quoted-printable,
//! base64 and charsets are decoded by mail-parser; attachments are listed, not stored as text.

use std::io::BufRead;

use mail_parser::{MessageParser, MimeHeaders};
use muninn_model::Timestamp;
use serde_json::{Value, json};

use crate::readers::{ReadContext, html, text};
use crate::record::{Unit, UnitContent};
use crate::{Diagnostic, Location, Record};

pub(crate) fn parse_message(
    context: &ReadContext,
    index: u64,
    offset: u64,
    bytes: &[u8],
) -> Result<Record, Diagnostic> {
    let location = Location::Entry { index, offset };
    let reject = |message: String| Err(Diagnostic::new(&context.input, location.clone(), message));
    // A single message saved from a mailbox keeps its `From ` envelope line: not a header.
    let bytes = match bytes.strip_prefix(b"From ") {
        Some(rest) => rest.iter().position(|b| *b == b'\n').map_or(bytes, |end| &rest[end + 1..]),
        None => bytes,
    };
    if let Some(problem) = truncation(bytes) {
        return reject(format!("message is truncated: {problem}"));
    }
    let Some(message) = MessageParser::default().parse(bytes) else {
        return reject("not an e-mail message: no header fields".to_owned());
    };
    if let Some(boundary) = message
        .parts
        .iter()
        .filter_map(|part| part.content_type())
        .filter(|content_type| content_type.ctype().eq_ignore_ascii_case("multipart"))
        .filter_map(|content_type| content_type.attribute("boundary"))
        .find(|boundary| !contains(bytes, format!("--{boundary}--").as_bytes()))
    {
        return reject(format!(
            "message is truncated: multipart closing boundary \"--{boundary}--\" missing"
        ));
    }
    let mut body = match message.body_text(0) {
        Some(text) => text.into_owned(),
        None => match message.body_html(0) {
            Some(markup) => html::visible_text(&markup).1,
            None => String::new(),
        },
    };
    for extra in message.text_bodies().skip(1).filter_map(|part| part.text_contents()) {
        body.push_str("\n\n");
        body.push_str(extra);
    }
    let subject = message.subject().map(html::collapse_whitespace);
    if body.trim().is_empty() && subject.is_none() {
        return reject("message has neither subject nor text".to_owned());
    }
    let mut record = Record {
        tlp: subject.as_deref().and_then(text::declared_tlp).or_else(|| text::declared_tlp(&body)),
        title: subject,
        body: body.trim().to_owned(),
        event_time: message.date().and_then(|date| Timestamp::from_second(date.to_timestamp()).ok()),
        ..Record::default()
    };
    let attributes = &mut record.attributes;
    for (key, list) in [("from", message.from()), ("to", message.to()), ("cc", message.cc())] {
        if let Some(values) = list.map(addresses).filter(|values| !values.is_empty()) {
            attributes.insert(key.to_owned(), Value::Array(values));
        }
    }
    if let Some(id) = message.message_id() {
        attributes.insert("message_id".to_owned(), json!(id));
    }
    let attachments: Vec<Value> = message
        .attachments()
        .map(|part| {
            let media_type = part
                .content_type()
                .map(|ct| match ct.subtype() {
                    Some(subtype) => format!("{}/{subtype}", ct.ctype()),
                    None => ct.ctype().to_owned(),
                })
                .unwrap_or_else(|| "application/octet-stream".to_owned());
            json!({ "name": part.attachment_name(), "media_type": media_type, "size": part.len() })
        })
        .collect();
    if !attachments.is_empty() {
        attributes.insert("attachments".to_owned(), Value::Array(attachments));
    }
    record.raw = Some((bytes.to_vec(), "message/rfc822"));
    Ok(record)
}

fn addresses(address: &mail_parser::Address<'_>) -> Vec<Value> {
    address
        .iter()
        .filter_map(|mailbox| match (mailbox.name(), mailbox.address()) {
            (Some(name), Some(address)) => Some(json!(format!("{name} <{address}>"))),
            (None, Some(address)) => Some(json!(address)),
            (Some(name), None) => Some(json!(name)),
            (None, None) => None,
        })
        .collect()
}

/// A message cut short before its header block ended.
fn truncation(bytes: &[u8]) -> Option<&'static str> {
    if contains(bytes, b"\n\n") || contains(bytes, b"\r\n\r\n") {
        return None;
    }
    Some("header block not terminated by a blank line")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

/// Splits an mbox into messages. A message starts at a `From ` line at the start of the file or
/// after an empty line; `>From ` lines in bodies are unescaped.
pub(crate) fn split_mbox<E>(
    context: &ReadContext,
    reader: &mut dyn BufRead,
    visit: &mut dyn FnMut(Unit) -> Result<(), E>,
) -> Result<(), E> {
    let mut ordinal = 0u64;
    let mut offset = 0u64;
    let mut message = Vec::new();
    let mut message_start = 0u64;
    let mut message_too_large = false;
    let mut previous_blank = true;
    let mut started = false;
    let mut line = Vec::new();
    let emit = |ordinal: &mut u64, message: &mut Vec<u8>, start: u64, too_large: bool, end: u64| {
        let index = *ordinal + 1;
        let content = if too_large {
            UnitContent::Rejected(Diagnostic::new(
                &context.input,
                Location::Entry { index, offset: start },
                format!(
                    "message is {} bytes, over the item limit of {} bytes (--max-item-bytes)",
                    end - start,
                    context.limits.max_item_bytes
                ),
            ))
        } else {
            UnitContent::Message { index, offset: start, bytes: std::mem::take(message) }
        };
        message.clear();
        let unit = Unit { ordinal: *ordinal, bytes: end - start, content };
        *ordinal += 1;
        unit
    };
    loop {
        line.clear();
        let read = match reader.read_until(b'\n', &mut line) {
            Ok(read) => read,
            Err(error) => {
                let unit = Unit {
                    ordinal,
                    bytes: 0,
                    content: UnitContent::Rejected(Diagnostic::new(
                        &context.input,
                        Location::Byte(offset),
                        format!("read failed: {error}"),
                    )),
                };
                return visit(unit);
            }
        };
        if read == 0 {
            break;
        }
        let is_separator = previous_blank && line.starts_with(b"From ");
        if is_separator {
            if started {
                // The blank line before a separator belongs to the mbox format, not the message.
                if message.ends_with(b"\n\n") || message.ends_with(b"\r\n\r\n") {
                    message.pop();
                }
                let unit = emit(&mut ordinal, &mut message, message_start, message_too_large, offset);
                visit(unit)?;
            } else if offset > 0 {
                // Bytes before the first separator are not a message of this mailbox.
                let unit = Unit {
                    ordinal,
                    bytes: offset,
                    content: UnitContent::Rejected(Diagnostic::new(
                        &context.input,
                        Location::Byte(0),
                        "text before the first \"From \" line is not part of any message",
                    )),
                };
                ordinal += 1;
                visit(unit)?;
            }
            started = true;
            message_start = offset;
            message_too_large = false;
        } else if !started && offset == 0 {
            // Not an mbox at all: report it once, at the start.
            return visit(Unit {
                ordinal,
                bytes: 0,
                content: UnitContent::Rejected(Diagnostic::new(
                    &context.input,
                    Location::Byte(0),
                    "not an mbox: the file does not start with a \"From \" line",
                )),
            });
        } else if !message_too_large {
            let content = line.strip_prefix(b">").filter(|rest| rest.starts_with(b"From ")).unwrap_or(&line);
            if message.len() + content.len() > context.limits.max_item_bytes {
                message_too_large = true;
                message.clear();
            } else {
                message.extend_from_slice(content);
            }
        }
        previous_blank = line == b"\n" || line == b"\r\n";
        offset += read as u64;
    }
    if started {
        let unit = emit(&mut ordinal, &mut message, message_start, message_too_large, offset);
        visit(unit)?;
    }
    Ok(())
}
