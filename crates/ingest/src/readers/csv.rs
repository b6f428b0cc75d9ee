//! CSV with a header row. Columns are mapped to record fields by name (see `fields.rs`); the
//! other columns are kept as attributes.

use std::io::BufRead;
use std::sync::Arc;

use crate::readers::ReadContext;
use crate::readers::fields::{self, Target};
use crate::record::{Unit, UnitContent};
use crate::{Diagnostic, Location, Record};

/// The header of a CSV input, resolved against the field mapping.
#[derive(Debug)]
pub(crate) struct CsvColumns {
    names: Vec<String>,
    mapped: Vec<(Target, usize)>,
}

/// Splits a CSV input into rows. The header is read first; a row whose field count differs from
/// the header's is refused on its own.
pub(crate) fn split<E>(
    context: &ReadContext,
    reader: &mut dyn BufRead,
    visit: &mut dyn FnMut(Unit) -> Result<(), E>,
) -> Result<(), E> {
    let file_error = |message: String| Unit {
        ordinal: 0,
        bytes: 0,
        content: UnitContent::Rejected(Diagnostic::new(&context.input, Location::File, message)),
    };
    let mut csv_reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(reader);
    let mut header = csv::ByteRecord::new();
    match csv_reader.read_byte_record(&mut header) {
        Ok(true) => {}
        Ok(false) => return visit(file_error("empty CSV: no header row".to_owned())),
        Err(error) => return visit(file_error(format!("unreadable CSV header: {error}"))),
    }
    let mut names = Vec::with_capacity(header.len());
    for field in header.iter() {
        match std::str::from_utf8(field) {
            Ok(name) => names.push(name.trim_start_matches('\u{feff}').trim().to_owned()),
            Err(_) => return visit(file_error("CSV header is not valid UTF-8".to_owned())),
        }
    }
    let keys: Vec<&str> = names.iter().map(String::as_str).collect();
    let mapped = fields::resolve(&context.fields, &keys);
    if !mapped.iter().any(|(target, _)| *target == Target::Body) {
        return visit(file_error(format!("no body column among {names:?}; map one with --map body=COLUMN")));
    }
    let columns = Arc::new(CsvColumns { names, mapped });
    let mut row = csv::ByteRecord::new();
    let mut ordinal = 0;
    loop {
        let offset = csv_reader.position().byte();
        let line = csv_reader.position().line();
        match csv_reader.read_byte_record(&mut row) {
            Ok(false) => return Ok(()),
            Ok(true) => {
                let end = csv_reader.position().byte();
                let content = if row.len() != columns.names.len() {
                    UnitContent::Rejected(Diagnostic::new(
                        &context.input,
                        Location::Line { line, offset },
                        format!("row has {} fields, the header has {}", row.len(), columns.names.len()),
                    ))
                } else if end - offset > context.limits.max_item_bytes as u64 {
                    UnitContent::Rejected(Diagnostic::new(
                        &context.input,
                        Location::Line { line, offset },
                        format!(
                            "row is {} bytes, over the item limit of {} bytes (--max-item-bytes)",
                            end - offset,
                            context.limits.max_item_bytes
                        ),
                    ))
                } else {
                    UnitContent::CsvRow {
                        line,
                        offset,
                        fields: row.iter().map(<[u8]>::to_vec).collect(),
                        columns: Arc::clone(&columns),
                    }
                };
                visit(Unit { ordinal, bytes: end - offset, content })?;
            }
            Err(error) => {
                let end = csv_reader.position().byte();
                let content = UnitContent::Rejected(Diagnostic::new(
                    &context.input,
                    Location::Line { line, offset },
                    format!("unreadable CSV row: {error}"),
                ));
                visit(Unit { ordinal, bytes: end.saturating_sub(offset), content })?;
                if error.is_io_error() {
                    return Ok(());
                }
            }
        }
        ordinal += 1;
    }
}

pub(crate) fn parse_row(
    context: &ReadContext,
    line: u64,
    offset: u64,
    fields_bytes: &[Vec<u8>],
    columns: &CsvColumns,
) -> Result<Record, Diagnostic> {
    let location = Location::Line { line, offset };
    let reject = |message: String| Err(Diagnostic::new(&context.input, location.clone(), message));
    let mut record = Record::default();
    let mut raw = Vec::new();
    for (index, bytes) in fields_bytes.iter().enumerate() {
        let name = &columns.names[index];
        let value = match crate::decode::decode(bytes, context.encoding) {
            Ok(value) => value,
            Err(error) => return reject(format!("column {name:?}: {}", error.message)),
        };
        let value = value.as_str();
        if value.len() > context.limits.max_field_bytes {
            return reject(format!(
                "column {name:?} is {} bytes, over the field limit of {} bytes (--max-field-bytes)",
                value.len(),
                context.limits.max_field_bytes
            ));
        }
        if index > 0 {
            raw.push(b',');
        }
        raw.extend_from_slice(bytes);
        match columns.mapped.iter().find(|(_, position)| *position == index) {
            Some((target, _)) => {
                if let Err(message) = fields::assign(&mut record, *target, name, value) {
                    return reject(message);
                }
            }
            None => {
                if !value.is_empty() {
                    record.attributes.insert(name.clone(), serde_json::Value::String(value.to_owned()));
                }
            }
        }
    }
    if record.body.trim().is_empty() {
        return reject("empty body column".to_owned());
    }
    record.raw = Some((raw, "text/csv"));
    Ok(record)
}
