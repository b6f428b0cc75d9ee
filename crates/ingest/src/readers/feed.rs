//! RSS 2.0 and Atom feeds: one item per `<item>` or `<entry>`. Document type declarations are
//! refused outright, so no entity expansion or external fetch can happen.

use quick_xml::Reader;
use quick_xml::events::Event;
use serde_json::{Value, json};

use crate::readers::fields::parse_time;
use crate::readers::{ReadContext, html};
use crate::{Diagnostic, Location, Record};

#[derive(Default)]
struct Entry {
    start: u64,
    title: String,
    /// Atom titles may be HTML (`type="html"`); RSS titles are plain text.
    title_is_html: bool,
    link: Option<String>,
    summary: String,
    content: String,
    published: Option<String>,
    updated: Option<String>,
    id: Option<String>,
    authors: Vec<String>,
    categories: Vec<String>,
}

/// Which entry field the current text belongs to.
#[derive(Clone, Copy, PartialEq)]
enum Field {
    Title,
    Link,
    Summary,
    Content,
    Published,
    Updated,
    Id,
    Author,
    Category,
    Other,
}

fn field_of(local_name: &str, atom: bool) -> Field {
    match local_name {
        "title" => Field::Title,
        "link" if !atom => Field::Link,
        "description" | "summary" => Field::Summary,
        "content" | "encoded" => Field::Content,
        "pubDate" | "published" | "date" | "issued" => Field::Published,
        "updated" | "modified" => Field::Updated,
        "guid" | "id" => Field::Id,
        "creator" | "name" | "author" if !atom || local_name == "name" => Field::Author,
        "category" => Field::Category,
        _ => Field::Other,
    }
}

fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

pub(crate) fn parse_feed(context: &ReadContext, text: &str) -> Vec<Result<Record, Diagnostic>> {
    let mut results = Vec::new();
    let reject =
        |offset: u64, message: String| Err(Diagnostic::new(&context.input, Location::Byte(offset), message));
    let mut reader = Reader::from_str(text);
    let mut entry: Option<Entry> = None;
    let mut field_stack: Vec<Field> = Vec::new();
    let mut atom = false;
    let mut saw_root = false;
    let mut index = 0u64;
    loop {
        let position = reader.buffer_position();
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(error) => {
                results.push(reject(reader.error_position(), format!("malformed XML: {error}")));
                return results;
            }
        };
        match event {
            Event::DocType(_) => {
                results.push(reject(position, "DOCTYPE not allowed in feeds".to_owned()));
                return results;
            }
            Event::Start(start) => {
                let name = local(start.name().as_ref()).to_owned();
                if !saw_root {
                    saw_root = true;
                    atom = name == "feed";
                    if name != "rss" && name != "feed" && name != "RDF" {
                        results.push(reject(
                            position,
                            format!("not an RSS or Atom feed: root element <{name}>"),
                        ));
                        return results;
                    }
                }
                if (name == "item" || name == "entry") && entry.is_none() {
                    entry = Some(Entry { start: position, ..Entry::default() });
                    field_stack.clear();
                    continue;
                }
                if let Some(current) = entry.as_mut() {
                    if atom && name == "link" {
                        take_atom_link(&start, current);
                    }
                    if atom && name == "title" {
                        current.title_is_html = start.attributes().flatten().any(|attribute| {
                            attribute.key.as_ref() == "type" && matches!(&*attribute.value, "html" | "xhtml")
                        });
                    }
                    let parent = field_stack.last().copied();
                    let field = match parent {
                        Some(Field::Author) | None | Some(Field::Other) => field_of(&name, atom),
                        Some(other) => other,
                    };
                    field_stack.push(field);
                }
            }
            Event::Empty(start) => {
                if let Some(current) = entry.as_mut()
                    && atom
                    && local(start.name().as_ref()) == "link"
                {
                    take_atom_link(&start, current);
                }
            }
            Event::End(end) => {
                let name = local(end.name().as_ref()).to_owned();
                if (name == "item" || name == "entry") && field_stack.is_empty() {
                    if let Some(finished) = entry.take() {
                        index += 1;
                        let end_offset = reader.buffer_position();
                        let raw = text.as_bytes()[finished.start as usize..end_offset as usize].to_vec();
                        results.push(into_record(context, finished, index, raw, atom));
                    }
                } else {
                    field_stack.pop();
                }
            }
            Event::Text(content) => append(&mut entry, &field_stack, &content.xml10_content()),
            Event::CData(content) => append(&mut entry, &field_stack, &content),
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(character)) => character.to_string(),
                    _ => match &*reference {
                        "lt" => "<".to_owned(),
                        "gt" => ">".to_owned(),
                        "amp" => "&".to_owned(),
                        "apos" => "'".to_owned(),
                        "quot" => "\"".to_owned(),
                        other => format!("&{other};"),
                    },
                };
                append(&mut entry, &field_stack, &resolved);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_root {
        results.push(reject(0, "empty feed: no root element".to_owned()));
    } else if entry.is_some() {
        results.push(reject(text.len() as u64, "feed ends inside an entry: truncated".to_owned()));
    }
    results
}

fn take_atom_link(start: &quick_xml::events::BytesStart<'_>, entry: &mut Entry) {
    let mut href = None;
    let mut alternate = true;
    for attribute in start.attributes().flatten() {
        let value = attribute
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map(|v| v.into_owned())
            .unwrap_or_default();
        match attribute.key.as_ref() {
            "href" => href = Some(value),
            "rel" => alternate = value == "alternate",
            _ => {}
        }
    }
    if alternate && entry.link.is_none() {
        entry.link = href;
    }
}

fn append(entry: &mut Option<Entry>, stack: &[Field], text: &str) {
    let (Some(entry), Some(field)) = (entry.as_mut(), stack.last()) else {
        return;
    };
    let push = |target: &mut String| target.push_str(text);
    match field {
        Field::Title => push(&mut entry.title),
        Field::Link => push(entry.link.get_or_insert_with(String::new)),
        Field::Summary => push(&mut entry.summary),
        Field::Content => push(&mut entry.content),
        Field::Published => push(entry.published.get_or_insert_with(String::new)),
        Field::Updated => push(entry.updated.get_or_insert_with(String::new)),
        Field::Id => push(entry.id.get_or_insert_with(String::new)),
        Field::Author => {
            if !text.trim().is_empty() {
                entry.authors.push(text.trim().to_owned());
            }
        }
        Field::Category => {
            if !text.trim().is_empty() {
                entry.categories.push(text.trim().to_owned());
            }
        }
        Field::Other => {}
    }
}

fn into_record(
    context: &ReadContext,
    entry: Entry,
    index: u64,
    raw: Vec<u8>,
    atom: bool,
) -> Result<Record, Diagnostic> {
    let markup = if entry.content.trim().is_empty() { &entry.summary } else { &entry.content };
    let body = html::visible_text(markup).1;
    let title = if entry.title_is_html {
        html::collapse_whitespace(&html::visible_text(&entry.title).1)
    } else {
        html::collapse_whitespace(&entry.title)
    };
    if body.is_empty() && title.is_empty() {
        return Err(Diagnostic::new(
            &context.input,
            Location::Entry { index, offset: entry.start },
            "entry has neither title nor text",
        ));
    }
    let mut record = Record {
        body: if body.is_empty() { title.clone() } else { body },
        title: (!title.is_empty()).then_some(title),
        event_time: entry.published.as_deref().or(entry.updated.as_deref()).and_then(parse_time),
        ..Record::default()
    };
    let mut put = |key: &str, value: Value| {
        record.attributes.insert(key.to_owned(), value);
    };
    if let Some(link) = entry.link.map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()) {
        put("url", json!(link));
    }
    if let Some(id) = entry.id.map(|i| i.trim().to_owned()).filter(|i| !i.is_empty()) {
        put("entry_id", json!(id));
    }
    if !entry.authors.is_empty() {
        put("authors", json!(entry.authors));
    }
    if !entry.categories.is_empty() {
        put("categories", json!(entry.categories));
    }
    let media_type = if atom { "application/atom+xml" } else { "application/rss+xml" };
    record.raw = Some((raw, media_type));
    Ok(record)
}
