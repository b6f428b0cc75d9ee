//! Properties other than the name (birth date, country or nationality, gender) and the
//! evidence they add to or take from a name score.

use serde::Serialize;

use crate::NameError;

/// What agreeing or disagreeing properties add to a name score (documented in the README).
pub mod weights {
    /// Birth dates equal to the day (or to the precision both give, beyond the year).
    pub const BIRTH_DATE_EXACT: f32 = 0.08;
    /// Same birth year only.
    pub const BIRTH_YEAR: f32 = 0.04;
    /// Birth years differ by more than one.
    pub const BIRTH_DATE_DIFFERS: f32 = -0.15;
    /// A country or nationality in common.
    pub const COUNTRY: f32 = 0.04;
    /// Countries given on both sides, none in common.
    pub const COUNTRY_DIFFERS: f32 = -0.08;
    /// Genders given on both sides and different.
    pub const GENDER_DIFFERS: f32 = -0.2;
}

/// A person's gender as sanctions lists give it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Gender {
    /// Male.
    Male,
    /// Female.
    Female,
}

impl Gender {
    /// `m`, `male`, `f`, `female` (any case), else `None`.
    pub fn parse(text: &str) -> Option<Gender> {
        match text.trim().to_ascii_lowercase().as_str() {
            "m" | "male" => Some(Gender::Male),
            "f" | "female" => Some(Gender::Female),
            _ => None,
        }
    }
}

/// A date of birth to the precision known: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BirthDate {
    /// The year.
    pub year: u16,
    /// The month, 1..=12, when known.
    pub month: Option<u8>,
    /// The day, 1..=31, when known.
    pub day: Option<u8>,
}

impl BirthDate {
    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<BirthDate, NameError> {
        let bad = || NameError::BadDate { value: text.chars().take(40).collect() };
        let mut fields = text.trim().split('-');
        let year: u16 =
            fields.next().filter(|y| y.len() == 4).and_then(|y| y.parse().ok()).ok_or_else(bad)?;
        let month = match fields.next() {
            Some(m) => Some(m.parse::<u8>().ok().filter(|m| (1..=12).contains(m)).ok_or_else(bad)?),
            None => None,
        };
        let day = match fields.next() {
            Some(d) => Some(d.parse::<u8>().ok().filter(|d| (1..=31).contains(d)).ok_or_else(bad)?),
            None => None,
        };
        if fields.next().is_some() {
            return Err(bad());
        }
        Ok(BirthDate { year, month, day })
    }
}

impl std::fmt::Display for BirthDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(month) = self.month {
            write!(f, "-{month:02}")?;
        }
        if let Some(day) = self.day {
            write!(f, "-{day:02}")?;
        }
        Ok(())
    }
}

/// The properties of a listed entity or of a query; all optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Properties {
    /// Known dates of birth (lists often give several).
    pub birth_dates: Vec<BirthDate>,
    /// Countries and nationalities, compared without case (ISO codes or names, as long as
    /// both sides use the same).
    pub countries: Vec<String>,
    /// Gender, when known.
    pub gender: Option<Gender>,
}

/// What one property contributed to a score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PropertyEvidence {
    /// `birth_date`, `country` or `gender`.
    pub property: &'static str,
    /// The query's value.
    pub query: String,
    /// The entity's value that decided (or all of them, comma-separated, when none agreed).
    pub listed: String,
    /// What it added (negative: took away).
    pub contribution: f32,
}

/// The evidence of the properties given on both sides.
pub(crate) fn compare_properties(query: &Properties, listed: &Properties) -> Vec<PropertyEvidence> {
    let mut evidence = Vec::new();
    for query_date in &query.birth_dates {
        if listed.birth_dates.is_empty() {
            break;
        }
        let best = listed
            .birth_dates
            .iter()
            .map(|listed_date| (date_contribution(query_date, listed_date), listed_date))
            .max_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((contribution, listed_date)) = best {
            let listed_text = if contribution < 0.0 {
                listed.birth_dates.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
            } else {
                listed_date.to_string()
            };
            evidence.push(PropertyEvidence {
                property: "birth_date",
                query: query_date.to_string(),
                listed: listed_text,
                contribution,
            });
        }
    }
    if !query.countries.is_empty() && !listed.countries.is_empty() {
        let common = query
            .countries
            .iter()
            .find_map(|q| listed.countries.iter().find(|l| l.trim().eq_ignore_ascii_case(q.trim())));
        evidence.push(PropertyEvidence {
            property: "country",
            query: query.countries.join(", "),
            listed: common.cloned().unwrap_or_else(|| listed.countries.join(", ")),
            contribution: if common.is_some() { weights::COUNTRY } else { weights::COUNTRY_DIFFERS },
        });
    }
    if let (Some(q), Some(l)) = (query.gender, listed.gender)
        && q != l
    {
        evidence.push(PropertyEvidence {
            property: "gender",
            query: format!("{q:?}").to_lowercase(),
            listed: format!("{l:?}").to_lowercase(),
            contribution: weights::GENDER_DIFFERS,
        });
    }
    evidence
}

fn date_contribution(query: &BirthDate, listed: &BirthDate) -> f32 {
    if query.year.abs_diff(listed.year) > 1 {
        return weights::BIRTH_DATE_DIFFERS;
    }
    if query.year != listed.year {
        return 0.0;
    }
    let agree = |a: Option<u8>, b: Option<u8>| a.is_some() && a == b;
    let differ = |a: Option<u8>, b: Option<u8>| a.is_some() && b.is_some() && a != b;
    if differ(query.month, listed.month) || differ(query.day, listed.day) {
        return 0.0;
    }
    if agree(query.month, listed.month) { weights::BIRTH_DATE_EXACT } else { weights::BIRTH_YEAR }
}
