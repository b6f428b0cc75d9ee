//! Readers: splitting an input into units (sequential, cheap) and parsing a unit into records
//! (pure, run in parallel by the pipeline).

mod csv;
mod feed;
pub(crate) mod fields;
pub(crate) mod html;
mod jsonl;
mod mail;
mod partner;
pub(crate) mod text;

use std::io::BufRead;

use crate::decode::{self, TextEncoding};
use crate::pipeline::Limits;
use crate::record::{Unit, UnitContent};
use crate::{Diagnostic, Format, Location, Record};

pub(crate) use self::csv::CsvColumns;
pub use fields::FieldMap;

/// What a reader needs to know about its input.
#[derive(Debug, Clone)]
pub struct ReadContext {
    /// Display name of the input (path or `<stdin>`), used in diagnostics.
    pub input: String,
    /// File name without extension, the title of last resort.
    pub stem: String,
    /// The input's format.
    pub format: Format,
    /// Declared encoding, if any.
    pub encoding: Option<TextEncoding>,
    /// Size limits.
    pub limits: Limits,
    /// Field mapping for JSON Lines and CSV.
    pub fields: FieldMap,
}

/// Splits an input into units, calling `visit` for each in order. Stops early when `visit` fails.
pub fn read_units<E>(
    context: &ReadContext,
    reader: &mut dyn BufRead,
    visit: &mut dyn FnMut(Unit) -> Result<(), E>,
) -> Result<(), E> {
    match context.format {
        Format::JsonLines => split_lines(context, reader, visit),
        Format::Csv => csv::split(context, reader, visit),
        Format::Mbox => mail::split_mbox(context, reader, visit),
        Format::Text | Format::Markdown | Format::Html | Format::Feed | Format::Eml | Format::Shared => {
            let unit = match read_bounded(reader, context.limits.max_document_bytes) {
                Ok(bytes) if bytes.is_empty() => {
                    rejected(context, 0, Location::File, "empty file".to_owned())
                }
                Ok(bytes) => {
                    let len = bytes.len() as u64;
                    let content = if context.format == Format::Eml {
                        UnitContent::Message { index: 1, offset: 0, bytes }
                    } else {
                        UnitContent::Document { bytes }
                    };
                    Unit { ordinal: 0, bytes: len, content }
                }
                Err(message) => rejected(context, 0, Location::File, message),
            };
            visit(unit)
        }
    }
}

fn rejected(context: &ReadContext, ordinal: u64, location: Location, message: String) -> Unit {
    Unit {
        ordinal,
        bytes: 0,
        content: UnitContent::Rejected(Diagnostic::new(&context.input, location, message)),
    }
}

fn read_bounded(reader: &mut dyn BufRead, limit: usize) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    let read = std::io::Read::take(&mut *reader, limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| format!("read failed: {error}"))?;
    if read > limit {
        return Err(format!("file is over the document limit of {limit} bytes (--max-document-bytes)"));
    }
    Ok(bytes)
}

use std::io::Read as _;

/// Splits lines without ever holding more than the item limit of one line in memory: an
/// over-long line is skipped to its end and reported.
fn split_lines<E>(
    context: &ReadContext,
    reader: &mut dyn BufRead,
    visit: &mut dyn FnMut(Unit) -> Result<(), E>,
) -> Result<(), E> {
    let limit = context.limits.max_item_bytes;
    let mut line_number = 0u64;
    let mut offset = 0u64;
    let mut line = Vec::new();
    loop {
        line.clear();
        line_number += 1;
        let start = offset;
        let mut too_long = false;
        let mut ended = false;
        loop {
            let buffer = match reader.fill_buf() {
                Ok(buffer) => buffer,
                Err(error) => {
                    let unit = rejected(
                        context,
                        line_number - 1,
                        Location::Byte(offset),
                        format!("read failed: {error}"),
                    );
                    return visit(unit);
                }
            };
            if buffer.is_empty() {
                ended = true;
                break;
            }
            let (chunk, found_newline) = match buffer.iter().position(|b| *b == b'\n') {
                Some(position) => (&buffer[..=position], true),
                None => (buffer, false),
            };
            let chunk_len = chunk.len();
            if !too_long {
                if line.len() + chunk_len > limit + 1 {
                    too_long = true;
                    line.clear();
                    line.shrink_to(64 * 1024);
                } else {
                    line.extend_from_slice(chunk);
                }
            }
            reader.consume(chunk_len);
            offset += chunk_len as u64;
            if found_newline {
                break;
            }
        }
        if ended && offset == start {
            return Ok(());
        }
        let ordinal = line_number - 1;
        let location = Location::Line { line: line_number, offset: start };
        let unit = if too_long {
            rejected(
                context,
                ordinal,
                location,
                format!(
                    "line is {} bytes, over the item limit of {limit} bytes (--max-item-bytes)",
                    offset - start
                ),
            )
        } else {
            let mut bytes = std::mem::take(&mut line);
            if ordinal == 0 {
                bytes = decode::sniff_bom(&bytes).1.to_vec();
            }
            Unit {
                ordinal,
                bytes: offset - start,
                content: UnitContent::Line { line: line_number, offset: start, bytes },
            }
        };
        visit(unit)?;
        if ended {
            return Ok(());
        }
    }
}

/// Parses a unit into records. Pure: no IO.
pub(crate) fn parse_unit(context: &ReadContext, content: UnitContent) -> Vec<Result<Record, Diagnostic>> {
    match content {
        UnitContent::Rejected(diagnostic) => vec![Err(diagnostic)],
        UnitContent::Line { line, offset, bytes } => {
            jsonl::parse_line(context, line, offset, &bytes).into_iter().collect()
        }
        UnitContent::CsvRow { line, offset, fields, columns } => {
            vec![csv::parse_row(context, line, offset, &fields, &columns)]
        }
        UnitContent::Message { index, offset, bytes } => {
            vec![mail::parse_message(context, index, offset, &bytes)]
        }
        UnitContent::Document { bytes } => parse_document(context, bytes),
    }
}

fn parse_document(context: &ReadContext, bytes: Vec<u8>) -> Vec<Result<Record, Diagnostic>> {
    if context.format == Format::Shared {
        // JSON is UTF-8 by definition; the parsers refuse anything else and name the byte.
        let mut records = if partner::is_misp_event(&bytes) {
            partner::parse_misp(context, &bytes)
        } else {
            partner::parse_stix(context, &bytes)
        };
        // The document is kept with its item when it is the item's only source (a MISP event,
        // a bundle of one report); a bundle of many reports is not copied into each.
        if let [Ok(record)] = records.as_mut_slice() {
            record.raw = Some((bytes, "application/json"));
        }
        return records;
    }
    let declared = match (context.encoding, context.format) {
        (Some(encoding), _) => Some(encoding),
        (None, Format::Html) => {
            html::declared_charset(&bytes).and_then(|label| TextEncoding::for_label(&label))
        }
        _ => None,
    };
    let text = match decode::decode_document(&bytes, declared) {
        Ok((text, _)) => text,
        Err(error) => {
            return vec![Err(Diagnostic::new(&context.input, Location::Byte(error.offset), error.message))];
        }
    };
    let media_type = match context.format {
        Format::Markdown => "text/markdown",
        Format::Html => "text/html",
        _ => "text/plain",
    };
    let mut record = match context.format {
        Format::Feed => return feed::parse_feed(context, &text),
        Format::Markdown => text::parse_markdown(&text, &context.stem),
        Format::Html => html::parse_html(&text, &context.stem),
        _ => text::parse_text(&text, &context.stem),
    };
    if record.body.trim().is_empty() {
        return vec![Err(Diagnostic::new(&context.input, Location::File, "no text in document"))];
    }
    if record.body.len() > context.limits.max_field_bytes {
        return vec![Err(Diagnostic::new(
            &context.input,
            Location::File,
            format!(
                "text is {} bytes, over the field limit of {} bytes (--max-field-bytes)",
                record.body.len(),
                context.limits.max_field_bytes
            ),
        ))];
    }
    record.raw = Some((bytes, media_type));
    vec![Ok(record)]
}

/// Reads and parses a whole input sequentially: the readers without the pipeline, for tests and
/// tools that want records rather than stored items.
pub fn read_records(context: &ReadContext, reader: &mut dyn BufRead) -> Vec<Result<Record, Diagnostic>> {
    let mut records = Vec::new();
    let _ = read_units(context, reader, &mut |unit: Unit| -> Result<(), std::convert::Infallible> {
        records.extend(parse_unit(context, unit.content));
        Ok(())
    });
    records
}
