//! The UN Security Council consolidated list (`consolidated.xml`): `CONSOLIDATED_LIST` holding
//! `INDIVIDUALS/INDIVIDUAL` and `ENTITIES/ENTITY` records, read as a stream.

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::import::{
    AliasSet, IdSet, ImportError, ImportWarning, Imported, Lines, MAX_NOTE_CHARS, clip, collapse_whitespace,
    line_at, utf8_text,
};
use crate::watchlist::{Entry, EntryKind, Severity};

const ROOT: &str = "CONSOLIDATED_LIST";

/// Boilerplate that ends nearly every record's comments; left out of notes.
const INTERPOL_LINK: &str = "INTERPOL-UN Security Council Special Notice web link:";

/// Reads the UN Security Council consolidated list. One `Name` entry per individual and
/// entity: id = `REFERENCE_NUMBER` (e.g. `QDi.299`), name = the name parts, aliases = every
/// alias (low-quality ones too, counted in the note) and the name in its original script;
/// severity high. A record without a name is left out with a warning. Malformed XML, a
/// DOCTYPE (refused: entities could expand or read files) or another root element is an
/// error naming the line and byte.
pub fn un_consolidated(xml: &[u8]) -> Result<Imported, ImportError> {
    let text = utf8_text(xml)?;
    // Offsets from the reader count from the text, after any byte-order mark.
    let bom = xml.len() - text.len();
    let xml_error = |offset: u64, message: String| {
        let offset = offset + bom as u64;
        ImportError::Xml { line: line_at(xml, offset as usize), offset, message }
    };
    let mut reader = Reader::from_str(text);
    let mut imported = Imported::default();
    let mut ids = IdSet::default();
    let mut open: Vec<String> = Vec::new();
    let mut record: Option<Record> = None;
    let mut buffer = String::new();
    let mut saw_root = false;
    let mut record_lines = Lines::new(xml);
    loop {
        let position = reader.buffer_position();
        let event =
            reader.read_event().map_err(|error| xml_error(reader.error_position(), error.to_string()))?;
        match event {
            Event::DocType(_) => {
                let offset = position + bom as u64;
                return Err(ImportError::DocType { line: line_at(xml, offset as usize), offset });
            }
            Event::Start(start) => {
                let name = start.name().as_ref().to_owned();
                if open.is_empty() {
                    check_root(&name, &mut saw_root, line_at(xml, position as usize + bom))?;
                }
                let is_record = matches!(
                    (open.len(), open.get(1).map(String::as_str), name.as_str()),
                    (2, Some("INDIVIDUALS"), "INDIVIDUAL") | (2, Some("ENTITIES"), "ENTITY")
                );
                if is_record {
                    let line = record_lines.at(position as usize + bom);
                    record = Some(Record { element: name.clone(), line, ..Record::default() });
                }
                open.push(name);
                buffer.clear();
            }
            Event::Empty(start) => {
                if open.is_empty() {
                    let name = start.name().as_ref().to_owned();
                    check_root(&name, &mut saw_root, line_at(xml, position as usize + bom))?;
                }
                buffer.clear();
            }
            Event::End(_) => {
                let Some(name) = open.pop() else {
                    return Err(xml_error(position, "a closing tag with no element open".to_owned()));
                };
                if let Some(current) = record.as_mut() {
                    if open.len() == 2 {
                        // The record itself closes.
                        if let Some(finished) = record.take() {
                            finished.finish(&mut imported, &mut ids);
                        }
                    } else {
                        current.take_field(open.get(3..).unwrap_or_default(), &name, &buffer);
                    }
                }
                buffer.clear();
            }
            Event::Text(content) if open.is_empty() && !content.xml10_content().trim().is_empty() => {
                let line = line_at(xml, position as usize + bom);
                return Err(ImportError::WrongShape {
                    expected: "a UN consolidated list",
                    message: format!("text outside the root element at line {line}; expected <{ROOT}>"),
                });
            }
            Event::Text(content) if record.is_some() => buffer.push_str(&content.xml10_content()),
            Event::CData(content) if record.is_some() => buffer.push_str(&content),
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(character)) => character,
                    Ok(None) => match &*reference {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "apos" => '\'',
                        "quot" => '"',
                        other => {
                            let message = format!("undefined entity &{other};");
                            return Err(xml_error(position, message));
                        }
                    },
                    Err(error) => return Err(xml_error(position, error.to_string())),
                };
                if record.is_some() {
                    buffer.push(resolved);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some(name) = open.last() {
        let message = format!("the input ends inside <{name}>: truncated or an unclosed tag");
        return Err(xml_error(text.len() as u64, message));
    }
    if !saw_root {
        return Err(ImportError::WrongShape {
            expected: "a UN consolidated list",
            message: format!("no root element; expected <{ROOT}>"),
        });
    }
    Ok(imported)
}

/// The first top-level element must be the list's root, and it must be the only one.
fn check_root(name: &str, saw_root: &mut bool, line: u64) -> Result<(), ImportError> {
    if *saw_root {
        return Err(ImportError::WrongShape {
            expected: "a UN consolidated list",
            message: format!("a second top-level element <{name}> at line {line}"),
        });
    }
    if name != ROOT {
        return Err(not_un_list(name, line));
    }
    *saw_root = true;
    Ok(())
}

fn not_un_list(name: &str, line: u64) -> ImportError {
    ImportError::WrongShape {
        expected: "a UN consolidated list",
        message: format!("the root element is <{name}> (line {line}), not <{ROOT}>"),
    }
}

/// One `INDIVIDUAL` or `ENTITY` as it is read.
#[derive(Debug, Default)]
struct Record {
    element: String,
    line: u64,
    data_id: String,
    name_parts: [String; 4],
    list_type: String,
    reference: String,
    listed_on: String,
    original_script: Vec<String>,
    comments: String,
    /// (quality, alias name) of each alias with a name.
    aliases: Vec<(String, String)>,
    alias_quality: String,
    alias_name: String,
}

impl Record {
    /// Keeps the text of an element that just closed. `path` is the elements open between
    /// the record and it.
    fn take_field(&mut self, path: &[String], name: &str, text: &str) {
        let text = collapse_whitespace(text);
        let alias_element = format!("{}_ALIAS", self.element);
        match (path, name) {
            ([], "DATAID") => self.data_id = text,
            ([], "FIRST_NAME") => self.name_parts[0] = text,
            ([], "SECOND_NAME") => self.name_parts[1] = text,
            ([], "THIRD_NAME") => self.name_parts[2] = text,
            ([], "FOURTH_NAME") => self.name_parts[3] = text,
            ([], "UN_LIST_TYPE") => self.list_type = text,
            ([], "REFERENCE_NUMBER") => self.reference = text,
            ([], "LISTED_ON") => self.listed_on = text,
            ([], "NAME_ORIGINAL_SCRIPT") => self.original_script.push(text),
            ([], "COMMENTS1") => self.comments = text,
            ([], alias) if alias == alias_element => {
                let quality = std::mem::take(&mut self.alias_quality);
                let alias_name = std::mem::take(&mut self.alias_name);
                if !alias_name.is_empty() {
                    self.aliases.push((quality, alias_name));
                }
            }
            ([parent], "QUALITY") if *parent == alias_element => self.alias_quality = text,
            ([parent], "ALIAS_NAME") if *parent == alias_element => self.alias_name = text,
            _ => {}
        }
    }

    /// How warnings name the record: its reference, else its DATAID, else its line.
    fn label(&self) -> String {
        if !self.reference.is_empty() {
            format!("{} {}", self.element, self.reference)
        } else if !self.data_id.is_empty() {
            format!("{} DATAID {}", self.element, self.data_id)
        } else {
            format!("{} at line {}", self.element, self.line)
        }
    }

    fn finish(self, imported: &mut Imported, ids: &mut IdSet) {
        let label = self.label();
        let mut warn =
            |message: String| imported.warnings.push(ImportWarning { record: label.clone(), message });
        let full_name = self.name_parts.iter().filter(|part| !part.is_empty()).cloned().collect::<Vec<_>>();
        // Entities sometimes list two names in one, with their acronyms:
        // `COMPAGNIE ... (CAGL) ; GREAT LAKES ... (GLBC)`.
        let names = split_alias(&full_name.join(" "));
        let mut names = names.iter();
        let Some(name) = names.next() else {
            return warn("the record has no name; it is left out".to_owned());
        };
        let id = if !self.reference.is_empty() {
            self.reference.clone()
        } else if !self.data_id.is_empty() {
            warn(format!("no REFERENCE_NUMBER; the entry's id is DATAID-{}", self.data_id));
            format!("DATAID-{}", self.data_id)
        } else {
            warn(format!("no REFERENCE_NUMBER or DATAID; the entry's id is line-{}", self.line));
            format!("line-{}", self.line)
        };
        if !ids.take(&id) {
            return warn(format!("id {id:?} is already taken by an earlier record; the record is left out"));
        }
        let mut aliases = AliasSet::new(name);
        names.for_each(|other| aliases.add(other));
        let mut low_quality = 0;
        for (quality, alias) in &self.aliases {
            if quality.eq_ignore_ascii_case("low") {
                low_quality += 1;
            }
            for form in split_alias(alias) {
                aliases.add(&form);
            }
        }
        for original in &self.original_script {
            for form in split_alias(original) {
                aliases.add(&form);
            }
        }
        let note = self.note(low_quality);
        imported.entries.push(Entry {
            id,
            kind: EntryKind::Name { name: name.to_owned(), aliases: aliases.into_vec() },
            severity: Severity::High,
            note,
        });
    }

    fn note(&self, low_quality: usize) -> String {
        let mut note = String::from("UN");
        for part in [&self.list_type, &self.reference] {
            if !part.is_empty() {
                note.push(' ');
                note.push_str(part);
            }
        }
        if !self.listed_on.is_empty() {
            note.push_str(", listed ");
            note.push_str(&self.listed_on);
        }
        if low_quality > 0 {
            let of = self.aliases.len();
            note.push_str(&format!(", {low_quality} of {of} aliases low quality"));
        }
        let comments = match self.comments.find(INTERPOL_LINK) {
            Some(start) => {
                let after = &self.comments[start + INTERPOL_LINK.len()..];
                let link_end = after.find(char::is_whitespace).unwrap_or(after.len());
                format!("{}{}", &self.comments[..start], &after[link_end..])
            }
            None => self.comments.clone(),
        };
        let comments = clip(&comments, MAX_NOTE_CHARS);
        if !comments.is_empty() {
            note.push_str(": ");
            note.push_str(&comments);
        }
        note
    }
}

/// The names in one `ALIAS_NAME`: the list writes several as `a) X; Y b) Z` and gives
/// transliterations in parentheses, `أبو دعاء (Abu Du'a; Abu Duaa')`.
fn split_alias(text: &str) -> Vec<String> {
    let mut forms = Vec::new();
    for item in split_enumeration(text) {
        let mut outside = String::new();
        let mut inside = String::new();
        let mut depth = 0usize;
        for character in item.chars() {
            match character {
                '(' => {
                    depth += 1;
                    if depth == 1 {
                        continue;
                    }
                }
                ')' if depth > 0 => {
                    depth -= 1;
                    if depth == 0 {
                        inside.push(';');
                    }
                    continue;
                }
                _ => {}
            }
            // Parentheses within parentheses are remarks on a form: `(original script)`.
            match depth {
                0 => outside.push(character),
                1 => inside.push(character),
                _ => {}
            }
        }
        forms.extend(outside.split(';').chain(inside.split(';')).filter_map(clean_form));
    }
    forms
}

/// One form as a name: remarks around it dropped (`original script: ...`, `..., born 1 Jan.
/// 1953`, a stray `)`), and `None` for what is left empty or reads as a remark about documents
/// rather than a name (many words and a number).
fn clean_form(part: &str) -> Option<String> {
    let part = collapse_whitespace(part);
    let part = match part.get(..16) {
        Some(head) if head.eq_ignore_ascii_case("original script:") => &part[16..],
        _ => &part,
    };
    let part = part.split(", born ").next().unwrap_or(part);
    let part =
        without_remark(part).trim_matches(|c: char| c.is_whitespace() || matches!(c, ')' | '(' | ',' | ';'));
    let words = part.split_whitespace().count();
    if part.is_empty() || (words > 8 && part.chars().any(|c| c.is_ascii_digit())) {
        return None;
    }
    Some(part.to_owned())
}

/// A form without a trailing lowercase remark: `Ansar al-Mujahideen Network - sub-unit name`.
fn without_remark(form: &str) -> &str {
    match form.rsplit_once(" - ") {
        Some((head, remark))
            if remark.chars().all(|c| c.is_ascii_lowercase() || c == ' ' || c == '-')
                && !head.trim().is_empty() =>
        {
            head
        }
        _ => form,
    }
}

/// Splits `a) X b) Y` into `X` and `Y`; text without such markers is one item.
fn split_enumeration(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut items = Vec::new();
    let mut start = 0;
    let mut index = 0;
    while index + 1 < bytes.len() {
        let at_word_start = index == 0 || bytes[index - 1].is_ascii_whitespace();
        let is_marker = at_word_start
            && bytes[index].is_ascii_lowercase()
            && bytes[index + 1] == b')'
            && bytes.get(index + 2).is_none_or(u8::is_ascii_whitespace);
        if is_marker {
            items.push(&text[start..index]);
            start = index + 2;
            index += 2;
        } else {
            index += 1;
        }
    }
    items.push(&text[start..]);
    items.retain(|item| !item.trim().is_empty());
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_split_into_their_forms() {
        assert_eq!(split_alias("Azim Adhajani; Azim Agha-Jani"), ["Azim Adhajani", "Azim Agha-Jani"]);
        assert_eq!(
            split_alias("Mohammed Sabet; Mohammad Sabet b) M. Javad Kareemi Sabet; M. Jawad Karimi Sabet"),
            ["Mohammed Sabet", "Mohammad Sabet", "M. Javad Kareemi Sabet", "M. Jawad Karimi Sabet"]
        );
        assert_eq!(
            split_alias("أبو بكر البغدادي (Abu Bakr al-Baghdadi al-Husayni; Abu Bakr al-Baghdadi)"),
            ["أبو بكر البغدادي", "Abu Bakr al-Baghdadi al-Husayni", "Abu Bakr al-Baghdadi"]
        );
        assert_eq!(split_alias("a) Hajji Ahmad b) Hajji"), ["Hajji Ahmad", "Hajji"]);
        assert_eq!(split_alias("BUTEMBO AIRLINES (BAL)"), ["BUTEMBO AIRLINES", "BAL"]);
        assert_eq!(split_alias("unbalanced ) (paren"), ["unbalanced", "paren"]);
        assert_eq!(split_alias(") Abdelrahman al Dabissi"), ["Abdelrahman al Dabissi"]);
        assert_eq!(
            split_alias("(original script: Абу Мухаммад; Abu Muhammad)"),
            ["Абу Мухаммад", "Abu Muhammad"]
        );
        assert_eq!(
            split_alias(
                "Safia Farkash, born 1 Jan. 1953 (Oman passport no.03825239, date of issue 4 May 2014, expiry 3 May 2024.)"
            ),
            ["Safia Farkash"]
        );
        assert_eq!(
            split_alias(
                "Hay’at Tahrir al-Sham (HTS) (هيئة تحرير الشام (original script); Hayat Tahrir al-Sham)"
            ),
            ["Hay’at Tahrir al-Sham", "HTS", "هيئة تحرير الشام", "Hayat Tahrir al-Sham"]
        );
        assert_eq!(
            split_alias("شبكة أنصار المجاهدين (Ansar al-Mujahideen Network - sub-unit name)"),
            ["شبكة أنصار المجاهدين", "Ansar al-Mujahideen Network"]
        );
    }
}
