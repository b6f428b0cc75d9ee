//! Plain text and Markdown: one item per file.

use crate::Record;
use crate::readers::html;

/// How far into a document a `TLP:` label line is looked for.
const MARKING_LINES: usize = 5;

/// Plain text: the title is the first non-empty line when it is short; the body is the whole text.
pub(crate) fn parse_text(text: &str, file_stem: &str) -> Record {
    let first_line = text.lines().map(str::trim).find(|line| !line.is_empty());
    let title = match first_line {
        Some(line) if line.chars().count() <= 200 && !is_marking_line(line) => line.to_owned(),
        _ => file_stem.to_owned(),
    };
    Record {
        title: Some(title),
        body: text.trim().to_owned(),
        tlp: declared_tlp(text),
        event_time: declared_date(text),
        ..Record::default()
    }
}

/// A `Date: ...` line among the first lines of a note or report.
fn declared_date(text: &str) -> Option<muninn_model::Timestamp> {
    text.lines().take(MARKING_LINES + 3).find_map(|line| {
        let cleaned = line.trim_matches(|c: char| c == '*' || c == '_' || c.is_whitespace());
        let value = cleaned.get(..5).filter(|p| p.eq_ignore_ascii_case("date:")).map(|_| &cleaned[5..])?;
        crate::readers::fields::parse_time(value.trim_matches(|c: char| c == '*' || c.is_whitespace()))
    })
}

/// Markdown: the title is the first heading; the body keeps the Markdown source, which reads well
/// as text and keeps links.
pub(crate) fn parse_markdown(text: &str, file_stem: &str) -> Record {
    let heading = text.lines().map(str::trim).find_map(|line| {
        let stripped = line.trim_start_matches('#');
        (line.starts_with('#') && stripped.starts_with(' ')).then(|| stripped.trim().to_owned())
    });
    let mut record = parse_text(text, file_stem);
    if let Some(heading) = heading {
        record.title = Some(html::collapse_whitespace(&heading));
    }
    record
}

fn is_marking_line(line: &str) -> bool {
    line.trim_matches(|c: char| c == '*' || c == '_' || c.is_whitespace())
        .get(..4)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("tlp:"))
}

/// A `TLP:LABEL` line among the first lines of a document, as FIRST asks documents to carry it.
pub(crate) fn declared_tlp(text: &str) -> Option<muninn_model::Tlp> {
    text.lines().take(MARKING_LINES).find_map(|line| {
        let cleaned = line.trim_matches(|c: char| c == '*' || c == '_' || c == '#' || c.is_whitespace());
        if !is_marking_line(cleaned) {
            return None;
        }
        let label: String = cleaned.chars().take_while(|c| !c.is_whitespace()).collect();
        label.parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use muninn_model::Tlp;

    use super::*;

    #[test]
    fn markdown_title_and_marking() {
        let record = parse_markdown(
            "**TLP:AMBER+STRICT**\n\n# Sandworm note\nDate: 2026-01-05T10:00:00Z\n\nBody text.",
            "note-1",
        );
        assert_eq!(record.event_time.map(|t| t.to_string()).as_deref(), Some("2026-01-05T10:00:00Z"));
        assert_eq!(record.title.as_deref(), Some("Sandworm note"));
        assert_eq!(record.tlp, Some(Tlp::AmberStrict));
        let plain = parse_text("\n  A short first line\nmore", "file");
        assert_eq!(plain.title.as_deref(), Some("A short first line"));
        assert_eq!(plain.tlp, None);
    }
}
