//! E-mails as an mbox file (mboxrd quoting, `\n` line ends).

use std::io::{self, Write};

use super::mime;
use crate::clock;
use crate::records::{MailLayout, MailMessage};

/// Writes one message: the `From ` separator line, RFC 5322 headers, the MIME body, and an
/// empty line. Body lines that start with `From ` (after any number of `>`) get one more `>`,
/// the mboxrd rule, so that no body line can be read as a separator.
pub fn write_mbox_message(mail: &MailMessage, out: &mut dyn Write) -> io::Result<()> {
    let date = mail.date.as_second();
    writeln!(out, "From {} {}", mail.from_address, clock::asctime(date))?;
    let mut message = String::with_capacity(4096);
    message.push_str("From: ");
    if mail.from_name.is_ascii() {
        message.push_str(&format!("\"{}\"", mail.from_name));
    } else {
        message.push_str(&mime::header_words(mail.from_name));
    }
    message.push_str(&format!(" <{}>\n", mail.from_address));
    message.push_str(&format!("To: {}\n", mail.to));
    message.push_str(&format!("Subject: {}\n", mime::header_words(&mail.subject)));
    message.push_str(&format!("Date: {}\n", clock::rfc2822(date)));
    message.push_str(&format!("Message-ID: {}\n", mail.message_id));
    message.push_str("MIME-Version: 1.0\n");
    let boundary = format!("=_muninn_{}", mail.key.index);
    match mail.layout {
        MailLayout::Plain => {
            message.push_str("Content-Type: text/plain; charset=utf-8\n");
            message.push_str("Content-Transfer-Encoding: 8bit\n\n");
            message.push_str(&mail.body);
        }
        MailLayout::AlternativeQuotedPrintable | MailLayout::AlternativeBase64 => {
            let encoding = if mail.layout == MailLayout::AlternativeQuotedPrintable {
                Encoding::QuotedPrintable
            } else {
                Encoding::Base64
            };
            message.push_str(&format!("Content-Type: multipart/alternative; boundary=\"{boundary}\"\n\n"));
            message.push_str("This is a multi-part message in MIME format.\n");
            let html = html_of(&mail.body);
            for (media_type, text) in [("text/plain", mail.body.as_str()), ("text/html", &html)] {
                message.push_str(&format!("\n--{boundary}\n"));
                message.push_str(&format!("Content-Type: {media_type}; charset=utf-8\n"));
                encoded_part(text.as_bytes(), encoding, &mut message);
            }
            message.push_str(&format!("\n--{boundary}--\n"));
        }
        MailLayout::WithAttachment => {
            message.push_str(&format!("Content-Type: multipart/mixed; boundary=\"{boundary}\"\n\n"));
            message.push_str("This is a multi-part message in MIME format.\n");
            message.push_str(&format!("\n--{boundary}\n"));
            message.push_str("Content-Type: text/plain; charset=utf-8\n");
            encoded_part(mail.body.as_bytes(), Encoding::QuotedPrintable, &mut message);
            if let Some(attachment) = &mail.attachment {
                message.push_str(&format!("\n--{boundary}\n"));
                message.push_str(&format!(
                    "Content-Type: {}; name=\"{}\"\n",
                    attachment.content_type, attachment.filename
                ));
                message.push_str(&format!(
                    "Content-Disposition: attachment; filename=\"{}\"\n",
                    attachment.filename
                ));
                encoded_part(&attachment.content, Encoding::Base64, &mut message);
            }
            message.push_str(&format!("\n--{boundary}--\n"));
        }
    }
    if !message.ends_with('\n') {
        message.push('\n');
    }
    for line in message.lines() {
        if line.trim_start_matches('>').starts_with("From ") {
            out.write_all(b">")?;
        }
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")?;
    }
    // The empty line that ends a message in mbox.
    out.write_all(b"\n")
}

/// A content transfer encoding (RFC 2045).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    QuotedPrintable,
    Base64,
}

/// The transfer-encoding header, an empty line, and the encoded bytes. Quoted-printable is
/// only used for text, which is UTF-8; other bytes fall back to base64.
fn encoded_part(bytes: &[u8], encoding: Encoding, out: &mut String) {
    match std::str::from_utf8(bytes) {
        Ok(text) if encoding == Encoding::QuotedPrintable => {
            out.push_str("Content-Transfer-Encoding: quoted-printable\n\n");
            mime::quoted_printable(text, out);
        }
        _ => {
            out.push_str("Content-Transfer-Encoding: base64\n\n");
            mime::base64_lines(bytes, out);
        }
    }
    if out.ends_with('\n') {
        out.pop();
    }
}

/// The HTML alternative of a plain-text body: one paragraph per block of lines.
fn html_of(body: &str) -> String {
    let mut html = String::from("<html><body>\n");
    for paragraph in body.split("\n\n").filter(|block| !block.trim().is_empty()) {
        html.push_str("<p>");
        html.push_str(&escape_html(paragraph.trim()).replace('\n', "<br>\n"));
        html.push_str("</p>\n");
    }
    html.push_str("</body></html>\n");
    html
}

pub(crate) fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            other => escaped.push(other),
        }
    }
    escaped
}
