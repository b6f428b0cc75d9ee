//! The recursive-descent parser: boolean structure, groups, phrases and the colon rule.
//! Field values (ranges, comparisons, typed values) are in `fields.rs`.

use jiff::Timestamp;

use crate::word::{check_word, classify, field_name_len, is_delimiter, is_hex_groups, is_url};
use crate::{Field, MAX_DEPTH, MAX_QUERY_CHARS, Query, QueryError};

/// How much of a word an error message quotes.
const EXCERPT_CHARS: usize = 30;

/// Parses `input`; see [`crate::parse`].
pub(crate) fn parse(input: &str, now: Timestamp) -> Result<Query, QueryError> {
    if input.chars().nth(MAX_QUERY_CHARS).is_some() {
        return Err(QueryError::TooLong { position: MAX_QUERY_CHARS, limit: MAX_QUERY_CHARS });
    }
    let chars: Vec<char> = input.chars().collect();
    let control = chars.iter().enumerate().find(|(_, c)| c.is_control() && !c.is_whitespace());
    if let Some((position, c)) = control {
        return Err(QueryError::ControlCharacter { position, code: u32::from(*c) });
    }
    let mut parser = Parser { chars, pos: 0, now, depth: 0 };
    parser.skip_blanks();
    if parser.at_end() {
        return Ok(Query::All);
    }
    let query = parser.parse_or(None, None)?;
    parser.skip_blanks();
    if !parser.at_end() {
        // `parse_or` stops only at the end or at a `)`.
        return Err(QueryError::UnmatchedClose { position: parser.pos });
    }
    Ok(query)
}

/// What came before a clause, as error messages name it: `Some("'AND'")`.
type After = Option<&'static str>;

/// The parser's state: the query as characters (positions are character indices), the cursor,
/// the caller's clock and the current nesting depth.
pub(crate) struct Parser {
    pub(crate) chars: Vec<char>,
    pub(crate) pos: usize,
    pub(crate) now: Timestamp,
    depth: usize,
}

impl Parser {
    /// `or := and ("OR" and)*`. `scope` is the field of an enclosing `field:( )` group.
    fn parse_or(&mut self, scope: Option<Field>, after: After) -> Result<Query, QueryError> {
        let mut clauses = vec![self.parse_and(scope, after)?];
        loop {
            self.skip_blanks();
            if !self.at_keyword("OR") {
                return Ok(Query::or(clauses));
            }
            self.pos += 2;
            clauses.push(self.parse_and(scope, Some("'OR'"))?);
        }
    }

    /// `and := unary (("AND")? unary)*`: adjacent clauses are joined by AND.
    fn parse_and(&mut self, scope: Option<Field>, after: After) -> Result<Query, QueryError> {
        let mut clauses = vec![self.parse_unary(scope, after)?];
        loop {
            self.skip_blanks();
            if self.at_end() || self.peek() == Some(')') || self.at_keyword("OR") {
                return Ok(Query::and(clauses));
            }
            if self.at_keyword("AND") {
                self.pos += 3;
                clauses.push(self.parse_unary(scope, Some("'AND'"))?);
            } else {
                clauses.push(self.parse_unary(scope, None)?);
            }
        }
    }

    /// `unary := "NOT" unary | "-" primary | "+" primary | primary`. NOTs are counted in a
    /// loop rather than by recursion, and count towards the depth limit.
    fn parse_unary(&mut self, scope: Option<Field>, after: After) -> Result<Query, QueryError> {
        let depth_before = self.depth;
        let mut after = after;
        let mut negations = 0;
        self.skip_blanks();
        while self.at_keyword("NOT") {
            self.enter(self.pos)?;
            negations += 1;
            self.pos += 3;
            self.skip_blanks();
            after = Some("'NOT'");
        }
        let mut query = match self.peek() {
            Some(sign @ ('-' | '+')) => {
                let sign_position = self.pos;
                let next = self.peek_at(sign_position + 1);
                if next.is_none_or(|c| c.is_whitespace() || matches!(c, ')' | '-' | '+')) {
                    let expected = format!("a word, phrase or '(' right after '{sign}'");
                    return Err(self.expected(sign_position + 1, expected));
                }
                self.pos += 1;
                if sign == '-' {
                    self.enter(sign_position)?;
                    Query::Not(Box::new(self.primary(scope, Some("'-'"))?))
                } else {
                    self.primary(scope, Some("'+'"))?
                }
            }
            _ => self.primary(scope, after)?,
        };
        for _ in 0..negations {
            query = Query::Not(Box::new(query));
        }
        self.depth = depth_before;
        Ok(query)
    }

    /// `primary := group | phrase | word`.
    fn primary(&mut self, scope: Option<Field>, after: After) -> Result<Query, QueryError> {
        match self.peek() {
            Some('(') => self.group(scope),
            Some('"') => self.phrase_clause(scope),
            Some(c) if c != ')' && self.at_operator().is_none() => match scope {
                Some(field) => self.scoped_word(field),
                None => self.word(),
            },
            _ => {
                let expected = match after {
                    Some(after) => format!("a word, phrase or '(' after {after}"),
                    None => "a word, phrase or '('".to_owned(),
                };
                Err(self.expected(self.pos, expected))
            }
        }
    }

    /// `group := "(" or ")"`, the field of `field:( )` applying to everything inside.
    pub(crate) fn group(&mut self, scope: Option<Field>) -> Result<Query, QueryError> {
        let open = self.pos;
        let depth_before = self.depth;
        self.enter(open)?;
        self.pos += 1;
        let query = self.parse_or(scope, Some("'('"))?;
        self.skip_blanks();
        if self.peek() != Some(')') {
            return Err(self.expected(self.pos, format!("')' to close the '(' at {open}")));
        }
        self.pos += 1;
        self.boundary("')'")?;
        self.depth = depth_before;
        Ok(query)
    }

    /// A word outside any field group: a field (`name:value`) or a term.
    fn word(&mut self) -> Result<Query, QueryError> {
        let start = self.pos;
        let word = self.chars.get(start..self.word_end(start)).unwrap_or_default().to_vec();
        if let Some(name_len) = field_name_len(&word) {
            let name: String = word.iter().take(name_len).collect();
            // A known field name is a field even when the value starts with `//`: otherwise
            // `source://x` could not be written, and printed queries would not read back.
            let is_field_name = Field::from_name(&name).is_some();
            if (is_field_name || !is_url(&word))
                && let Some(field) = field_of(&name, &word, start)?
            {
                self.pos = start + name_len + 1;
                return self.field_value(field);
            }
        }
        let word = self.take_word()?;
        check_word(&word, start)?;
        if word == ['*'] {
            return Ok(Query::All);
        }
        classify(None, &word, start)
    }

    /// A word inside `field:( )`: a value of that field. Another field there is refused.
    fn scoped_word(&mut self, field: Field) -> Result<Query, QueryError> {
        let start = self.pos;
        let word = self.chars.get(start..self.word_end(start)).unwrap_or_default();
        if let Some(name_len) = field_name_len(word)
            && let Some(inner) = Field::from_name(&word.iter().take(name_len).collect::<String>())
        {
            return Err(QueryError::NestedField { position: start, outer: field, inner });
        }
        self.field_value(field)
    }

    /// `phrase := '"' (char | '\"')* '"'`, with the field of the enclosing scope if any.
    pub(crate) fn phrase_clause(&mut self, scope: Option<Field>) -> Result<Query, QueryError> {
        let start = self.pos;
        let text = self.read_phrase()?;
        let unsupported = |position, what| QueryError::Unsupported {
            position,
            what,
            hint: "search the phrase alone, or its words without quotes",
        };
        match self.peek() {
            Some('~') => return Err(unsupported(self.pos, "proximity search ('~' after a phrase)")),
            Some('^') => return Err(unsupported(self.pos, "boosting ('^')")),
            _ => self.boundary("the phrase")?,
        }
        match scope {
            None => Ok(Query::Phrase { field: None, text }),
            Some(field) => self.field_phrase(field, text, start),
        }
    }

    /// Reads a phrase from its opening quote; only `\"` is an escape, other backslashes are
    /// ordinary characters (so `"C:\Windows"` is what it looks like).
    fn read_phrase(&mut self) -> Result<String, QueryError> {
        let start = self.pos;
        self.pos += 1;
        let mut text = Vec::new();
        let mut origins = Vec::new();
        loop {
            match self.peek() {
                None => return Err(QueryError::UnterminatedPhrase { position: self.pos, start }),
                Some('"') => break,
                Some('\\') if self.peek_at(self.pos + 1) == Some('"') => {
                    text.push('"');
                    origins.push(self.pos);
                    self.pos += 2;
                }
                Some(c) => {
                    text.push(c);
                    origins.push(self.pos);
                    self.pos += 1;
                }
            }
        }
        self.pos += 1;
        if text.iter().all(|c| c.is_whitespace()) {
            return Err(QueryError::EmptyPhrase { position: start });
        }
        let mut index = 0;
        while let Some(rest) = text.get(index..).filter(|rest| !rest.is_empty()) {
            let piece_len = rest.iter().take_while(|c| !c.is_whitespace()).count().max(1);
            let piece = rest.get(..piece_len).unwrap_or_default();
            let wildcard = piece.iter().position(|c| matches!(c, '*' | '?'));
            if let Some(offset) = wildcard.filter(|_| !is_url(piece)) {
                let position = origins.get(index + offset).copied().unwrap_or(start);
                return Err(QueryError::WildcardInPhrase { position });
            }
            index += piece_len;
        }
        Ok(text.into_iter().collect())
    }

    /// Advances over a word and returns it. A word must not touch a `(` or a phrase.
    pub(crate) fn take_word(&mut self) -> Result<Vec<char>, QueryError> {
        let start = self.pos;
        self.pos = self.word_end(start);
        let word = self.chars.get(start..self.pos).unwrap_or_default().to_vec();
        if !word.is_empty() && matches!(self.peek(), Some('(' | '"')) {
            return Err(self.expected(self.pos, format!("a space or ')' after '{}'", excerpt(&word))));
        }
        Ok(word)
    }

    /// After a phrase, a `)` or a range: a space, another `)` or the end.
    pub(crate) fn boundary(&self, after: &str) -> Result<(), QueryError> {
        match self.peek() {
            None | Some(')') => Ok(()),
            Some(c) if c.is_whitespace() => Ok(()),
            Some(_) => Err(self.expected(self.pos, format!("a space or ')' after {after}"))),
        }
    }

    /// One level deeper; refused beyond [`MAX_DEPTH`].
    fn enter(&mut self, position: usize) -> Result<(), QueryError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(QueryError::TooDeep { position, limit: MAX_DEPTH });
        }
        Ok(())
    }

    fn word_end(&self, start: usize) -> usize {
        start + self.chars.get(start..).unwrap_or_default().iter().take_while(|c| !is_delimiter(**c)).count()
    }

    pub(crate) fn peek(&self) -> Option<char> {
        self.peek_at(self.pos)
    }

    pub(crate) fn peek_at(&self, position: usize) -> Option<char> {
        self.chars.get(position).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.chars.len()
    }

    pub(crate) fn skip_blanks(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    /// Whether the cursor is on `keyword` as a whole word (a `(`, `)` or `"` may follow).
    pub(crate) fn at_keyword(&self, keyword: &str) -> bool {
        let mut position = self.pos;
        for expected in keyword.chars() {
            if self.peek_at(position) != Some(expected) {
                return false;
            }
            position += 1;
        }
        self.peek_at(position).is_none_or(is_delimiter)
    }

    fn at_operator(&self) -> Option<&'static str> {
        ["AND", "OR", "NOT"].into_iter().find(|keyword| self.at_keyword(keyword))
    }

    /// An [`QueryError::Expected`] error at `position`, saying what is there.
    pub(crate) fn expected(&self, position: usize, expected: impl Into<String>) -> QueryError {
        QueryError::Expected { position, expected: expected.into(), found: self.describe(position) }
    }

    /// What is at `position`, for "found ..." in error messages.
    fn describe(&self, position: usize) -> String {
        match self.peek_at(position) {
            None => "end of query".to_owned(),
            Some(c) if c.is_whitespace() => "a space".to_owned(),
            Some(c) if is_delimiter(c) => format!("'{c}'"),
            Some(_) => {
                let rest = self.chars.get(position..).unwrap_or_default();
                let len =
                    rest.iter().skip(1).take_while(|c| !is_delimiter(**c) && !matches!(c, ']' | '}')).count();
                format!("'{}'", excerpt(rest.get(..=len).unwrap_or_default()))
            }
        }
    }
}

/// Decides whether `name:` (the start of `word`, at `start`) is field syntax.
///
/// A lowercase name is a field, unless the word is hexadecimal groups (IPv6, MAC) or the name
/// has a dot and does not start with a known field (`evil.example:8080`); an unknown lowercase
/// name is an error. A name with capitals is never a field, but spelling a known field in
/// capitals (`TLP:AMBER`, `Title:x`) is an error, since it was almost surely meant as one.
fn field_of(name: &str, word: &[char], start: usize) -> Result<Option<Field>, QueryError> {
    let whole_word = || word.iter().collect::<String>();
    if name.bytes().all(|byte| byte.is_ascii_lowercase() || byte == b'.') {
        if is_hex_groups(word) {
            return Ok(None);
        }
        let head = name.split('.').next().unwrap_or_default();
        if name.contains('.') && Field::from_name(head).is_none() {
            return Ok(None);
        }
        return match Field::from_name(name) {
            Some(field) => Ok(Some(field)),
            None => {
                Err(QueryError::UnknownField { position: start, name: name.to_owned(), word: whole_word() })
            }
        };
    }
    match Field::from_name(&name.to_ascii_lowercase()) {
        Some(field) => Err(QueryError::FieldCase { position: start, field, word: whole_word() }),
        None => Ok(None),
    }
}

/// The start of a word, for error messages.
fn excerpt(word: &[char]) -> String {
    let mut text: String = word.iter().take(EXCERPT_CHARS).collect();
    if word.len() > EXCERPT_CHARS {
        text.push('…');
    }
    text
}
