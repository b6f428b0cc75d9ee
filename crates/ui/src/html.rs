//! Markup that is escaped by construction.
//!
//! [`Html`] is the only way pages write markup. Text and attribute values are always escaped;
//! tag and attribute names are `&'static str`, so they come from this crate's code and never
//! from data. Attributes that can run script or load something (`on*`, `style`, `href`, `src`,
//! `action`, `srcdoc`...) cannot be written as plain attributes: links take an [`Href`], which
//! is either a path of this server built from percent-encoded segments or an `http(s)` URL, and
//! nothing else.

use std::fmt::Write as _;

/// A document being written. Every method escapes what it is given.
#[derive(Debug, Default)]
pub struct Html {
    out: String,
}

/// A link target: a path of this server, or an `http(s)` URL checked by [`Href::external`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Href(String);

impl Href {
    /// A fixed path of this server, such as `/alerts` (from code, never from data).
    pub fn fixed(path: &'static str) -> Href {
        debug_assert!(path.starts_with('/') && !path.starts_with("//"), "{path} is not a local path");
        if path.starts_with('/') && !path.starts_with("//") {
            Href(path.to_owned())
        } else {
            Href("/".to_owned())
        }
    }

    /// A path of this server from segments, each percent-encoded: `["items", id]` is
    /// `/items/<id>`. A segment cannot add a `/`, a `?` or a scheme.
    pub fn path(segments: &[&str]) -> Href {
        let mut out = String::new();
        for segment in segments {
            out.push('/');
            percent_encode_into(&mut out, segment);
        }
        if out.is_empty() {
            out.push('/');
        }
        Href(out)
    }

    /// This link with query parameters added, names and values percent-encoded.
    pub fn query(mut self, pairs: &[(&str, &str)]) -> Href {
        for (index, (name, value)) in pairs.iter().enumerate() {
            self.0.push(if index == 0 && !self.0.contains('?') { '?' } else { '&' });
            percent_encode_into(&mut self.0, name);
            self.0.push('=');
            percent_encode_into(&mut self.0, value);
        }
        self
    }

    /// An outside link, only if it is an absolute `http` or `https` URL with a host and no
    /// whitespace or control characters. `javascript:`, `data:`, `vbscript:`, relative and
    /// protocol-relative URLs are `None`: they are shown as text, never made clickable.
    pub fn external(url: &str) -> Option<Href> {
        let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
        let rest = if lower.starts_with("https://") {
            &url[8..]
        } else if lower.starts_with("http://") {
            &url[7..]
        } else {
            return None;
        };
        let host_ok = rest.chars().next().is_some_and(|c| c.is_alphanumeric() || c == '[');
        let clean = !url.chars().any(|c| c.is_whitespace() || c.is_control() || c == '\\');
        (host_ok && clean && url.len() <= 4096).then(|| Href(url.to_owned()))
    }

    /// The link as written in the attribute (before escaping).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this link leaves the server.
    pub fn is_external(&self) -> bool {
        !self.0.starts_with('/')
    }
}

/// Attributes that may not be written from a plain value: script, style, and anything that
/// loads or navigates (those take an [`Href`]). SVG is written with the same methods (its tag and
/// attribute names are `&'static str` like any other), so SVG's own ways in are here too:
/// `xlink:href`, and `attributeName`, with which an animation element sets another attribute
/// (an `href` to `javascript:`) from its `values`/`to`.
fn forbidden_attribute(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("on")
        || matches!(
            lower.as_str(),
            "style"
                | "href"
                | "src"
                | "srcset"
                | "srcdoc"
                | "action"
                | "formaction"
                | "xlink:href"
                | "data"
                | "poster"
                | "background"
                | "codebase"
                | "http-equiv"
                | "attributename"
        )
}

/// Percent-encodes everything but the unreserved characters of RFC 3986.
fn percent_encode_into(out: &mut String, text: &str) {
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
}

/// Escapes text for HTML text and double- or single-quoted attribute values. NUL becomes
/// U+FFFD, as a browser would read it.
pub fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\0' => out.push('\u{FFFD}'),
            other => out.push(other),
        }
    }
}

/// Whether `c` is a character that is not seen but changes what is seen: controls (but tab and
/// line ends), bidirectional overrides, isolates and marks (`U+202E` turns `gpj.exe` into what
/// reads as `exe.jpg`), zero-width and other invisible characters (`pay\u{200B}pal.com` looks
/// like `paypal.com`), Hangul fillers and Unicode tag characters (text hidden from readers).
/// Shared intelligence is written by adversaries, so pages never show these raw.
pub fn is_hidden_char(c: char) -> bool {
    matches!(c,
        '\0'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{7F}'..='\u{9F}'
        | '\u{AD}' | '\u{34F}' | '\u{61C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF9}'..='\u{FFFB}'
        | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E007F}')
}

/// `text` with every [hidden character](is_hidden_char) written as a visible escape,
/// `\u{202E}` (Rust's notation: unambiguous, and what an analyst pastes into a query).
pub fn visible_escapes(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_hidden_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_hidden_char(c) {
            let _ = write!(out, "\\u{{{:X}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `text`, escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

impl Html {
    /// An empty document.
    pub fn new() -> Html {
        Html { out: String::with_capacity(16 * 1024) }
    }

    /// The markup written.
    pub fn into_string(self) -> String {
        self.out
    }

    /// Fixed markup from this crate's code (a doctype): never data.
    pub fn fixed(&mut self, markup: &'static str) -> &mut Html {
        self.out.push_str(markup);
        self
    }

    /// Text, escaped; each [hidden character](is_hidden_char) is shown as its escape
    /// (`\u{202E}`) in a `<span class="ctl">` that flags it, never raw.
    pub fn text(&mut self, text: &str) -> &mut Html {
        let mut rest = text;
        while let Some((at, hidden)) = rest.char_indices().find(|&(_, c)| is_hidden_char(c)) {
            escape_into(&mut self.out, rest.get(..at).unwrap_or_default());
            let code = u32::from(hidden);
            let _ = write!(
                self.out,
                "<span class=\"ctl\" title=\"hidden character U+{code:04X} in the data\">\\u{{{code:X}}}</span>"
            );
            rest = rest.get(at + hidden.len_utf8()..).unwrap_or_default();
        }
        escape_into(&mut self.out, rest);
        self
    }

    /// A number or other `Display` value from code, escaped all the same.
    pub fn display(&mut self, value: impl std::fmt::Display) -> &mut Html {
        self.text(&value.to_string())
    }

    fn open(
        &mut self,
        tag: &'static str,
        link: Option<(&'static str, &Href)>,
        attrs: &[(&'static str, &str)],
    ) {
        self.out.push('<');
        self.out.push_str(tag);
        if let Some((name, href)) = link {
            self.attr(name, href.as_str());
            if href.is_external() && tag == "a" {
                self.attr("rel", "noopener noreferrer");
                self.attr("target", "_blank");
            }
        }
        for (name, value) in attrs {
            if forbidden_attribute(name) {
                debug_assert!(false, "attribute {name} must not take a plain value");
                continue;
            }
            self.attr(name, value);
        }
        self.out.push('>');
    }

    fn attr(&mut self, name: &'static str, value: &str) {
        self.out.push(' ');
        self.out.push_str(name);
        self.out.push_str("=\"");
        escape_into(&mut self.out, value);
        self.out.push('"');
    }

    /// An element with attributes and content.
    pub fn el(
        &mut self,
        tag: &'static str,
        attrs: &[(&'static str, &str)],
        content: impl FnOnce(&mut Html),
    ) -> &mut Html {
        self.open(tag, None, attrs);
        content(self);
        self.close(tag);
        self
    }

    /// An element holding only text. A `textarea` holds it exactly (escaped for HTML only), so
    /// that an edit form sends back the stored value unchanged; `title` and `option` cannot
    /// hold markup, so their hidden characters are written as escapes without the flag.
    pub fn el_text(&mut self, tag: &'static str, attrs: &[(&'static str, &str)], text: &str) -> &mut Html {
        self.el(tag, attrs, |h| match tag {
            "textarea" => escape_into(&mut h.out, text),
            "title" | "option" => escape_into(&mut h.out, &visible_escapes(text)),
            _ => {
                h.text(text);
            }
        })
    }

    /// An HTML void element (`input`, `meta`, `br`...): no content, no end tag. Not for SVG:
    /// see [`Html::svg_leaf`].
    pub fn void(&mut self, tag: &'static str, attrs: &[(&'static str, &str)]) -> &mut Html {
        self.open(tag, None, attrs);
        self
    }

    /// An SVG element without content (`rect`, `line`, `circle`). Inside `<svg>` the HTML parser
    /// reads foreign content, where a start tag without an end tag stays open and swallows what
    /// follows (a `<line>` would hold the rest of the drawing), so it is written with its end tag.
    pub fn svg_leaf(&mut self, tag: &'static str, attrs: &[(&'static str, &str)]) -> &mut Html {
        self.el(tag, attrs, |_| {})
    }

    /// An element whose link attribute (`href`, `src`, `action`) is `href`. Outside links get
    /// `rel="noopener noreferrer"`.
    pub fn linked(
        &mut self,
        tag: &'static str,
        link_attr: &'static str,
        href: &Href,
        attrs: &[(&'static str, &str)],
        content: impl FnOnce(&mut Html),
    ) -> &mut Html {
        debug_assert!(matches!(link_attr, "href" | "src" | "action"));
        self.open(tag, Some((link_attr, href)), attrs);
        content(self);
        self.close(tag);
        self
    }

    /// `<a href>` around `text`.
    pub fn link(&mut self, href: &Href, attrs: &[(&'static str, &str)], text: &str) -> &mut Html {
        self.linked("a", "href", href, attrs, |h| {
            h.text(text);
        })
    }

    /// A URL from data: a link if it is `http(s)`, otherwise inert text.
    pub fn url_from_data(&mut self, url: &str) -> &mut Html {
        match Href::external(url) {
            Some(href) => self.link(&href, &[("class", "ext")], url),
            None => self.el_text(
                "span",
                &[("class", "inert-url"), ("title", "not a web link: not clickable")],
                url,
            ),
        }
    }

    /// A void element with a link attribute (`<link href>`).
    pub fn void_linked(
        &mut self,
        tag: &'static str,
        link_attr: &'static str,
        href: &Href,
        attrs: &[(&'static str, &str)],
    ) -> &mut Html {
        self.open(tag, Some((link_attr, href)), attrs);
        self
    }

    fn close(&mut self, tag: &'static str) {
        self.out.push_str("</");
        self.out.push_str(tag);
        self.out.push('>');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_attributes_are_escaped() {
        let mut h = Html::new();
        h.el("p", &[("title", "\"><script>alert(1)</script>")], |h| {
            h.text("<img src=x onerror=alert(1)>&'");
        });
        assert_eq!(
            h.into_string(),
            "<p title=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\">&lt;img src=x onerror=alert(1)&gt;&amp;&#39;</p>"
        );
    }

    /// Hidden characters in text: (input, expected markup).
    #[test]
    fn hidden_characters_are_shown_as_flagged_escapes() {
        let flag = |code: &str| {
            format!(
                "<span class=\"ctl\" title=\"hidden character U+{code:0>4} in the data\">\\u{{{code}}}</span>"
            )
        };
        let cases = [
            ("plain text\twith\nlines", "plain text\twith\nlines".to_owned()),
            ("\u{202E}gpj.exe", format!("{}gpj.exe", flag("202E"))),
            ("pay\u{200B}pal.com", format!("pay{}pal.com", flag("200B"))),
            ("a\u{200D}b\u{200C}c", format!("a{}b{}c", flag("200D"), flag("200C"))),
            ("nul\0here", format!("nul{}here", flag("0"))),
            ("esc\u{1B}[31m<b>", format!("esc{}[31m&lt;b&gt;", flag("1B"))),
            ("\u{2066}iso\u{2069}", format!("{}iso{}", flag("2066"), flag("2069"))),
            ("tag\u{E0041}", format!("tag{}", flag("E0041"))),
            ("p\u{430}ypal.com", "p\u{430}ypal.com".to_owned()),
        ];
        for (input, expected) in cases {
            let mut h = Html::new();
            h.text(input);
            assert_eq!(h.into_string(), expected, "{input:?}");
        }
    }

    /// A textarea gives an edit form the stored value back unchanged; a title shows escapes.
    #[test]
    fn textarea_round_trips_and_title_shows_escapes() {
        let mut h = Html::new();
        h.el_text("textarea", &[], "a\u{202E}b").el_text("title", &[], "a\u{202E}b");
        assert_eq!(h.into_string(), "<textarea>a\u{202E}b</textarea><title>a\\u{202E}b</title>");
    }

    #[test]
    fn only_http_links_are_external_links() {
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox",
            "//evil.example/x",
            "/local",
            "http://",
            "http:// evil.example",
            "https://evil.example/\u{0}x",
            "http:\\\\evil.example",
        ] {
            assert_eq!(Href::external(bad), None, "{bad:?}");
        }
        for good in ["http://example.org/a?b=c", "HTTPS://example.org", "https://[2001:db8::1]/"] {
            assert!(Href::external(good).is_some(), "{good:?}");
        }
    }

    #[test]
    fn paths_cannot_be_turned_into_other_urls() {
        assert_eq!(Href::path(&["entities", "a/b?c=d#e"]).as_str(), "/entities/a%2Fb%3Fc%3Dd%23e");
        assert_eq!(
            Href::path(&["items", "javascript:alert(1)"]).as_str(),
            "/items/javascript%3Aalert%281%29"
        );
        assert_eq!(
            Href::fixed("/search").query(&[("q", "a b&c=\"d\"")]).as_str(),
            "/search?q=a%20b%26c%3D%22d%22"
        );
    }

    #[test]
    fn attributes_that_run_load_or_retarget_are_refused_as_plain_values() {
        let cases = [
            ("onload", true),
            ("ONMOUSEOVER", true),
            ("style", true),
            ("href", true),
            ("xlink:href", true),
            ("attributeName", true),
            ("srcdoc", true),
            ("formaction", true),
            ("class", false),
            ("viewBox", false),
            ("cx", false),
            ("text-anchor", false),
            ("data-country", false),
        ];
        for (name, refused) in cases {
            assert_eq!(forbidden_attribute(name), refused, "{name}");
        }
    }

    #[test]
    fn data_urls_are_inert_text() {
        let mut h = Html::new();
        h.url_from_data("javascript:alert(1)").url_from_data("https://example.org/<x>");
        let out = h.into_string();
        assert!(!out.contains("href=\"javascript"), "{out}");
        assert!(out.contains(
            "<a href=\"https://example.org/&lt;x&gt;\" rel=\"noopener noreferrer\" target=\"_blank\" class=\"ext\">"
        ));
    }
}
