//! The pure part: items as functions of (scenario, seed, stream, index). No IO.

use std::fmt::Write as _;

use jiff::Timestamp;
use muninn_model::Tlp;

use crate::ExerciseError;
use crate::clock::{self, DAY};
use crate::compose::{Article, Composer, Plant, Subject};
use crate::indicators;
use crate::lexicon::Lang;
use crate::plan::{self, Plan, Role, Slot};
use crate::records::{
    Attachment, ChatMessage, Feed, FeedEntry, IndicatorKind, Item, ItemKey, MailLayout, MailMessage,
    NewsItem, Note, PartnerReport, Stream,
};
use crate::rng::Rng;
use crate::scenario::{Scenario, Signal};
use crate::world;

/// Generates the items of a flow, each on demand and independently of the others.
///
/// Every item is a pure function of the scenario, the seed and the item's key, so items can be
/// produced one at a time in any order and nothing is remembered between them: the only state
/// is the scenario and the plan of planted items, whose size depends on the signal counts and
/// not on the volume.
#[derive(Debug, Clone)]
pub struct Generator {
    scenario: Scenario,
    seed: u64,
    start: i64,
    span: i64,
    plan: Plan,
    /// Terms that background text never contains.
    always_forbidden: Vec<String>,
    /// Place names background text avoids within a time range around each burst.
    burst_forbidden: Vec<(i64, i64, Vec<String>)>,
}

/// The part of an item decided before its text: its random generator (inside the composer),
/// time, language and subject.
struct Draft<'g> {
    composer: Composer<'g>,
    time: i64,
    lang: Lang,
    subject: Subject,
}

const TLP_WEIGHTS_NOTE: [(Tlp, u64); 4] =
    [(Tlp::Green, 30), (Tlp::Amber, 40), (Tlp::AmberStrict, 15), (Tlp::Red, 15)];
const TLP_WEIGHTS_PARTNER: [(Tlp, u64); 3] = [(Tlp::Green, 45), (Tlp::Amber, 45), (Tlp::AmberStrict, 10)];
const TLP_WEIGHTS_MAIL: [(Tlp, u64); 4] =
    [(Tlp::Green, 40), (Tlp::Amber, 45), (Tlp::AmberStrict, 10), (Tlp::Red, 5)];
const ASSESSMENTS: &[&str] = &[
    "We assess with moderate confidence that the activity will continue.",
    "Low confidence: corroboration from a second source is needed.",
    "High confidence: the overlap with earlier reporting is substantial.",
    "Further collection is requested before wider dissemination.",
];

impl Generator {
    /// Validates the scenario and plans where its signals go.
    pub fn new(scenario: &Scenario, seed: u64) -> Result<Generator, ExerciseError> {
        scenario.validate()?;
        let plan = plan::build(scenario, seed)?;
        let mut always_forbidden = Vec::new();
        let mut burst_forbidden = Vec::new();
        for (index, signal) in scenario.signals.iter().enumerate() {
            match signal {
                Signal::PersonVariants(person) => {
                    always_forbidden.extend(person.spellings().map(str::to_owned));
                }
                Signal::IndicatorReuse(reuse) => {
                    always_forbidden.push(reuse.indicator.clone());
                    always_forbidden.push(indicators::defang(&reuse.indicator));
                }
                Signal::ActorCampaign(link) => always_forbidden.push(link.campaign.clone()),
                Signal::Burst(burst) => {
                    if let Some(Some((from, to))) = plan.windows.get(index) {
                        let names = plan::place_names(&burst.place);
                        burst_forbidden.push((from - DAY, to + DAY, names));
                    }
                }
                Signal::NearDuplicates(_) => {}
            }
        }
        Ok(Generator {
            scenario: scenario.clone(),
            seed,
            start: scenario.start.as_second(),
            span: i64::from(scenario.days) * DAY,
            plan,
            always_forbidden,
            burst_forbidden,
        })
    }

    /// The scenario.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// How many items the plan holds: planted items and the originals that duplicates copy.
    /// Bounded by the signal counts, whatever the volume.
    pub fn planned_items(&self) -> usize {
        self.plan.slots.len()
    }

    /// How many items of a stream the flow holds.
    pub fn volume(&self, stream: Stream) -> u64 {
        plan::volume_of(&self.scenario, stream)
    }

    pub(crate) fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The item with this key.
    pub fn item(&self, key: ItemKey) -> Item {
        match key.stream {
            Stream::News => Item::News(self.news(key.index)),
            Stream::Note => Item::Note(self.note(key.index)),
            Stream::Mail => Item::Mail(self.mail(key.index)),
            Stream::Chat => Item::Chat(self.chat(key.index)),
            Stream::Rss => Item::Feed(self.feed_entry(Feed::Rss, key.index)),
            Stream::Atom => Item::Feed(self.feed_entry(Feed::Atom, key.index)),
            Stream::Stix | Stream::Misp => Item::Partner(self.partner_report(key.stream, key.index)),
        }
    }

    fn natural_time(&self, stream: Stream, index: u64, rng: &mut Rng) -> i64 {
        let volume = self.volume(stream).max(1);
        let offset = (u128::from(index) * self.span as u128 / u128::from(volume)) as i64;
        let slot = (self.span / volume as i64).max(1);
        let time = self.start + offset + rng.below(slot as u64) as i64;
        time.min(self.start + self.span - 1)
    }

    fn slot(&self, stream: Stream, index: u64) -> Option<&Slot> {
        self.plan.slots.get(&ItemKey { stream, index })
    }

    fn draft(&self, stream: Stream, index: u64) -> Draft<'_> {
        let slot = self.slot(stream, index);
        let mut rng = Rng::for_item(self.seed, stream.salt(), index);
        let natural = self.natural_time(stream, index, &mut rng);
        let time = slot.and_then(|slot| slot.time).unwrap_or(natural);
        let lang = match slot.and_then(|slot| slot.lang) {
            Some(lang) => lang,
            None => plan::pick_lang(stream, &mut rng),
        };
        let plant = slot.map_or(Plant::None, |slot| self.plant(slot));
        let strict = slot.is_some_and(|slot| slot.role == Role::Original);
        let mut forbidden: Vec<&str> = self.always_forbidden.iter().map(String::as_str).collect();
        for (from, to, names) in &self.burst_forbidden {
            if strict || (*from..*to).contains(&time) {
                forbidden.extend(names.iter().map(String::as_str));
            }
        }
        let noise_percent = match stream {
            Stream::News => 40,
            Stream::Mail => 20,
            Stream::Chat => 45,
            Stream::Rss => 15,
            Stream::Atom => 25,
            Stream::Note | Stream::Stix | Stream::Misp => 0,
        };
        let subject = if !matches!(plant, Plant::None) {
            Subject::Signal
        } else if strict {
            // Duplicates copy threat reporting, the kind worth deduplicating.
            Subject::Threat
        } else if rng.percent(noise_percent) {
            Subject::Noise(rng.index(3))
        } else {
            Subject::Threat
        };
        Draft { composer: Composer::new(lang, rng, plant, forbidden), time, lang, subject }
    }

    fn plant<'g>(&'g self, slot: &'g Slot) -> Plant<'g> {
        match (slot.role, self.scenario.signals.get(slot.signal)) {
            (Role::Person { .. }, _) => Plant::Person(&slot.text),
            (Role::Indicator, _) => Plant::Indicator(&slot.text),
            (Role::Burst, _) => Plant::Burst(&slot.text),
            (Role::Campaign, Some(Signal::ActorCampaign(link))) => {
                Plant::Campaign { campaign: &slot.text, actor: &link.actor }
            }
            _ => Plant::None,
        }
    }

    fn article(&self, stream: Stream, index: u64, sentences: (u64, u64)) -> (Draft<'_>, Article) {
        let mut draft = self.draft(stream, index);
        let count = draft.composer.rng().between(sentences.0, sentences.1) as usize;
        let article = draft.composer.article(draft.subject, count);
        (draft, article)
    }

    /// News report number `index`.
    pub fn news(&self, index: u64) -> NewsItem {
        let copy = self.slot(Stream::News, index).and_then(|slot| match slot.role {
            Role::NearCopy { of } => Some((of, false)),
            Role::ExactCopy { of } => Some((of, true)),
            _ => None,
        });
        let (mut draft, mut article) = self.article(Stream::News, index, (3, 6));
        let mut lang = draft.lang;
        if let Some((original, exact)) = copy {
            let (original_draft, original_article) = self.article(Stream::News, original, (3, 6));
            lang = original_draft.lang;
            article = original_article;
            if !exact {
                near_copy(&mut article, lang, draft.time, draft.composer.rng());
            }
        }
        let rng = draft.composer.rng();
        let source = rng.pick(world::news_sources(lang));
        let tlp = if rng.percent(85) { Tlp::Clear } else { Tlp::Green };
        NewsItem {
            key: ItemKey { stream: Stream::News, index },
            title: article.title,
            body: article.sentences.join(lang.lexicon().sentence_gap),
            published: timestamp(draft.time),
            url: format!("https://{source}.example/{}/{index:06}", clock::date_path(draft.time)),
            lang,
            source,
            tlp,
        }
    }

    /// Analyst note number `index`, in English.
    pub fn note(&self, index: u64) -> Note {
        let (mut draft, article) = self.article(Stream::Note, index, (3, 5));
        let composer = &mut draft.composer;
        let tlp = weighted_tlp(composer.rng(), &TLP_WEIGHTS_NOTE);
        let author = composer.rng().pick(world::NOTE_AUTHORS);
        let assessment = composer.rng().pick(ASSESSMENTS);
        let indicators = composer
            .line(&["- `{ip}`\n- `{domain}`\n- SHA-256 `{sha256}`\n- {cve}\n- {technique}"])
            .unwrap_or_default();
        let mut body = String::with_capacity(1024);
        let _ = write!(
            body,
            "{}\nDate: {}\nAuthor: {author}\n\n## Summary\n\n{}\n\n## Indicators\n\n{indicators}\n",
            tlp.label(),
            clock::rfc3339(draft.time),
            article.sentences.join(" "),
        );
        if let Some(slot) = self.slot(Stream::Note, index)
            && slot.role == Role::Indicator
        {
            let _ = writeln!(body, "- `{}`", slot.text);
        }
        let _ = write!(body, "\n## Assessment\n\n{assessment}\n");
        Note {
            key: ItemKey { stream: Stream::Note, index },
            title: article.title,
            tlp,
            written: timestamp(draft.time),
            author,
            body,
        }
    }

    /// E-mail number `index`.
    pub fn mail(&self, index: u64) -> MailMessage {
        let (mut draft, article) = self.article(Stream::Mail, index, (2, 5));
        let lang = draft.lang;
        let lexicon = draft.composer.lexicon();
        let is_noise = matches!(draft.subject, Subject::Noise(_));
        let from_line = if is_noise || lexicon.from_lines.is_empty() || !draft.composer.rng().percent(40) {
            None
        } else {
            draft.composer.line(lexicon.from_lines)
        };
        let csv =
            draft.composer.line(&["type,value\nipv4,{ip}\ndomain,{domain}\nsha256,{sha256}\nurl,{url}\n"]);
        let rng = draft.composer.rng();
        let (from_name, from_address) = rng.pick(world::mail_senders(lang));
        let to = rng.pick(world::MAIL_RECIPIENTS);
        let tlp = weighted_tlp(rng, &TLP_WEIGHTS_MAIL);
        let prefix = rng.below(10);
        let subject = match prefix {
            0..=2 => format!("[{}] {}", tlp.label(), article.title),
            3 => format!("Fwd: {}", article.title),
            4 => format!("Re: {}", article.title),
            _ => article.title.clone(),
        };
        let mut body = String::with_capacity(1024);
        body.push_str(rng.pick(lexicon.greetings));
        body.push_str("\n\n");
        // The label is always among the first lines of the body, where readers look for it,
        // and sometimes in the subject too.
        body.push_str(tlp.label());
        body.push_str("\n\n");
        for paragraph in article.sentences.chunks(2) {
            body.push_str(&paragraph.join(lexicon.sentence_gap));
            body.push_str("\n\n");
        }
        if let Some(line) = from_line {
            body.push_str(&line);
            body.push_str("\n\n");
        }
        body.push_str(rng.pick(lexicon.signoffs));
        body.push('\n');
        body.push_str(from_name);
        body.push('\n');
        let layout = match rng.weighted(&[40, 20, 20, 20]) {
            0 => MailLayout::Plain,
            1 => MailLayout::AlternativeQuotedPrintable,
            2 => MailLayout::AlternativeBase64,
            _ => MailLayout::WithAttachment,
        };
        let attachment = (layout == MailLayout::WithAttachment).then(|| {
            if rng.percent(50) {
                Attachment {
                    filename: format!("iocs-{index:06}.csv"),
                    content_type: "text/csv",
                    content: csv.unwrap_or_default().into_bytes(),
                }
            } else {
                let mut content = b"%PDF-1.4\n% synthetic exercise attachment\n".to_vec();
                content.extend((0..48).flat_map(|_| rng.next_u64().to_le_bytes()));
                Attachment {
                    filename: format!("report-{index:06}.pdf"),
                    content_type: "application/pdf",
                    content,
                }
            }
        });
        let mut message_id = format!("<{index:06}.");
        rng.hex(12, &mut message_id);
        message_id.push_str("@mail.muninn.example>");
        MailMessage {
            key: ItemKey { stream: Stream::Mail, index },
            from_name,
            from_address,
            to,
            subject,
            date: timestamp(draft.time),
            message_id,
            lang,
            tlp,
            body,
            layout,
            attachment,
        }
    }

    /// Chat message number `index`.
    pub fn chat(&self, index: u64) -> ChatMessage {
        let mut draft = self.draft(Stream::Chat, index);
        let text = draft.composer.chat_line(draft.subject);
        let rng = draft.composer.rng();
        ChatMessage {
            key: ItemKey { stream: Stream::Chat, index },
            channel: rng.pick(world::chat_channels(draft.lang)),
            author: rng.pick(world::chat_authors(draft.lang)),
            sent: timestamp(draft.time),
            text,
            lang: draft.lang,
        }
    }

    /// Entry number `index` of a feed.
    pub fn feed_entry(&self, feed: Feed, index: u64) -> FeedEntry {
        let (site, sentences) = match feed {
            Feed::Rss => ("securitywire.example", (1, 2)),
            Feed::Atom => ("regional-monitor.example", (1, 3)),
        };
        let stream = feed.stream();
        let (draft, article) = self.article(stream, index, sentences);
        FeedEntry {
            key: ItemKey { stream, index },
            title: article.title,
            link: format!("https://{site}/{}/{index:06}", clock::date_path(draft.time)),
            published: timestamp(draft.time),
            summary: article.sentences.join(draft.lang.lexicon().sentence_gap),
            lang: draft.lang,
        }
    }

    /// Partner report number `index` of [`Stream::Stix`] or [`Stream::Misp`]: a short English
    /// report with two to four indicators (refanged: formats that carry indicators carry them
    /// whole) and, most of the time, the actor it attributes the activity to. A planted indicator
    /// is in the narrative as planted (perhaps defanged) and among the indicators whole.
    pub fn partner_report(&self, stream: Stream, index: u64) -> PartnerReport {
        let (mut draft, article) = self.article(stream, index, (2, 4));
        let composer = &mut draft.composer;
        let tlp = weighted_tlp(composer.rng(), &TLP_WEIGHTS_PARTNER);
        let partner = composer.rng().pick(world::PARTNERS);
        let wanted = composer.rng().between(2, 4) as usize;
        let mut indicators: Vec<(IndicatorKind, String)> = Vec::with_capacity(wanted + 1);
        if let Some(slot) = self.slot(stream, index)
            && slot.role == Role::Indicator
            && let Some(Signal::IndicatorReuse(reuse)) = self.scenario.signals.get(slot.signal)
        {
            indicators.push((IndicatorKind::of(&reuse.indicator), reuse.indicator.clone()));
        }
        for _ in 0..wanted {
            // Through the composer, so that no value is a planted one by chance.
            let Some(value) = composer.line(&["{ip}", "{domain}", "{url}", "{sha256}", "{md5}"]) else {
                continue;
            };
            let value = indicators::refang(&value);
            if !indicators.iter().any(|(_, known)| *known == value) {
                indicators.push((IndicatorKind::of(&value), value));
            }
        }
        let actor = composer.rng().percent(75).then(|| composer.rng().pick_ref(world::ACTORS).name);
        let id_seed = composer.rng().next_u64();
        let narrative = article.sentences.join(" ");
        let mut body = narrative.clone();
        for (_, value) in &indicators {
            let _ = write!(body, "\nindicator: {value}");
        }
        if let Some(actor) = actor {
            let _ = write!(body, "\nactor: {actor}");
        }
        PartnerReport {
            key: ItemKey { stream, index },
            title: article.title,
            narrative,
            body,
            published: timestamp(draft.time),
            partner,
            tlp,
            indicators,
            actor,
            id_seed,
        }
    }

    /// The news reports of the flow, generated one at a time.
    pub fn news_items(&self) -> impl Iterator<Item = NewsItem> + '_ {
        (0..self.volume(Stream::News)).map(|index| self.news(index))
    }

    /// The items of one stream, generated one at a time.
    pub fn items(&self, stream: Stream) -> impl Iterator<Item = Item> + '_ {
        (0..self.volume(stream)).map(move |index| self.item(ItemKey { stream, index }))
    }
}

/// Small edits: the title marked as updated, a sentence dropped from a long body, an update
/// note with the copy's time appended (so that two copies of one report differ). The title
/// text stays, so the copy still matches its original.
fn near_copy(article: &mut Article, lang: Lang, time: i64, rng: &mut Rng) {
    let lexicon = lang.lexicon();
    article.title.push_str(lexicon.update_suffix);
    if article.sentences.len() >= 4 {
        let drop = 1 + rng.index(article.sentences.len() - 1);
        article.sentences.remove(drop);
    }
    let civil = clock::civil(time);
    let hour_minute = format!("{:02}:{:02}", civil.hour, civil.minute);
    let note = rng.pick(lexicon.update_sentences).replace("{time}", &hour_minute);
    article.sentences.push(note);
}

fn weighted_tlp(rng: &mut Rng, choices: &[(Tlp, u64)]) -> Tlp {
    let total = choices.iter().map(|(_, weight)| weight).sum();
    let mut roll = rng.below(total);
    for (tlp, weight) in choices {
        if roll < *weight {
            return *tlp;
        }
        roll -= weight;
    }
    Tlp::Amber
}

/// Scenario validation keeps every time of the flow within jiff's range.
pub(crate) fn timestamp(seconds: i64) -> Timestamp {
    Timestamp::from_second(seconds).unwrap_or(Timestamp::UNIX_EPOCH)
}
