//! Filling templates into sentences, titles and articles.
//!
//! **Invariant:** background text never contains a forbidden term (a planted person's spelling,
//! a planted indicator in either form, a campaign name, a burst place near its burst), so that
//! the ground truth lists every item that carries a signal. Each line is checked after filling
//! and filled again, with a fresh actor and place, when it fails.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::indicators;
use crate::lexicon::{Lang, Lexicon, Topic};
use crate::rng::Rng;
use crate::world::{self, Actor, Place};

/// How often a line is filled again before giving up on it.
const ATTEMPTS: usize = 12;

/// What an item is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Subject {
    Threat,
    /// Weather, sport or markets (0, 1, 2).
    Noise(usize),
    /// The planted signal of the composer.
    Signal,
}

/// The planted text of an item, if any.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Plant<'a> {
    None,
    Person(&'a str),
    Indicator(&'a str),
    Burst(&'a str),
    Campaign { campaign: &'a str, actor: &'a str },
}

impl<'a> Plant<'a> {
    /// The text that is allowed to be forbidden elsewhere.
    fn exempt(&self) -> Option<&'a str> {
        match *self {
            Plant::None => None,
            Plant::Person(text) | Plant::Indicator(text) | Plant::Burst(text) => Some(text),
            Plant::Campaign { campaign, .. } => Some(campaign),
        }
    }

    fn topic(&self, lexicon: &'static Lexicon) -> &'static Topic {
        match self {
            Plant::None => &lexicon.threat,
            Plant::Person(_) => &lexicon.person,
            Plant::Indicator(_) => &lexicon.indicator,
            Plant::Burst(_) => &lexicon.burst,
            Plant::Campaign { .. } => &lexicon.campaign,
        }
    }
}

/// A title and its sentences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Article {
    pub(crate) title: String,
    pub(crate) sentences: Vec<String>,
}

/// Writes the text of one item. Owns the item's random generator.
#[derive(Debug)]
pub(crate) struct Composer<'a> {
    lang: Lang,
    lexicon: &'static Lexicon,
    rng: Rng,
    actor: &'static Actor,
    place: &'static Place,
    team: &'static str,
    market: &'static str,
    plant: Plant<'a>,
    forbidden: Vec<&'a str>,
}

impl<'a> Composer<'a> {
    pub(crate) fn new(lang: Lang, rng: Rng, plant: Plant<'a>, forbidden: Vec<&'a str>) -> Self {
        let lexicon = lang.lexicon();
        let mut composer = Composer {
            lang,
            lexicon,
            rng,
            actor: &world::ACTORS[0],
            place: &world::PLACES[0],
            team: lexicon.teams[0],
            market: lexicon.market_indices[0],
            plant,
            forbidden,
        };
        composer.pick_context();
        composer
    }

    pub(crate) fn rng(&mut self) -> &mut Rng {
        &mut self.rng
    }

    pub(crate) fn lexicon(&self) -> &'static Lexicon {
        self.lexicon
    }

    fn pick_context(&mut self) {
        // An item tying an actor to a campaign talks about that actor throughout.
        let campaign_actor = match self.plant {
            Plant::Campaign { actor, .. } => world::find_actor(actor),
            _ => None,
        };
        let random_actor = self.rng.pick_ref(world::ACTORS);
        self.actor = campaign_actor.unwrap_or(random_actor);
        self.place = self.rng.pick_ref(world::PLACES);
        self.team = self.rng.pick(self.lexicon.teams);
        self.market = self.rng.pick(self.lexicon.market_indices);
    }

    /// Whether a text is free of forbidden terms, the item's own planted text aside.
    fn is_clean(&self, text: &str) -> bool {
        if self.forbidden.is_empty() {
            return true;
        }
        let checked = match self.plant.exempt() {
            Some(exempt) if text.contains(exempt) => Cow::Owned(text.replace(exempt, "\u{1}")),
            _ => Cow::Borrowed(text),
        };
        self.forbidden.iter().all(|term| !checked.contains(term))
    }

    /// Fills one of `templates`, again and again until the result is clean; `None` if it never
    /// is.
    pub(crate) fn line(&mut self, templates: &[&str]) -> Option<String> {
        for _ in 0..ATTEMPTS {
            let template = self.rng.pick(templates);
            let text = self.fill(template);
            if self.is_clean(&text) {
                return Some(text);
            }
            self.pick_context();
        }
        None
    }

    /// Like [`Composer::line`], but a planted line is kept even when it never comes out clean:
    /// carrying the planted text matters more.
    fn planted_line(&mut self, templates: &[&str]) -> String {
        let mut text = String::new();
        for _ in 0..ATTEMPTS {
            let template = self.rng.pick(templates);
            text = self.fill(template);
            if self.is_clean(&text) {
                break;
            }
            self.pick_context();
        }
        text
    }

    /// Up to `count` lines from distinct templates.
    fn lines(&mut self, templates: &[&str], count: usize) -> Vec<String> {
        let count = count.min(templates.len());
        let mut used = vec![false; templates.len()];
        let mut untried = templates.len();
        let mut lines = Vec::with_capacity(count);
        while lines.len() < count && untried > 0 {
            let mut index = self.rng.index(templates.len());
            while used[index] {
                index = (index + 1) % templates.len();
            }
            used[index] = true;
            untried -= 1;
            if let Some(line) = self.line(&templates[index..=index]) {
                lines.push(line);
            }
        }
        lines
    }

    /// A title and `sentences` sentences about `subject`.
    pub(crate) fn article(&mut self, subject: Subject, sentences: usize) -> Article {
        let lexicon = self.lexicon;
        let (title, body) = match subject {
            Subject::Threat => {
                (self.line(lexicon.threat.titles), self.lines(lexicon.threat.sentences, sentences))
            }
            Subject::Noise(topic) => {
                let topic = &lexicon.noise[topic % lexicon.noise.len()];
                (self.line(topic.titles), self.lines(topic.sentences, sentences))
            }
            Subject::Signal => {
                let topic = self.plant.topic(lexicon);
                let title = self.planted_line(topic.titles);
                let planted = if matches!(self.plant, Plant::Burst(_)) { 2 } else { 1 };
                let mut body = self.lines(topic.sentences, planted);
                if body.is_empty() {
                    body.push(self.planted_line(topic.sentences));
                }
                let background = sentences.saturating_sub(planted).max(1);
                for line in self.lines(lexicon.threat.sentences, background) {
                    let at = self.rng.index(body.len() + 1);
                    body.insert(at, line);
                }
                (Some(title), body)
            }
        };
        let title = title.unwrap_or_else(|| self.fallback_title());
        Article { title, sentences: body }
    }

    /// A short chat line about `subject`.
    pub(crate) fn chat_line(&mut self, subject: Subject) -> String {
        let lexicon = self.lexicon;
        let line = match subject {
            Subject::Threat => self.line(lexicon.chat_threat),
            Subject::Noise(_) => self.line(lexicon.chat_noise),
            Subject::Signal => Some(self.planted_line(self.plant.topic(lexicon).sentences)),
        };
        line.unwrap_or_else(|| self.fallback_title())
    }

    fn fallback_title(&self) -> String {
        match self.lang {
            Lang::En => "Daily digest".to_owned(),
            Lang::Ru => "Ежедневная сводка".to_owned(),
            Lang::Ar => "الموجز اليومي".to_owned(),
            Lang::Zh => "每日简报".to_owned(),
        }
    }

    /// Fills every `{placeholder}` of a template. An unknown placeholder is kept as written.
    pub(crate) fn fill(&mut self, template: &str) -> String {
        let mut out = String::with_capacity(template.len() + 64);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else {
                out.push_str(&rest[open..]);
                return out;
            };
            self.render(&after[..close], &mut out);
            rest = &after[close + 1..];
        }
        out.push_str(rest);
        out
    }

    fn render(&mut self, name: &str, out: &mut String) {
        let lang = self.lang;
        let rng = &mut self.rng;
        match name {
            "actor" => match self.actor.local_name(lang) {
                Some(local) if rng.percent(50) => out.push_str(local),
                _ => out.push_str(self.actor.name),
            },
            "alias" => match self.actor.aliases {
                [] => out.push_str(self.actor.name),
                aliases => out.push_str(rng.pick(aliases)),
            },
            "org" => out.push_str(rng.pick_ref(world::ORGANISATIONS).get(lang)),
            "place" => out.push_str(self.place.names.get(lang)),
            "country" => {
                let country = world::COUNTRIES.get(self.place.country);
                out.push_str(country.map_or("", |names| names.get(lang)));
            }
            "sector" => out.push_str(rng.pick(self.lexicon.sectors)),
            "cve" => out.push_str(rng.pick(indicators::CVES)),
            "technique" => {
                let (id, technique) = rng.pick(indicators::TECHNIQUES);
                out.push_str(id);
                if lang == Lang::En {
                    let _ = write!(out, " ({technique})");
                }
            }
            "ip" => maybe_defanged(rng, 15, out, indicators::ipv4),
            "domain" => maybe_defanged(rng, 25, out, indicators::domain),
            "url" => indicators::url(rng, out),
            "defanged_url" => maybe_defanged(rng, 100, out, indicators::url),
            "sha256" => indicators::sha256(rng, out),
            "md5" => indicators::md5(rng, out),
            "btc" => indicators::bitcoin(rng, out),
            "n" => {
                let _ = write!(out, "{}", rng.between(2, 60));
            }
            "big" => {
                let _ = write!(out, "{}", rng.between(1_200, 48_000));
            }
            "temp" => {
                let _ = write!(out, "{}", rng.below(51) as i64 - 15);
            }
            "pct" => {
                let tenths = rng.between(1, 49);
                let _ = write!(out, "{}.{}", tenths / 10, tenths % 10);
            }
            "clock" => {
                let _ = write!(out, "{:02}:{:02}", rng.below(24), rng.below(12) * 5);
            }
            "price" => {
                let _ = write!(out, "{}", rng.between(58, 96));
            }
            "score" => {
                let winner = rng.between(1, 4);
                let _ = write!(out, "{winner}–{}", rng.below(winner));
            }
            "weekday" => out.push_str(rng.pick(&self.lexicon.weekdays)),
            "team" => out.push_str(self.team),
            "team2" => {
                let teams = self.lexicon.teams;
                let mut other = rng.pick(teams);
                if other == self.team && teams.len() > 1 {
                    other = teams[(teams.iter().position(|t| *t == other).unwrap_or(0) + 1) % teams.len()];
                }
                out.push_str(other);
            }
            "index" => out.push_str(self.market),
            "person" | "indicator" | "bplace" => out.push_str(self.plant.exempt().unwrap_or("")),
            "campaign" | "cactor" => {
                if let Plant::Campaign { campaign, actor } = self.plant {
                    out.push_str(if name == "campaign" { campaign } else { actor });
                }
            }
            unknown => {
                out.push('{');
                out.push_str(unknown);
                out.push('}');
            }
        }
    }
}

fn maybe_defanged(rng: &mut Rng, percent: u64, out: &mut String, make: fn(&mut Rng, &mut String)) {
    if rng.percent(percent) {
        let mut plain = String::new();
        make(rng, &mut plain);
        out.push_str(&indicators::defang(&plain));
    } else {
        make(rng, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_placeholder_is_known() {
        let plant = Plant::Campaign { campaign: "Operation Test", actor: "APT28" };
        for lang in Lang::ALL {
            let mut composer = Composer::new(lang, Rng::new(1), plant, Vec::new());
            for template in lang.lexicon().templates() {
                let filled = composer.fill(template);
                assert!(!filled.contains('{'), "{lang:?}: {template} -> {filled}");
            }
        }
    }

    #[test]
    fn background_lines_avoid_forbidden_terms() {
        let forbidden = vec!["Odesa", "Одесса"];
        for seed in 0..200 {
            let mut composer = Composer::new(Lang::En, Rng::new(seed), Plant::None, forbidden.clone());
            let article = composer.article(Subject::Threat, 6);
            assert!(!article.title.contains("Odesa"));
            assert!(article.sentences.iter().all(|s| !s.contains("Odesa")));
        }
    }
}
