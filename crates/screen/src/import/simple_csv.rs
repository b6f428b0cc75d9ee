//! Our own simple CSV: a header row naming the columns `id,kind,value,aliases,severity,note`
//! (any order, only `value` required), one entry per row.

use crate::import::{AliasSet, IdSet, ImportError, ImportWarning, Imported, Lines, utf8_text};
use crate::watchlist::{Entry, EntryKind, Severity};

const COLUMNS: [&str; 6] = ["id", "kind", "value", "aliases", "severity", "note"];

/// Where each known column is in the header.
#[derive(Debug, Default)]
struct Layout {
    id: Option<usize>,
    kind: Option<usize>,
    value: usize,
    aliases: Option<usize>,
    severity: Option<usize>,
    note: Option<usize>,
    width: usize,
}

/// Reads a watchlist CSV (format in the crate README): a header row, then one entry per row.
/// Rows with an unknown kind, a bad severity, an empty value or a repeated id are left out with
/// a warning naming their line. Input that is not UTF-8 (a byte-order mark is fine) or has no
/// `value` column is refused.
pub fn csv(input: &[u8]) -> Result<Imported, ImportError> {
    let text = utf8_text(input)?;
    let mut reader =
        ::csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(header)) => header,
        Some(Err(error)) => return Err(csv_error(&error, &mut Lines::new(text.as_bytes()))),
        None => {
            return Err(ImportError::WrongShape {
                expected: "a watchlist CSV",
                message: "the input is empty; the first row must name the columns".to_owned(),
            });
        }
    };
    let mut imported = Imported::default();
    let layout = layout(&header, &mut imported.warnings)?;
    let mut ids = IdSet::default();
    let mut lines = Lines::new(text.as_bytes());
    for record in records {
        let record = record.map_err(|error| csv_error(&error, &mut lines))?;
        let line = lines.line(record.position());
        if record.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        match row(&layout, &record, line) {
            Ok(entry) if !ids.take(&entry.id) => imported.warnings.push(warning(
                line,
                format!("id {:?} is already taken by an earlier row; the row is left out", entry.id),
            )),
            Ok(entry) => imported.entries.push(entry),
            Err(message) => imported.warnings.push(warning(line, format!("{message}; the row is left out"))),
        }
    }
    Ok(imported)
}

fn warning(line: u64, message: String) -> ImportWarning {
    ImportWarning { record: format!("line {line}"), message }
}

fn csv_error(error: &::csv::Error, lines: &mut Lines<'_>) -> ImportError {
    ImportError::Csv { line: lines.line(error.position()), message: error.to_string() }
}

fn layout(header: &::csv::StringRecord, warnings: &mut Vec<ImportWarning>) -> Result<Layout, ImportError> {
    let mut layout = Layout { width: header.len(), ..Layout::default() };
    let mut value = None;
    for (index, column) in header.iter().enumerate() {
        let name = column.trim().to_ascii_lowercase();
        let slot = match name.as_str() {
            "id" => &mut layout.id,
            "kind" => &mut layout.kind,
            "value" => &mut value,
            "aliases" => &mut layout.aliases,
            "severity" => &mut layout.severity,
            "note" => &mut layout.note,
            _ => {
                warnings
                    .push(warning(1, format!("column {column:?} is not one of {COLUMNS:?}; it is ignored")));
                continue;
            }
        };
        if slot.is_some() {
            return Err(ImportError::WrongShape {
                expected: "a watchlist CSV",
                message: format!("the header (line 1) names the column {name:?} twice"),
            });
        }
        *slot = Some(index);
    }
    layout.value = value.ok_or_else(|| ImportError::WrongShape {
        expected: "a watchlist CSV",
        message: format!(
            "the header (line 1) has no \"value\" column; the columns are {}",
            COLUMNS.join(",")
        ),
    })?;
    Ok(layout)
}

fn row(layout: &Layout, record: &::csv::StringRecord, line: u64) -> Result<Entry, String> {
    if record.len() > layout.width {
        return Err(format!(
            "{} fields but the header names {} columns (an unquoted comma?)",
            record.len(),
            layout.width
        ));
    }
    let field = |column: Option<usize>| column.and_then(|index| record.get(index)).unwrap_or("").trim();
    let value = field(Some(layout.value));
    if value.is_empty() {
        return Err("the value is empty".to_owned());
    }
    let severity_text = field(layout.severity);
    let severity = Severity::parse(severity_text)
        .ok_or_else(|| format!("severity {severity_text:?} is not one of low, medium, high, critical"))?;
    let aliases_text = field(layout.aliases);
    let kind_text = field(layout.kind).to_ascii_lowercase();
    let kind = match kind_text.as_str() {
        "" | "name" => {
            let mut aliases = AliasSet::new(value);
            aliases_text.split('|').for_each(|alias| aliases.add(alias));
            EntryKind::Name { name: value.to_owned(), aliases: aliases.into_vec() }
        }
        "indicator" => EntryKind::Indicator { value: value.to_owned() },
        "pattern" => EntryKind::Pattern { regex: value.to_owned() },
        "rule" => EntryKind::Rule { query: value.to_owned() },
        _ => {
            return Err(format!(
                "kind {:?} is not one of name, indicator, pattern, rule",
                field(layout.kind)
            ));
        }
    };
    if !aliases_text.is_empty() && !matches!(kind, EntryKind::Name { .. }) {
        return Err(format!("aliases are for names, not {kind_text}s"));
    }
    let id = match field(layout.id) {
        "" => format!("line {line}"),
        id => id.to_owned(),
    };
    Ok(Entry { id, kind, severity, note: field(layout.note).to_owned() })
}
