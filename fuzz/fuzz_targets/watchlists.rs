//! Watchlist imports: any bytes go through all four parsers (UN XML, OFAC CSV, MISP galaxy
//! JSON, our CSV), which must import or refuse without panicking, with ids unique within each
//! import; what they import must compile into a `Screener` that screens a fixed text.
#![no_main]

use std::collections::HashSet;

use libfuzzer_sys::fuzz_target;
use muninn_model::{AdmiraltyGrade, Tlp};
use muninn_screen::import::{self, Imported};
use muninn_screen::{ItemFields, ScreenScratch, Screener, Watchlist};

/// Names, wallets and indicators in several scripts, so that fuzzed lists have something to hit.
const TEXT: &str = "Abu Bakr al-Baghdadi, أبو بكر البغدادي, Абу Бакр аль-Багдади; wallet \
                    12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h; APT28 (Fancy Bear) used evil[.]example and \
                    hxxp://203.0.113.7/x; Banco Nacional de Cuba, 北京 CVE-2024-12345.";

fuzz_target!(|data: &[u8]| {
    // OFAC comes as two files: up to the first NUL byte is sdn.csv, the rest alt.csv.
    let (sdn, alt) = match data.iter().position(|&byte| byte == 0) {
        Some(at) => (&data[..at], Some(&data[at + 1..])),
        None => (data, None),
    };
    let results = [
        import::un_consolidated(data),
        import::ofac_sdn(sdn, alt),
        import::misp_galaxy(data),
        import::csv(data),
    ];
    let mut lists = Vec::new();
    for (index, result) in results.into_iter().enumerate() {
        match result {
            Ok(Imported { entries, warnings }) => {
                let mut ids = HashSet::new();
                for entry in &entries {
                    assert!(ids.insert(entry.id.as_str()), "id {:?} imported twice", entry.id);
                }
                for warning in &warnings {
                    assert!(!warning.to_string().is_empty());
                }
                lists.push(Watchlist {
                    name: format!("list-{index}"),
                    owner: "fuzz".to_owned(),
                    tlp: Tlp::Clear,
                    version: 1,
                    entries,
                });
            }
            Err(error) => assert!(!error.to_string().is_empty()),
        }
    }
    let now = jiff::Timestamp::from_second(1_780_000_000).expect("a valid time");
    let (screener, _warnings) = Screener::compile(&lists, now);
    let item = ItemFields {
        id: None,
        title: Some("Watchlist fuzzing"),
        body: TEXT,
        source: "fuzz",
        lang: Some("en"),
        tlp: Tlp::Green,
        grade: AdmiraltyGrade::default(),
        date: now,
    };
    let mut scratch = ScreenScratch::default();
    for hit in screener.screen(&item, &mut scratch) {
        assert!((hit.entry as usize) < screener.entries().len());
    }
});
