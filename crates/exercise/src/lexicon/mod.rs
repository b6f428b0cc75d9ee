//! Sentence templates per language. A template is text with `{placeholders}` that
//! [`crate::compose`] fills: `{actor}` `{alias}` `{org}` `{place}` `{country}` `{sector}`
//! `{cve}` `{technique}` `{ip}` `{domain}` `{url}` `{defanged_url}` `{sha256}` `{md5}` `{btc}`
//! for threat reporting; `{temp}` `{n}` `{big}` `{clock}` `{weekday}` `{team}` `{team2}` `{score}` `{index}`
//! `{pct}` `{price}` for noise; and, in signal templates only, the planted `{person}`
//! `{indicator}` `{bplace}` `{campaign}` `{cactor}`.
//!
//! Russian templates keep every placeholder in the nominative (after a noun such as "город" or
//! "группировка", or in quotes), so that names never need declining.

mod ar;
mod en;
mod ru;
mod zh;

use serde::{Deserialize, Serialize};

/// A language of the flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English.
    En,
    /// Russian.
    Ru,
    /// Arabic.
    Ar,
    /// Chinese (simplified).
    Zh,
}

impl Lang {
    /// Every language, in a fixed order.
    pub const ALL: [Lang; 4] = [Lang::En, Lang::Ru, Lang::Ar, Lang::Zh];

    /// The ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
            Lang::Ar => "ar",
            Lang::Zh => "zh",
        }
    }

    /// The language whose script a text is mostly written in: Cyrillic is Russian, Arabic script
    /// Arabic, Han Chinese, anything else English.
    pub fn of_script(text: &str) -> Lang {
        let mut counts = [0usize; 4];
        for c in text.chars() {
            match u32::from(c) {
                0x0400..=0x04ff => counts[1] += 1,
                0x0600..=0x06ff | 0x0750..=0x077f => counts[2] += 1,
                0x3400..=0x9fff => counts[3] += 1,
                _ if c.is_alphabetic() => counts[0] += 1,
                _ => {}
            }
        }
        let mut best = 0;
        for index in 1..4 {
            if counts[index] > counts[best] {
                best = index;
            }
        }
        Lang::ALL[best]
    }

    pub(crate) fn lexicon(self) -> &'static Lexicon {
        match self {
            Lang::En => &en::LEXICON,
            Lang::Ru => &ru::LEXICON,
            Lang::Ar => &ar::LEXICON,
            Lang::Zh => &zh::LEXICON,
        }
    }
}

/// Titles and sentences about one subject.
#[derive(Debug)]
pub(crate) struct Topic {
    pub(crate) titles: &'static [&'static str],
    pub(crate) sentences: &'static [&'static str],
}

/// Everything the composer needs to write in one language.
#[derive(Debug)]
pub(crate) struct Lexicon {
    /// Cyber-threat reporting, the flow's main subject.
    pub(crate) threat: Topic,
    /// Weather, sport, markets: items that mention nothing of interest.
    pub(crate) noise: [Topic; 3],
    /// Planted signals: a watchlisted person, a reused indicator, a burst around a place, an
    /// actor tied to a campaign.
    pub(crate) person: Topic,
    pub(crate) indicator: Topic,
    pub(crate) burst: Topic,
    pub(crate) campaign: Topic,
    /// Short chat messages.
    pub(crate) chat_threat: &'static [&'static str],
    pub(crate) chat_noise: &'static [&'static str],
    pub(crate) sectors: &'static [&'static str],
    pub(crate) teams: &'static [&'static str],
    pub(crate) market_indices: &'static [&'static str],
    pub(crate) weekdays: [&'static str; 7],
    pub(crate) greetings: &'static [&'static str],
    pub(crate) signoffs: &'static [&'static str],
    /// Mail lines that begin with "From " (English only), which mbox must escape.
    pub(crate) from_lines: &'static [&'static str],
    /// Appended to the title of a near-duplicate.
    pub(crate) update_suffix: &'static str,
    /// Appended to the body of a near-duplicate; `{time}` is the copy's `HH:MM`.
    pub(crate) update_sentences: &'static [&'static str],
    /// Between two sentences of a paragraph.
    pub(crate) sentence_gap: &'static str,
}

impl Lexicon {
    /// Every template the composer fills, for checks (not the update sentences, whose `{time}`
    /// the near-duplicate writer fills).
    #[cfg(test)]
    pub(crate) fn templates(&self) -> Vec<&'static str> {
        let mut all = Vec::new();
        let topics = [
            &self.threat,
            &self.noise[0],
            &self.noise[1],
            &self.noise[2],
            &self.person,
            &self.indicator,
            &self.burst,
            &self.campaign,
        ];
        for topic in topics {
            all.extend_from_slice(topic.titles);
            all.extend_from_slice(topic.sentences);
        }
        all.extend_from_slice(self.chat_threat);
        all.extend_from_slice(self.chat_noise);
        all.extend_from_slice(self.greetings);
        all.extend_from_slice(self.signoffs);
        all.extend_from_slice(self.from_lines);
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_has_entries() {
        for lang in Lang::ALL {
            let lexicon = lang.lexicon();
            let topics = [
                &lexicon.threat,
                &lexicon.noise[0],
                &lexicon.noise[1],
                &lexicon.noise[2],
                &lexicon.person,
                &lexicon.indicator,
                &lexicon.burst,
                &lexicon.campaign,
            ];
            for topic in topics {
                assert!(topic.titles.len() >= 2, "{lang:?}: titles");
                assert!(topic.sentences.len() >= 2, "{lang:?}: sentences");
            }
            for table in [
                lexicon.chat_threat,
                lexicon.chat_noise,
                lexicon.sectors,
                lexicon.teams,
                lexicon.market_indices,
                lexicon.greetings,
                lexicon.signoffs,
                lexicon.update_sentences,
            ] {
                assert!(!table.is_empty(), "{lang:?}");
            }
        }
    }

    #[test]
    fn signal_sentences_carry_their_placeholder() {
        for lang in Lang::ALL {
            let lexicon = lang.lexicon();
            let cases = [
                (&lexicon.person, "{person}"),
                (&lexicon.indicator, "{indicator}"),
                (&lexicon.burst, "{bplace}"),
                (&lexicon.campaign, "{campaign}"),
            ];
            for (topic, placeholder) in cases {
                for sentence in topic.sentences {
                    assert!(sentence.contains(placeholder), "{lang:?}: {sentence}");
                }
            }
            for sentence in lexicon.campaign.sentences {
                assert!(sentence.contains("{cactor}"), "{lang:?}: {sentence}");
            }
        }
    }

    #[test]
    fn script_detection() {
        assert_eq!(Lang::of_script("Абу Бакр аль-Багдади"), Lang::Ru);
        assert_eq!(Lang::of_script("أبو بكر البغدادي"), Lang::Ar);
        assert_eq!(Lang::of_script("巴格达迪"), Lang::Zh);
        assert_eq!(Lang::of_script("Abou Bakr al Baghdadi"), Lang::En);
    }
}
