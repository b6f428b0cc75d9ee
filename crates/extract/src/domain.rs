//! Host names: syntax, internationalised labels, the public suffix list, and the rules that
//! tell a domain from a file name.

use unicode_normalization::UnicodeNormalization;

use crate::punycode;

/// Top-level domains that are also common file extensions: `invoice.zip`, `setup.py`,
/// `README.md`. Outside a URL, and unless written defanged, a name ending in one of these is
/// taken for a file.
const FILE_EXTENSION_TLDS: &[&str] =
    &["zip", "mov", "py", "rs", "md", "sh", "pm", "mk", "tf", "one", "pub", "cab", "ps"];

/// Top-level domains that are file extensions too but carry many real hosts (`onet.pl`): a
/// name ending in one is taken for a file only when it has just two labels (`script.pl`).
const FILE_EXTENSION_TLDS_TWO_LABELS: &[&str] =
    &["pl", "so", "cc", "ml", "mo", "ms", "gs", "as", "sc", "cat"];

/// Labels that are file extensions but not top-level domains: a name with one of these before
/// its last label (`invoice.pdf.com`) is a double-extension file name, not a host.
const FILE_EXTENSIONS: &[&str] = &[
    "pdf", "doc", "docx", "docm", "xls", "xlsx", "xlsm", "ppt", "pptx", "exe", "dll", "js", "vbs", "ps1",
    "bat", "cmd", "lnk", "hta", "iso", "img", "rar", "7z", "tar", "gz", "txt", "rtf", "jpg", "jpeg", "png",
    "gif", "html", "htm", "scr", "msi", "jar", "apk", "bin", "dat", "tmp", "log", "csv", "json", "xml",
];

/// Reserved documentation and testing top-level domains (RFC 2606, RFC 6761), accepted when
/// [`crate::ExtractConfig::documentation_tlds`] is set.
const DOCUMENTATION_TLDS: &[&str] = &["example", "test"];

const MAX_DOMAIN_BYTES: usize = 253;
const MAX_LABEL_BYTES: usize = 63;

/// A host name that passed the syntax and suffix checks.
#[derive(Debug)]
pub(crate) struct Host {
    /// Lowercase, A-label form.
    pub(crate) ascii: String,
    /// Whether the name looks like a file name (see [`FILE_EXTENSION_TLDS`]).
    pub(crate) file_like: bool,
    /// Whether the last label was written capitalised with lowercase after (`System.Net`,
    /// `end.In`): code and sentence breaks, not hosts.
    pub(crate) capitalised_tld: bool,
}

/// Checks a candidate host name (labels of letters, digits and hyphens, Unicode letters
/// allowed) and returns its canonical form if it ends in a known public suffix.
pub(crate) fn host(raw: &str, documentation_tlds: bool) -> Option<Host> {
    // Four bytes per character at most, and no name longer than 253 bytes in A-label form is
    // valid: bounding the raw length first keeps the work per candidate small.
    if raw.len() > MAX_DOMAIN_BYTES * 4 || !raw.contains('.') {
        return None;
    }
    let mut ascii = String::with_capacity(raw.len());
    let mut labels = 0usize;
    let mut last_label = "";
    for label in raw.split('.') {
        if label.is_empty() || label.starts_with('-') || label.ends_with('-') {
            return None;
        }
        if labels > 0 {
            ascii.push('.');
        }
        labels += 1;
        if label.is_ascii() {
            if label.len() > MAX_LABEL_BYTES || !label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            {
                return None;
            }
            let start = ascii.len();
            ascii.extend(label.bytes().map(|b| char::from(b.to_ascii_lowercase())));
            if let Some(encoded) = ascii.get(start..).and_then(|lower| lower.strip_prefix("xn--")) {
                let decoded = punycode::decode(encoded)?;
                if decoded.is_ascii() || !decoded.chars().all(|c| c.is_alphanumeric() || c == '-') {
                    return None;
                }
            } else if label.get(2..4) == Some("--") {
                // Hyphens in the third and fourth places are reserved for such prefixes.
                return None;
            }
        } else {
            if label.chars().count() > MAX_LABEL_BYTES {
                return None;
            }
            let folded: String = label.chars().flat_map(char::to_lowercase).nfc().collect();
            if !folded.chars().all(|c| c.is_alphanumeric() || c == '-') {
                return None;
            }
            let encoded = punycode::encode(&folded)?;
            if encoded.len() + 4 > MAX_LABEL_BYTES {
                return None;
            }
            ascii.push_str("xn--");
            ascii.push_str(&encoded);
        }
        if looks_encoded(label) {
            return None;
        }
        last_label = label;
    }
    if labels < 2 || ascii.len() > MAX_DOMAIN_BYTES {
        return None;
    }
    let tld = ascii.rsplit('.').next().unwrap_or_default();
    if tld.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let known = if documentation_tlds && DOCUMENTATION_TLDS.contains(&tld) {
        true
    } else {
        match psl::suffix(ascii.as_bytes()) {
            Some(suffix) if suffix.is_known() => {
                // The whole name may be a suffix only when it is a privately run one
                // (`github.io`, `blogspot.com`): those are hosts too. `co.uk` is not.
                suffix.as_bytes().len() < ascii.len() || suffix.typ() == Some(psl::Type::Private)
            }
            _ => false,
        }
    };
    if !known {
        return None;
    }
    let file_like = FILE_EXTENSION_TLDS.contains(&tld)
        || (labels == 2 && FILE_EXTENSION_TLDS_TWO_LABELS.contains(&tld))
        || ascii.split('.').rev().skip(1).any(|label| FILE_EXTENSIONS.contains(&label));
    let mut tld_chars = last_label.chars();
    let capitalised_tld =
        tld_chars.next().is_some_and(char::is_uppercase) && tld_chars.any(char::is_lowercase);
    Some(Host { ascii, file_like, capitalised_tld })
}

/// A long label of mixed case with digits is base64 (a JWT's parts: `eyJhbGciOiJIUzI1NiJ9`),
/// not a host name: brand capitals (`PayPal.com`) come in short labels without digits.
fn looks_encoded(label: &str) -> bool {
    label.len() >= 16
        && label.bytes().any(|b| b.is_ascii_uppercase())
        && label.bytes().any(|b| b.is_ascii_lowercase())
        && label.bytes().any(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical(raw: &str) -> Option<String> {
        host(raw, true).map(|host| host.ascii)
    }

    #[test]
    fn suffixes_and_idn() {
        assert_eq!(canonical("Example.COM").as_deref(), Some("example.com"));
        assert_eq!(canonical("пример.рф").as_deref(), Some("xn--e1afmkfd.xn--p1ai"));
        assert_eq!(canonical("xn--e1afmkfd.xn--p1ai").as_deref(), Some("xn--e1afmkfd.xn--p1ai"));
        assert_eq!(canonical("ПРИМЕР.РФ").as_deref(), Some("xn--e1afmkfd.xn--p1ai"));
        assert_eq!(canonical("github.io").as_deref(), Some("github.io"));
        assert_eq!(canonical("bbc.co.uk").as_deref(), Some("bbc.co.uk"));
        assert_eq!(canonical("co.uk"), None);
        assert_eq!(canonical("readme.txt"), None);
        assert_eq!(canonical("config.json"), None);
        assert_eq!(canonical("2024.01.15"), None);
        assert_eq!(canonical("update-check.example").as_deref(), Some("update-check.example"));
        assert!(host("update-check.example", false).is_none());
        assert!(host("invoice.zip", true).is_some_and(|host| host.file_like));
        assert!(host("invoice.pdf.com", true).is_some_and(|host| host.file_like));
        assert!(host("System.Net", true).is_some_and(|host| host.capitalised_tld));
        assert_eq!(canonical("xn--abc-.com"), None);
        assert_eq!(canonical("a..com"), None);
        assert_eq!(canonical("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc"), None);
        assert_eq!(canonical("PayPal.com").as_deref(), Some("paypal.com"));
    }
}
