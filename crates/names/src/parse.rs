//! Names parsed into parts: cleaning, comma inversion, splitting, romanisation and roles.

use muninn_text::{Script, fold, is_han, script_of, skeleton, skeleton::to_latin};
use serde::Serialize;

use crate::NameError;
use crate::phonetic::{abjad_skeleton, phonetic};

/// The longest name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 1000;

/// The most parts (words) a name may have.
pub const MAX_PARTS: usize = 32;

/// The longest romanised part compared, in bytes: longer parts are cut (bounded comparison).
pub const MAX_PART_BYTES: usize = 64;

/// Whether a name is a person's or an organisation's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NameKind {
    /// Decided by the name: an organisation when it has a legal-form word, else a person.
    #[default]
    Unknown,
    /// A person.
    Person,
    /// A company, group or other organisation.
    Organization,
}

/// What a part is in its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PartRole {
    /// A person's first name.
    Given,
    /// A person's name between the first and the family name.
    Middle,
    /// A person's family name (last, or before the comma of an inverted name).
    Family,
    /// A Russian-style patronymic (`-ovich`, `-evna`...).
    Patronymic,
    /// A one-letter part (`V.`).
    Initial,
    /// A word of an organisation's name.
    Word,
    /// `al-`, `bin`, `van`, `de`...: shown, not scored.
    Particle,
    /// `Mr`, `Dr`, `Sheikh`, `Mullah`...: shown, not scored.
    Honorific,
    /// `Ltd`, `LLC`, `GmbH`, `OOO`...: shown, not scored.
    LegalForm,
}

impl PartRole {
    /// Whether the part takes part in scoring and keys.
    pub fn is_significant(self) -> bool {
        !matches!(self, PartRole::Particle | PartRole::Honorific | PartRole::LegalForm)
    }

    /// The role's name.
    pub fn as_str(self) -> &'static str {
        match self {
            PartRole::Given => "given",
            PartRole::Middle => "middle",
            PartRole::Family => "family",
            PartRole::Patronymic => "patronymic",
            PartRole::Initial => "initial",
            PartRole::Word => "word",
            PartRole::Particle => "particle",
            PartRole::Honorific => "honorific",
            PartRole::LegalForm => "legal-form",
        }
    }
}

/// One part of a parsed name with its comparison forms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamePart {
    /// The part as written (cleaned of invisible characters; joined parts keep one space).
    pub original: String,
    /// Folded and romanised (`muninn_text::fold`, then `to_latin`, Han as pinyin), lowercase.
    pub latin: String,
    /// The consonant skeleton of `latin` (`muninn_text::skeleton`).
    pub skeleton: String,
    /// The phonetic code of the skeleton ([`crate::phonetic::phonetic`]).
    pub phonetic: String,
    /// The skeleton as Arabic script would write the word ([`crate::phonetic::abjad_skeleton`]):
    /// what a part compares by against a part written in Arabic or Hebrew script.
    pub abjad_skeleton: String,
    /// For a word in Arabic script that lost its article (`الفرز` → `frz`), its abjad
    /// skeleton with the article kept (`lfrz`): the article may be the name's own first
    /// letters ("Alvarez", "Alexander"). Empty otherwise.
    pub article_skeleton: String,
    /// Its role in the name.
    pub role: PartRole,
    /// Whether it was written in another script than Latin (it was transliterated).
    pub transliterated: bool,
    /// Whether that script writes no short vowels (Arabic, Persian, Hebrew): its romanised
    /// form is compared by its consonants.
    pub abjad: bool,
    /// For such a word, whether it begins with an alef, hamza or ayin (after its article): a
    /// vowel in other scripts, though only the alef romanises to one (`عمر` → `mr`, "Omar").
    pub vowel_initial: bool,
}

/// A name split into its parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParsedName {
    /// Person or organisation (never `Unknown` once parsed).
    pub kind: NameKind,
    /// The parts in reading order (given name first for inverted names).
    pub parts: Vec<NamePart>,
    /// Whether the name was written `FAMILY, GIVEN` and put back in order.
    pub inverted: bool,
}

impl ParsedName {
    /// The parts that are scored (not particles, honorifics or legal forms).
    pub fn significant(&self) -> impl Iterator<Item = &NamePart> {
        self.parts.iter().filter(|part| part.role.is_significant())
    }

    /// The romanised significant parts joined by spaces: the name as it is compared.
    pub fn normalised(&self) -> String {
        self.significant().map(|part| part.latin.as_str()).collect::<Vec<_>>().join(" ")
    }
}

/// Honorifics and titles, romanised and lowercase.
const HONORIFICS: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "prof",
    "sir",
    "sheikh",
    "shaikh",
    "sheik",
    "shaykh",
    "mullah",
    "mulla",
    "maulana",
    "mawlana",
    "maulvi",
    "mawlawi",
    "haji",
    "hajji",
    "hadji",
    "imam",
    "sayyid",
    "sayed",
    "general",
    "gen",
    "col",
    "colonel",
    "capt",
    "captain",
    "lt",
    "major",
    "admiral",
    "hon",
    "rev",
    "господин",
    "г",
];

/// Name particles (Arabic article and kinship words, Dutch, German, Romance particles).
const PARTICLES: &[&str] = &[
    "al", "el", "ul", "ad", "ar", "as", "ash", "at", "az", "an", "ud", "ur", "ut", "ath", "bin", "ben",
    "ibn", "bint", "binti", "abu", "abou", "abo", "umm", "ould", "van", "von", "vom", "der", "den", "de",
    "da", "di", "del", "della", "dos", "das", "du", "la", "le", "ter", "ten", "zu",
];

/// Particles that carry part of a name's identity (a kunya, a filiation): scored at half
/// weight instead of being ignored, see [`crate::score`].
pub(crate) const WEIGHTED_PARTICLES: &[&str] = &["abu", "abou", "abo", "umm", "bin", "ibn", "ben", "bint"];

/// Legal-form words, romanised and lowercase (`ооо` romanises to `ooo`).
const LEGAL_FORMS: &[&str] = &[
    "ltd",
    "llc",
    "gmbh",
    "ooo",
    "oao",
    "zao",
    "pao",
    "ao",
    "inc",
    "co",
    "corp",
    "corporation",
    "company",
    "jsc",
    "pjsc",
    "ojsc",
    "cjsc",
    "sa",
    "sarl",
    "sas",
    "ag",
    "plc",
    "bv",
    "nv",
    "srl",
    "spa",
    "limited",
    "incorporated",
    "llp",
    "lp",
    "kg",
    "fze",
    "fzco",
    "fzc",
    "fzllc",
    "pte",
    "pvt",
    "sdn",
    "bhd",
    "ltda",
    "lda",
    "tov",
    "ab",
    "oy",
    "kft",
    "doo",
    "sro",
    "est",
    "establishment",
];

/// First words of Arabic compound names, joined with the next word (and an article between):
/// "Abd al Rahman", "Abdul Hai" and "عبد الحی" are each one part.
const COMPOUND_FIRSTS: &[&str] =
    &["abd", "abdul", "abdel", "abdal", "abdol", "abdoul", "abdu", "abdur", "abdus"];

/// Parses a name into parts. `kind` may be [`NameKind::Unknown`]: a legal-form word as the
/// first or last part makes it an organisation, anything else a person.
pub fn parse_name(text: &str, kind: NameKind) -> Result<ParsedName, NameError> {
    let chars = text.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(NameError::TooLong { chars, max: MAX_NAME_CHARS });
    }
    let cleaned = clean(text);
    let (ordered, inverted) = uninvert(&cleaned);
    let mut raw = split(&ordered);
    if raw.is_empty() {
        return Err(NameError::Empty);
    }
    if raw.len() > MAX_PARTS {
        return Err(NameError::TooManyParts { parts: raw.len(), max: MAX_PARTS });
    }
    join_compounds(&mut raw);
    let mut parts: Vec<NamePart> = Vec::with_capacity(raw.len() + 1);
    for word in &raw {
        romanise_word(word, &mut parts);
    }
    let kind = decide_kind(kind, &parts);
    assign_roles(&mut parts, kind);
    Ok(ParsedName { kind, parts, inverted })
}

/// Control characters become spaces; format characters (zero-width space and joiners, bidi
/// marks, soft hyphen, byte-order mark) are removed, so they neither split nor hide a word.
fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            c if c.is_control() => out.push(' '),
            '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{FEFF}'
            | '\u{00AD}' => {}
            c => out.push(c),
        }
    }
    out
}

/// "FAMILY, GIVEN" put back as "GIVEN FAMILY" when there is exactly one comma and the part
/// after it is not a legal form ("Acme, Inc." stays as it is).
fn uninvert(text: &str) -> (String, bool) {
    let mut pieces = text.split(',');
    let (Some(before), Some(after), None) = (pieces.next(), pieces.next(), pieces.next()) else {
        return (text.replace(',', " "), false);
    };
    let has_word = |s: &str| s.chars().any(char::is_alphanumeric);
    let after_is_legal_form = split(after).iter().all(|word| LEGAL_FORMS.contains(&latin_of(word).as_str()));
    if !has_word(before) || !has_word(after) || after_is_legal_form {
        return (text.replace(',', " "), false);
    }
    (format!("{after} {before}"), true)
}

/// Whether a character is part of a word: letters, digits and combining marks.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c)
}

/// Apostrophes and their look-alikes join the letters around them ("Ma'ruf" is one word).
fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʻ' | 'ʼ' | '`' | '‘' | 'ʿ' | 'ʾ')
}

/// Splits into words: runs of word characters, apostrophes dropped; everything else separates.
fn split(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        if is_word_char(c) {
            current.push(c);
        } else if is_apostrophe(c) {
            continue;
        } else if !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// A word folded and romanised (before any cut), for word lists.
fn latin_of(word: &str) -> String {
    to_latin(&fold(word))
}

/// Joins Arabic compound names ("Abd al Rahman", "Abdul Hai", "عبد الحی") into one word.
fn join_compounds(words: &mut Vec<String>) {
    let mut index = 0;
    while index + 1 < words.len() {
        let folded = fold(&words[index]);
        let first = to_latin(&folded);
        if COMPOUND_FIRSTS.contains(&first.as_str()) || folded == "عبد" {
            let mut take = 1;
            let next = latin_of(&words[index + 1]);
            if muninn_text::is_particle(&next) && index + 2 < words.len() {
                take = 2;
            }
            let joined: String = words[index..=index + take].concat();
            words.splice(index..=index + take, [joined]);
        }
        index += 1;
    }
}

/// Romanises one word into one part, or two for a Chinese name written in Han characters
/// (the first character as the family name, the rest as the given name).
fn romanise_word(word: &str, parts: &mut Vec<NamePart>) {
    let script = script_of(word);
    if script == Script::Han && word.chars().all(is_han) {
        let syllables: Vec<String> = word.chars().map(han_syllable).collect();
        if syllables.len() >= 2 && syllables.len() <= 4 {
            let mut chars = word.chars();
            let family: String = chars.next().map(String::from).unwrap_or_default();
            parts.push(make_part(&family, syllables[0].clone(), true));
            parts.push(make_part(chars.as_str(), syllables[1..].concat(), true));
        } else {
            parts.push(make_part(word, syllables.concat(), true));
        }
        return;
    }
    // A Korean name written in Hangul without spaces (김정은): the first syllable is the family
    // name, and each syllable of the given name a part, as Latin renderings write them
    // ("Kim Jong Un", "Kim Jong-un"; "Yoon Suk Yeol").
    if !word.is_ascii()
        && word.chars().all(muninn_text::east_asian::is_hangul)
        && (2..=4).contains(&word.chars().count())
    {
        for syllable in word.chars() {
            let syllable = syllable.to_string();
            parts.push(make_part(&syllable, to_latin(&syllable), true));
        }
        return;
    }
    let folded = fold(word);
    let romanised = to_latin(&folded);
    let east_asian =
        word.chars().any(|c| muninn_text::east_asian::is_hangul(c) || muninn_text::east_asian::is_kana(c));
    parts.push(make_part(
        word,
        romanised,
        east_asian || (script != Script::Latin && script != Script::Other),
    ));
}

/// The plain pinyin of one Han character (its most common reading), or the character itself.
fn han_syllable(c: char) -> String {
    use pinyin::ToPinyin;
    match c.to_pinyin() {
        Some(syllable) => syllable.plain().to_owned(),
        None => c.to_string(),
    }
}

fn make_part(original: &str, mut latin: String, transliterated: bool) -> NamePart {
    if latin.is_empty() {
        latin = fold(original);
    }
    if latin.len() > MAX_PART_BYTES {
        let mut cut = MAX_PART_BYTES;
        while !latin.is_char_boundary(cut) {
            cut -= 1;
        }
        latin.truncate(cut);
    }
    let skeleton = skeleton(&latin);
    let phonetic = phonetic(&skeleton);
    let abjad =
        original.chars().any(|c| muninn_text::fold::is_arabic(c) || ('\u{0590}'..='\u{05FF}').contains(&c));
    let abjad_key = abjad_skeleton(&latin);
    let article_skeleton = if abjad { skeleton_with_article(original, &latin) } else { String::new() };
    let vowel_initial = abjad && {
        let folded = fold(original);
        let first = muninn_text::strip_arabic_article(&folded).chars().next();
        matches!(first, Some('ا' | 'ع' | 'ء' | 'ئ' | 'ؤ' | 'א' | 'ע'))
    };
    NamePart {
        original: original.to_owned(),
        latin,
        skeleton,
        phonetic,
        abjad_skeleton: abjad_key,
        article_skeleton,
        role: PartRole::Word,
        transliterated,
        abjad,
        vowel_initial,
    }
}

/// The abjad skeleton of an Arabic-script word with the article `to_latin` stripped put back,
/// or nothing when there was none.
fn skeleton_with_article(original: &str, latin: &str) -> String {
    let folded = fold(original);
    let stripped = muninn_text::strip_arabic_article(&folded);
    if stripped.len() == folded.len() {
        return String::new();
    }
    let article = to_latin(&folded[..folded.len() - stripped.len()]);
    abjad_skeleton(&format!("{article}{latin}"))
}

fn decide_kind(kind: NameKind, parts: &[NamePart]) -> NameKind {
    if kind != NameKind::Unknown {
        return kind;
    }
    let legal = |part: Option<&NamePart>| part.is_some_and(|p| LEGAL_FORMS.contains(&p.latin.as_str()));
    if parts.len() > 1 && (legal(parts.first()) || legal(parts.last())) {
        NameKind::Organization
    } else {
        NameKind::Person
    }
}

fn assign_roles(parts: &mut [NamePart], kind: NameKind) {
    let count = parts.len();
    for (index, part) in parts.iter_mut().enumerate() {
        let latin = part.latin.as_str();
        part.role = if count > 1 && HONORIFICS.contains(&latin) && kind == NameKind::Person {
            PartRole::Honorific
        } else if count > 1 && PARTICLES.contains(&latin) {
            PartRole::Particle
        } else if kind == NameKind::Organization
            && (index == 0 || index + 1 == count)
            && LEGAL_FORMS.contains(&latin)
        {
            PartRole::LegalForm
        } else if kind == NameKind::Organization {
            PartRole::Word
        } else if latin.chars().count() == 1 && !is_han_part(part) {
            PartRole::Initial
        } else if is_patronymic(latin) {
            PartRole::Patronymic
        } else {
            PartRole::Middle
        };
    }
    if kind != NameKind::Person {
        return;
    }
    // Given and family among the remaining parts: the first and the last of a name in reading
    // order (an inverted name was put in reading order already; its family name is last).
    let names: Vec<usize> = (0..count).filter(|&i| parts[i].role == PartRole::Middle).collect();
    let has_initials = parts.iter().any(|p| p.role == PartRole::Initial);
    if let (Some(&first), Some(&last)) = (names.first(), names.last()) {
        if is_han_part(&parts[first]) {
            // Chinese names put the family name first.
            parts[first].role = PartRole::Family;
            if last != first {
                parts[last].role = PartRole::Given;
            }
        } else if first == last && has_initials {
            parts[first].role = PartRole::Family;
        } else {
            parts[first].role = PartRole::Given;
            if last != first {
                parts[last].role = PartRole::Family;
            }
        }
    }
}

fn is_han_part(part: &NamePart) -> bool {
    part.original.chars().next().is_some_and(is_han)
}

fn is_patronymic(latin: &str) -> bool {
    latin.len() > 5
        && ["ovich", "evich", "ovna", "evna", "ichna", "oglu", "ogly", "kyzy"]
            .iter()
            .any(|s| latin.ends_with(s))
}
