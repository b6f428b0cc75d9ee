//! HTML: the visible text only. Scripts, styles, templates and comments are dropped; block
//! elements become line breaks.

use html5gum::{Token, Tokenizer};

use crate::Record;

/// Elements whose content is never shown.
const HIDDEN: [&[u8]; 7] = [b"script", b"style", b"noscript", b"template", b"head", b"svg", b"iframe"];
/// Elements that start a new line of text.
const BLOCKS: [&[u8]; 22] = [
    b"p",
    b"div",
    b"br",
    b"li",
    b"ul",
    b"ol",
    b"tr",
    b"table",
    b"h1",
    b"h2",
    b"h3",
    b"h4",
    b"h5",
    b"h6",
    b"section",
    b"article",
    b"header",
    b"footer",
    b"blockquote",
    b"pre",
    b"hr",
    b"dd",
];

/// The visible text of an HTML document, and its `<title>`.
pub(crate) fn visible_text(html: &str) -> (Option<String>, String) {
    let mut text = String::with_capacity(html.len() / 2);
    let mut title = String::new();
    let mut hidden_depth: Vec<Vec<u8>> = Vec::new();
    let mut in_title = false;
    for Ok(token) in Tokenizer::new(html) {
        match token {
            Token::StartTag(tag) => {
                let name = tag.name.to_ascii_lowercase();
                if name == b"title" {
                    in_title = true;
                } else if HIDDEN.contains(&name.as_slice()) && !tag.self_closing {
                    hidden_depth.push(name);
                } else if hidden_depth.is_empty() && BLOCKS.contains(&name.as_slice()) {
                    text.push('\n');
                }
            }
            Token::EndTag(tag) => {
                let name = tag.name.to_ascii_lowercase();
                if name == b"title" {
                    in_title = false;
                } else if hidden_depth.last() == Some(&name) {
                    hidden_depth.pop();
                } else if hidden_depth.is_empty() && BLOCKS.contains(&name.as_slice()) {
                    text.push('\n');
                }
            }
            Token::String(content) => {
                let content = String::from_utf8_lossy(&content);
                if in_title {
                    title.push_str(&content);
                } else if hidden_depth.is_empty() {
                    text.push_str(&content);
                }
            }
            _ => {}
        }
    }
    let title = collapse_whitespace(&title);
    let body =
        text.lines().map(collapse_whitespace).filter(|line| !line.is_empty()).collect::<Vec<_>>().join("\n");
    ((!title.is_empty()).then_some(title), body)
}

/// Runs of whitespace become one space; ends are trimmed.
pub(crate) fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The charset an HTML document declares in a `<meta>` near its start, if any.
pub(crate) fn declared_charset(bytes: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(2048)]).to_ascii_lowercase();
    let start = head.find("charset=")? + "charset=".len();
    let value: String = head[start..]
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    (!value.is_empty()).then_some(value)
}

pub(crate) fn parse_html(html: &str, file_stem: &str) -> Record {
    let (title, body) = visible_text(html);
    Record {
        title: title.or_else(|| Some(file_stem.to_owned())),
        tlp: super::text::declared_tlp(&body),
        body,
        ..Record::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_visible_text_is_kept() {
        let html = r#"<!doctype html><html><head><title>Lazarus &amp; friends</title>
            <style>p { color: red }</style><script>var x = "<p>hidden</p>";</script></head>
            <body><h1>Report</h1><p>Lazarus Group used <b>198.51.100.7</b>.</p>
            <!-- a comment --><noscript>enable js</noscript><p>Second&nbsp;paragraph</p></body></html>"#;
        let (title, body) = visible_text(html);
        assert_eq!(title.as_deref(), Some("Lazarus & friends"));
        assert_eq!(body, "Report\nLazarus Group used 198.51.100.7.\nSecond paragraph");
    }

    #[test]
    fn charset_is_found_in_meta() {
        assert_eq!(declared_charset(b"<meta charset=\"windows-1251\">").as_deref(), Some("windows-1251"));
        assert_eq!(declared_charset(b"<p>no meta</p>"), None);
    }
}
