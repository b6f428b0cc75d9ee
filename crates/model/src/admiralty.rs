//! The Admiralty (NATO) system: source reliability A-F and information credibility 1-6.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ModelError;

/// Reliability of the source, A (completely reliable) to F (cannot be judged).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reliability {
    /// A: completely reliable.
    A,
    /// B: usually reliable.
    B,
    /// C: fairly reliable.
    C,
    /// D: not usually reliable.
    D,
    /// E: unreliable.
    E,
    /// F: reliability cannot be judged.
    F,
}

/// Credibility of the information, 1 (confirmed by other sources) to 6 (cannot be judged).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Credibility {
    /// 1: confirmed by other sources.
    Confirmed,
    /// 2: probably true.
    ProbablyTrue,
    /// 3: possibly true.
    PossiblyTrue,
    /// 4: doubtful.
    Doubtful,
    /// 5: improbable.
    Improbable,
    /// 6: truth cannot be judged.
    CannotBeJudged,
}

/// An Admiralty grade such as `B2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct AdmiraltyGrade {
    /// How far the source is trusted.
    pub reliability: Reliability,
    /// How far this piece of information is believed.
    pub credibility: Credibility,
}

impl AdmiraltyGrade {
    /// `F6`: nothing is known. The grade of material nobody has assessed.
    pub const UNASSESSED: AdmiraltyGrade =
        AdmiraltyGrade { reliability: Reliability::F, credibility: Credibility::CannotBeJudged };

    /// What the reliability letter means.
    pub fn reliability_meaning(self) -> &'static str {
        match self.reliability {
            Reliability::A => "completely reliable",
            Reliability::B => "usually reliable",
            Reliability::C => "fairly reliable",
            Reliability::D => "not usually reliable",
            Reliability::E => "unreliable",
            Reliability::F => "reliability cannot be judged",
        }
    }

    /// What the credibility digit means.
    pub fn credibility_meaning(self) -> &'static str {
        match self.credibility {
            Credibility::Confirmed => "confirmed by other sources",
            Credibility::ProbablyTrue => "probably true",
            Credibility::PossiblyTrue => "possibly true",
            Credibility::Doubtful => "doubtful",
            Credibility::Improbable => "improbable",
            Credibility::CannotBeJudged => "truth cannot be judged",
        }
    }
}

impl Default for AdmiraltyGrade {
    fn default() -> AdmiraltyGrade {
        AdmiraltyGrade::UNASSESSED
    }
}

impl FromStr for AdmiraltyGrade {
    type Err = ModelError;

    fn from_str(text: &str) -> Result<AdmiraltyGrade, ModelError> {
        let invalid = || ModelError::InvalidGrade(text.to_owned());
        let mut chars = text.trim().chars();
        let (Some(letter), Some(digit), None) = (chars.next(), chars.next(), chars.next()) else {
            return Err(invalid());
        };
        let reliability = match letter.to_ascii_uppercase() {
            'A' => Reliability::A,
            'B' => Reliability::B,
            'C' => Reliability::C,
            'D' => Reliability::D,
            'E' => Reliability::E,
            'F' => Reliability::F,
            _ => return Err(invalid()),
        };
        let credibility = match digit {
            '1' => Credibility::Confirmed,
            '2' => Credibility::ProbablyTrue,
            '3' => Credibility::PossiblyTrue,
            '4' => Credibility::Doubtful,
            '5' => Credibility::Improbable,
            '6' => Credibility::CannotBeJudged,
            _ => return Err(invalid()),
        };
        Ok(AdmiraltyGrade { reliability, credibility })
    }
}

impl fmt::Display for AdmiraltyGrade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let letter = match self.reliability {
            Reliability::A => 'A',
            Reliability::B => 'B',
            Reliability::C => 'C',
            Reliability::D => 'D',
            Reliability::E => 'E',
            Reliability::F => 'F',
        };
        let digit = match self.credibility {
            Credibility::Confirmed => '1',
            Credibility::ProbablyTrue => '2',
            Credibility::PossiblyTrue => '3',
            Credibility::Doubtful => '4',
            Credibility::Improbable => '5',
            Credibility::CannotBeJudged => '6',
        };
        write!(f, "{letter}{digit}")
    }
}

impl From<AdmiraltyGrade> for String {
    fn from(grade: AdmiraltyGrade) -> String {
        grade.to_string()
    }
}

impl TryFrom<String> for AdmiraltyGrade {
    type Error = ModelError;
    fn try_from(text: String) -> Result<AdmiraltyGrade, ModelError> {
        text.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_grade_round_trips() {
        for letter in ['A', 'B', 'C', 'D', 'E', 'F'] {
            for digit in '1'..='6' {
                let text = format!("{letter}{digit}");
                let grade: AdmiraltyGrade = text.parse().expect("valid grade");
                assert_eq!(grade.to_string(), text);
            }
        }
        assert_eq!("b2".parse::<AdmiraltyGrade>().map(|g| g.to_string()), Ok("B2".to_owned()));
    }

    #[test]
    fn invalid_grades_are_refused() {
        for text in ["", "G1", "A0", "A7", "AB", "A12", "2B", "ÄA"] {
            assert_eq!(
                text.parse::<AdmiraltyGrade>(),
                Err(ModelError::InvalidGrade(text.to_owned())),
                "{text:?}"
            );
        }
    }
}
