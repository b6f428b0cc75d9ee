//! Watchlist imports on small real samples (`test_data/import/`, sources in its README): what
//! each format becomes, what is warned about, what is refused, and that imported lists screen.

use expect_test::{Expect, expect};
use jiff::Timestamp;
use muninn_model::{AdmiraltyGrade, Tlp};
use muninn_screen::import::{self, ImportError, Imported};
use muninn_screen::{EntryKind, ItemFields, ScreenScratch, Screener, Watchlist};

/// An import to run: the parser and its sample file(s).
enum Input {
    Csv(&'static str),
    Un(&'static str),
    Ofac(&'static str, Option<&'static str>),
    Misp(&'static str),
}

fn sample(name: &str) -> Vec<u8> {
    let path = format!("{}/test_data/import/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|error| panic!("{path}: {error}"))
}

fn run(input: &Input) -> Result<Imported, ImportError> {
    match input {
        Input::Csv(name) => import::csv(&sample(name)),
        Input::Un(name) => import::un_consolidated(&sample(name)),
        Input::Ofac(sdn, alt) => import::ofac_sdn(&sample(sdn), alt.map(sample).as_deref()),
        Input::Misp(name) => import::misp_galaxy(&sample(name)),
    }
}

/// The longest alias list printed whole; longer ones are cut with a count of the rest.
const SHOWN_ALIASES: usize = 8;

/// Imports `input` and renders each entry (id, kind, severity, what it looks for, aliases,
/// note) and each warning, or the error.
fn check(input: Input, expect: Expect) {
    let imported = match run(&input) {
        Ok(imported) => imported,
        Err(error) => return expect.assert_eq(&format!("error: {error}\n")),
    };
    let mut out = vec![format!("entries: {}, warnings: {}", imported.entries.len(), imported.warnings.len())];
    for entry in &imported.entries {
        let (what, aliases) = match &entry.kind {
            EntryKind::Name { name, aliases } => (name.as_str(), aliases.as_slice()),
            EntryKind::Indicator { value } => (value.as_str(), &[][..]),
            EntryKind::Pattern { regex } => (regex.as_str(), &[][..]),
            EntryKind::Rule { query } => (query.as_str(), &[][..]),
        };
        out.push(format!("{} {} {} {what:?}", entry.id, entry.kind.as_str(), entry.severity));
        if !aliases.is_empty() {
            let shown: Vec<String> =
                aliases.iter().take(SHOWN_ALIASES).map(|alias| format!("{alias:?}")).collect();
            let more = aliases.len().saturating_sub(SHOWN_ALIASES);
            let more = if more > 0 { format!(" +{more} more") } else { String::new() };
            out.push(format!("    aliases ({}): {}{more}", aliases.len(), shown.join(", ")));
        }
        if !entry.note.is_empty() {
            out.push(format!("    note: {}", entry.note));
        }
    }
    out.extend(imported.warnings.iter().map(|warning| format!("warning: {warning}")));
    expect.assert_eq(&(out.join("\n") + "\n"));
}

#[test]
fn csv_watchlist() {
    check(
        Input::Csv("watchlist.csv"),
        expect![[r#"
            entries: 6, warnings: 0
            harbor name high "Harbor Bank Co"
                aliases (2): "Harbour Bank", "HBC Holdings"
                note: front company named in the March report
            line 3 name medium "Viktor Petrovich Lebedev"
                aliases (2): "Виктор Петрович Лебедев", "V. P. Lebedev"
            c2-1 indicator critical "evil-update[.]example"
                note: C2 domain, defanged as received
            c2-2 indicator high "203.0.113.77"
            wallet-pattern pattern medium "\\bbc1q[0-9a-z]{38}\\b"
                note: bech32 wallet address
            lang-rule rule low "watchlist:\"UN-1267\" AND lang:ar"
                note: UN hits in Arabic material
        "#]],
    );
}

#[test]
fn csv_with_bom_and_only_a_value_column() {
    check(
        Input::Csv("watchlist-bom-minimal.csv"),
        expect![[r#"
            entries: 1, warnings: 0
            line 2 name medium "Operation Dusk"
        "#]],
    );
}

#[test]
fn csv_bad_rows_are_named_by_line_and_the_rest_imported() {
    check(
        Input::Csv("bad-rows.csv"),
        expect![[r#"
            entries: 2, warnings: 7
            ok-1 name high "Harbor Bank Co"
                note: kept
            ok-7 name medium "Short Row"
            warning: line 1: column "colour" is not one of ["id", "kind", "value", "aliases", "severity", "note"]; it is ignored
            warning: line 3: kind "person" is not one of name, indicator, pattern, rule; the row is left out
            warning: line 4: severity "urgent" is not one of low, medium, high, critical; the row is left out
            warning: line 5: the value is empty; the row is left out
            warning: line 6: id "ok-1" is already taken by an earlier row; the row is left out
            warning: line 7: aliases are for names, not indicators; the row is left out
            warning: line 8: 9 fields but the header names 7 columns (an unquoted comma?); the row is left out
        "#]],
    );
}

#[test]
fn un_consolidated_list() {
    check(
        Input::Un("un-consolidated.xml"),
        expect![[r#"
            entries: 10, warnings: 0
            CDi.001 name high "ERIC BADEGE"
                note: UN DRC CDi.001, listed 2012-12-31: He fled to Rwanda in March 2013 and is still living there as of early 2016.
            IQi.001 name high "SADDAM HUSSEIN AL-TIKRITI"
                aliases (2): "Abu Ali", "صدام حسين التكريتي"
                note: UN Iraq IQi.001, listed 2003-06-27, 1 of 1 aliases low quality
            QDi.299 name high "IBRAHIM AWWAD IBRAHIM ALI AL-BADRI AL-SAMARRAI"
                aliases (7): "Dr. Ibrahim ‘Awwad Ibrahim ’Ali al-Badri al-Samarrai’", "أبو دعاء", "Dr. Ibrahim", "أبو بكر البغدادي الحسيني القريشي", "Abu Bakr al-Baghdadi al-Husayni al-Quraishi", "Abu Bakr al-Baghdadi", "إبراهيم عواد إبراهيم علي البدري السامرائي"
                note: UN Al-Qaida QDi.299, listed 2011-10-05, 3 of 4 aliases low quality: Description: Height: 1.65 m. Weight: 85 kg. Black hair and eyes. White skin. Leader of Islamic State in Iraq and the Levant, listed as Al-Qaida in Iraq (AQI) (QDe.115). Was based in Iraq and Syria. Declared himself “caliph” in Mosul in 2014. Responsible for managing and directing AQI large scale…
            IRi.034 name high "M. JAVAD KARIMI SABET"
                aliases (5): "Mohammed Sabet", "Mohammad Sabet", "M. Javad Kareemi Sabet", "M. Jawad Kareemi Sabet", "M. Jawad Karimi Sabet"
                note: UN Iran IRi.034, listed 2008-03-03: [Old Reference # I.03.I.8]
            QDi.326 name high "HAMID HAMAD HAMID AL-‘ALI"
                note: UN Al-Qaida QDi.326, listed 2014-08-15: A Kuwait-based financier, recruiter and facilitator for Islamic State in Iraq and the Levant, listed as Al-Qaida in Iraq (QDe.115), and Jabhat al-Nusrah, listed as Al-Nusrah Front for the People of the Levant (QDe.137). Associated with Ibrahim Awwad Ibrahim Ali al-Badri al-Samarrai (QDi.299) and…
            CDe.001 name high "ADF"
                aliases (4): "Allied Democratic Forces", "Forces Démocratiques Alliées-Armée Nationale de Libération de l’Ouganda", "ADF/NALU", "NALU"
                note: UN DRC CDe.001, listed 2014-06-30: ADF founder and leader, Jamil Mukulu (CDi.015), was arrested in Dar es Salaam, Tanzania in April 2015. He was subsequently extradited to Kampala, Uganda in July 2015. As of June 2016, Mukulu is reportedly being held in a police detention cell awaiting his trial. Seka Baluku (CDi.036) succeeded…
            CDe.003 name high "COMPAGNIE AERIENNE DES GRANDS LACS"
                aliases (3): "GREAT LAKES BUSINESS COMPANY", "CAGL", "GLBC"
                note: UN DRC CDe.003, listed 2007-03-29: As of December 2008, GLBC no longer had any operational aircraft, although several aircraft continued flying in 2008 despite UN sanctions.
            QDe.115 name high "AL-QAIDA IN IRAQ"
                aliases (17): "AQI", "al-Tawhid", "the Monotheism and Jihad Group", "Qaida of the Jihad in the Land of the Two Rivers", "Al-Qaida of Jihad in the Land of the Two Rivers", "The Organization of Jihad’s Base in the Country of the Two Rivers", "The Organization Base of Jihad/Country of the Two Rivers", "The Organization Base of Jihad/Mesopotamia" +9 more
                note: UN Al-Qaida QDe.115, listed 2004-10-18: Review pursuant to Security Council resolution 1822 (2008) was concluded on 25 May 2010. Review pursuant to Security Council resolution 2368 (2017) was concluded on 24 November 2020.
            QDe.137 name high "AL-NUSRAH FRONT FOR THE PEOPLE OF THE LEVANT"
                aliases (33): "Hay’at Tahrir al-Sham", "HTS", "هيئة تحرير الشام", "Hay’et Tahrir al-Sham", "Hayat Tahrir al-Sham", "Assembly for the Liberation of Syria", "Assembly for the Liberation of the Levant", "Liberation of al-Sham Commission" +25 more
                note: UN Al-Qaida QDe.137, listed 2014-05-14: Associated with Al-Qaida (QDe.004). Brought Syrian and foreign Al-Qaida in Iraq (QDe.115) and Asbat al-Ansar (QDe.007) fighters, along with other foreign Al-Qaida operatives, to join local elements in Syrian Arab Republic to carry out terrorist and guerrilla operations there. Previously associated…
            KPe.001 name high "KOREA MINING DEVELOPMENT TRADING CORPORATION"
                aliases (4): "CHANGGWANG SINYONG CORPORATION", "EXTERNAL TECHNOLOGY GENERAL CORPORATION", "DPRKN MINING DEVELOPMENT TRADING COOPERATION", "KOMID"
                note: UN DPRK KPe.001, listed 2009-04-24: Primary arms dealer and main exporter of goods and equipment related to ballistic missiles and conventional weapons.
        "#]],
    );
}

#[test]
fn un_record_without_a_name_is_named_and_left_out() {
    check(
        Input::Un("un-record-without-name.xml"),
        expect![[r#"
            entries: 9, warnings: 1
            CDi.001 name high "ERIC BADEGE"
                note: UN DRC CDi.001, listed 2012-12-31: He fled to Rwanda in March 2013 and is still living there as of early 2016.
            QDi.299 name high "IBRAHIM AWWAD IBRAHIM ALI AL-BADRI AL-SAMARRAI"
                aliases (7): "Dr. Ibrahim ‘Awwad Ibrahim ’Ali al-Badri al-Samarrai’", "أبو دعاء", "Dr. Ibrahim", "أبو بكر البغدادي الحسيني القريشي", "Abu Bakr al-Baghdadi al-Husayni al-Quraishi", "Abu Bakr al-Baghdadi", "إبراهيم عواد إبراهيم علي البدري السامرائي"
                note: UN Al-Qaida QDi.299, listed 2011-10-05, 3 of 4 aliases low quality: Description: Height: 1.65 m. Weight: 85 kg. Black hair and eyes. White skin. Leader of Islamic State in Iraq and the Levant, listed as Al-Qaida in Iraq (AQI) (QDe.115). Was based in Iraq and Syria. Declared himself “caliph” in Mosul in 2014. Responsible for managing and directing AQI large scale…
            IRi.034 name high "M. JAVAD KARIMI SABET"
                aliases (5): "Mohammed Sabet", "Mohammad Sabet", "M. Javad Kareemi Sabet", "M. Jawad Kareemi Sabet", "M. Jawad Karimi Sabet"
                note: UN Iran IRi.034, listed 2008-03-03: [Old Reference # I.03.I.8]
            QDi.326 name high "HAMID HAMAD HAMID AL-‘ALI"
                note: UN Al-Qaida QDi.326, listed 2014-08-15: A Kuwait-based financier, recruiter and facilitator for Islamic State in Iraq and the Levant, listed as Al-Qaida in Iraq (QDe.115), and Jabhat al-Nusrah, listed as Al-Nusrah Front for the People of the Levant (QDe.137). Associated with Ibrahim Awwad Ibrahim Ali al-Badri al-Samarrai (QDi.299) and…
            CDe.001 name high "ADF"
                aliases (4): "Allied Democratic Forces", "Forces Démocratiques Alliées-Armée Nationale de Libération de l’Ouganda", "ADF/NALU", "NALU"
                note: UN DRC CDe.001, listed 2014-06-30: ADF founder and leader, Jamil Mukulu (CDi.015), was arrested in Dar es Salaam, Tanzania in April 2015. He was subsequently extradited to Kampala, Uganda in July 2015. As of June 2016, Mukulu is reportedly being held in a police detention cell awaiting his trial. Seka Baluku (CDi.036) succeeded…
            CDe.003 name high "COMPAGNIE AERIENNE DES GRANDS LACS"
                aliases (3): "GREAT LAKES BUSINESS COMPANY", "CAGL", "GLBC"
                note: UN DRC CDe.003, listed 2007-03-29: As of December 2008, GLBC no longer had any operational aircraft, although several aircraft continued flying in 2008 despite UN sanctions.
            QDe.115 name high "AL-QAIDA IN IRAQ"
                aliases (17): "AQI", "al-Tawhid", "the Monotheism and Jihad Group", "Qaida of the Jihad in the Land of the Two Rivers", "Al-Qaida of Jihad in the Land of the Two Rivers", "The Organization of Jihad’s Base in the Country of the Two Rivers", "The Organization Base of Jihad/Country of the Two Rivers", "The Organization Base of Jihad/Mesopotamia" +9 more
                note: UN Al-Qaida QDe.115, listed 2004-10-18: Review pursuant to Security Council resolution 1822 (2008) was concluded on 25 May 2010. Review pursuant to Security Council resolution 2368 (2017) was concluded on 24 November 2020.
            QDe.137 name high "AL-NUSRAH FRONT FOR THE PEOPLE OF THE LEVANT"
                aliases (33): "Hay’at Tahrir al-Sham", "HTS", "هيئة تحرير الشام", "Hay’et Tahrir al-Sham", "Hayat Tahrir al-Sham", "Assembly for the Liberation of Syria", "Assembly for the Liberation of the Levant", "Liberation of al-Sham Commission" +25 more
                note: UN Al-Qaida QDe.137, listed 2014-05-14: Associated with Al-Qaida (QDe.004). Brought Syrian and foreign Al-Qaida in Iraq (QDe.115) and Asbat al-Ansar (QDe.007) fighters, along with other foreign Al-Qaida operatives, to join local elements in Syrian Arab Republic to carry out terrorist and guerrilla operations there. Previously associated…
            KPe.001 name high "KOREA MINING DEVELOPMENT TRADING CORPORATION"
                aliases (4): "CHANGGWANG SINYONG CORPORATION", "EXTERNAL TECHNOLOGY GENERAL CORPORATION", "DPRKN MINING DEVELOPMENT TRADING COOPERATION", "KOMID"
                note: UN DPRK KPe.001, listed 2009-04-24: Primary arms dealer and main exporter of goods and equipment related to ballistic missiles and conventional weapons.
            warning: INDIVIDUAL IQi.001: the record has no name; it is left out
        "#]],
    );
}

#[test]
fn ofac_sdn_with_alternate_names_and_wallets() {
    check(
        Input::Ofac("ofac-sdn.csv", Some("ofac-alt.csv")),
        expect![[r#"
            entries: 76, warnings: 2
            SDN-36 name high "AEROCARIBBEAN AIRLINES"
                aliases (1): "AERO-CARIBBEAN"
                note: OFAC SDN [CUBA] entity
            SDN-306 name high "BANCO NACIONAL DE CUBA"
                aliases (1): "NATIONAL BANK OF CUBA"
                note: OFAC SDN [CUBA] entity: a.k.a. 'BNC'.
            SDN-2686 name high "Hasan NASRALLAH"
                aliases (3): "NASRALLAH, Hasan", "Hasan Abd-al-Karim NASRALLAH", "NASRALLAH, Hasan Abd-al-Karim"
                note: OFAC SDN [SDGT] [SYRIA] individual: DOB 31 Aug 1960; alt. DOB 31 Aug 1953; alt. DOB 31 Aug 1955; alt. DOB 31 Aug 1958; POB Al Basuriyah, Lebanon; Additional Sanctions Information - Subject to Secondary Sanctions Pursuant to the Hizballah Financial Sanctions Regulations; Gender Male; Passport 042833 (Lebanon); Secretary General of…
            SDN-3754 name high "Mousa Mohammed ABU MARZOOK"
                aliases (11): "ABU MARZOOK, Mousa Mohammed", "Musa Abu MARZUK", "MARZUK, Musa Abu", "Dr. Musa ABU-MARZUQ", "ABU-MARZUQ, Dr. Musa", "Mousa Mohamed Abou MARZOOK", "MARZOOK, Mousa Mohamed Abou", "Sa'id ABU-MARZUQ" +3 more
                note: OFAC SDN [SDGT] individual: DOB 09 Feb 1951; POB Gaza, Egypt; Passport 92/664 (Egypt); SSN 523-33-8386 (United States); Political Leader in Amman, Jordan and Damascus, Syria for HAMAS; a.k.a. 'ABU-'UMAR'.
            SDN-4234 name high "HERMANN"
                note: OFAC SDN [CUBA] vessel
            SDN-4632 name high "BANK MARKAZI JOMHOURI ISLAMI IRAN"
                aliases (3): "CENTRAL BANK OF THE ISLAMIC REPUBLIC OF IRAN", "BANK MARKAZI IRAN", "CENTRAL BANK OF IRAN"
                note: OFAC SDN [IRAN] [SDGT] [IRGC] [IFSR] entity: Additional Sanctions Information - Subject to Secondary Sanctions; Linked To: ISLAMIC REVOLUTIONARY GUARD CORPS (IRGC)-QODS FORCE; Linked To: HIZBALLAH.
            SDN-6365 name high "Usama bin Muhammad bin Awad BIN LADIN"
                aliases (11): "BIN LADIN, Usama bin Muhammad bin Awad", "Usama BIN LADIN", "BIN LADIN, Usama", "Usama BIN LADEN", "BIN LADEN, Usama", "Osama BIN LADEN", "BIN LADEN, Osama", "Osama BIN LADIN" +3 more
                note: OFAC SDN [SDGT] individual: DOB 30 Jul 1957; alt. DOB 1958; POB Jeddah, Saudi Arabia; alt. POB Yemen.
            SDN-6703 name high "Jose de Jesus AMEZCUA CONTRERAS"
                aliases (11): "AMEZCUA CONTRERAS, Jose de Jesus", "Chuey AMESCUA", "AMESCUA, Chuey", "Chuy AMEZCUA", "AMEZCUA, Chuy", "Jesus AMEZCUA CONTRERAS", "AMEZCUA CONTRERAS, Jesus", "Jose de Jesus AMEZCUA" +3 more
                note: OFAC SDN [SDNTK] individual: DOB 31 Jul 1964; alt. DOB 31 Jul 1964; alt. DOB 31 Jul 1965; POB Mexico.
            SDN-15431 name high "EP-GOM"
                note: OFAC SDN [SDGT] aircraft: Aircraft Construction Number (also called L/N or S/N or F/N) 8401; Aircraft Manufacture Date 1992; Aircraft Model IL76-TD; Aircraft Operator YAS AIR; Aircraft Manufacturer's Serial Number (MSN) 1023409321; Linked To: POUYA AIR.
            SDN-25308 name high "Xiaobing YAN"
                aliases (1): "YAN, Xiaobing"
                note: OFAC SDN [SDNTK] individual: DOB 25 Mar 1977; POB Wuhan City, Hubei, China; citizen China; Gender Male; Digital Currency Address - XBT 12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h; alt. Digital Currency Address - XBT 1Kuf2Rd8mDyAViwBozGTNYnvWL8uYFrkVo; alt. Digital Currency Address - XBT 13f59kUM5FU8MfTG7DCEugYarDhSD7XCoC; alt. Digital…
            SDN-25308-addr-1 indicator high "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h"
                note: OFAC SDN [SDNTK] XBT address of SDN-25308, Xiaobing YAN
            SDN-25308-addr-2 indicator high "1Kuf2Rd8mDyAViwBozGTNYnvWL8uYFrkVo"
                note: OFAC SDN [SDNTK] XBT address of SDN-25308, Xiaobing YAN
            SDN-25308-addr-3 indicator high "13f59kUM5FU8MfTG7DCEugYarDhSD7XCoC"
                note: OFAC SDN [SDNTK] XBT address of SDN-25308, Xiaobing YAN
            SDN-25308-addr-4 indicator high "1P3ZfGFLezzYGg9k5SVzQmnjyh7nrUmF2y"
                note: OFAC SDN [SDNTK] XBT address of SDN-25308, Xiaobing YAN
            SDN-25308-addr-5 indicator high "1EpMiZkQVekM5ij12nMiEwttFPcDK9XhX6"
                note: OFAC SDN [SDNTK] XBT address of SDN-25308, Xiaobing YAN
            SDN-25308-addr-6 indicator high "1JREJdZupiFhE7ZzQPtASuMCvvpXC7wRsC"
                note: OFAC SDN [SDNTK] XBT address of SDN-25308, Xiaobing YAN
            SDN-26137 name high "Ali KHORASHADIZADEH"
                aliases (1): "KHORASHADIZADEH, Ali"
                note: OFAC SDN [CYBER2] individual: DOB 21 Sep 1979; POB Tehran, Iran; nationality Iran; Email Address iranvisacart@yahoo.com; alt. Email Address mastercartaria@yahoo.com; alt. Email Address alikhorashadi@yahoo.com; alt. Email Address toppglasses@gmail.com; alt. Email Address iranian_boy5@yahoo.com; Additional Sanctions Information…
            SDN-26137-addr-1 indicator high "149w62rY42aZBox8fGcmqNsXUzSStKeq8C"
                note: OFAC SDN [CYBER2] XBT address of SDN-26137, Ali KHORASHADIZADEH
            SDN-26323 name high "Guanghua ZHENG"
                aliases (1): "ZHENG, Guanghua"
                note: OFAC SDN [SDNTK] individual: DOB 04 Nov 1955; POB Shanghai, China; nationality China; citizen China; Email Address zhenguanghua1955@outlook.com; alt. Email Address zhenguanghua1955@gmail.com; Gender Male; Digital Currency Address - XBT 33Kja69SQVc8kozpoP7Qw6HFtGxHkiWzTz; alt. Digital Currency Address - XBT…
            SDN-26323-addr-1 indicator high "33Kja69SQVc8kozpoP7Qw6HFtGxHkiWzTz"
                note: OFAC SDN [SDNTK] XBT address of SDN-26323, Guanghua ZHENG
            SDN-26323-addr-2 indicator high "3MkUNScqf21EcfWq6T4x2MFgBeSTqhB5t6"
                note: OFAC SDN [SDNTK] XBT address of SDN-26323, Guanghua ZHENG
            SDN-26323-addr-3 indicator high "18uKfaUjgG52rVeXEi3wxnveww7zZuECtE"
                note: OFAC SDN [SDNTK] XBT address of SDN-26323, Guanghua ZHENG
            SDN-26323-addr-4 indicator high "LaizKtS5DUhPuP1nTQcc83MS7HwK6vk85z"
                note: OFAC SDN [SDNTK] LTC address of SDN-26323, Guanghua ZHENG
            SDN-29584 name high "Danil POTEKHIN"
                aliases (1): "POTEKHIN, Danil"
                note: OFAC SDN [CYBER2] individual: DOB 14 Sep 1995; alt. DOB 14 Sep 1990; alt. DOB 08 Aug 1990; Email Address potekhinl4@bk.ru; Gender Male; Digital Currency Address - XBT 1Q9UAQbcDezmyouFrzt94t4dSMxgsUfW1X; alt. Digital Currency Address - XBT 1Kys8fqDen8NGFUJ6AFcXfFW5qquuTH4eh; Digital Currency Address - ETH…
            SDN-29584-addr-1 indicator high "1Q9UAQbcDezmyouFrzt94t4dSMxgsUfW1X"
                note: OFAC SDN [CYBER2] XBT address of SDN-29584, Danil POTEKHIN
            SDN-29584-addr-2 indicator high "1Kys8fqDen8NGFUJ6AFcXfFW5qquuTH4eh"
                note: OFAC SDN [CYBER2] XBT address of SDN-29584, Danil POTEKHIN
            SDN-29584-addr-3 indicator high "0x7F367cC41522cE07553e823bf3be79A889DEbe1B"
                note: OFAC SDN [CYBER2] ETH address of SDN-29584, Danil POTEKHIN
            SDN-29585 name high "Dmitrii KARASAVIDI"
                aliases (3): "KARASAVIDI, Dmitrii", "Dmitriy KARASAVIDI", "KARASAVIDI, Dmitriy"
                note: OFAC SDN [CYBER2] individual: DOB 09 Jul 1985; Email Address 2000@911.af; alt. Email Address dm.karasavi@yandex.ru; Gender Male; Digital Currency Address - XBT 1Q6saNmqKkyFB9mFR68Ck8F7Dp7dTopF2W; alt. Digital Currency Address - XBT 1DDA93oZPn7wte2eR1ABwcFoxUFxkKMwCf; Digital Currency Address - ETH…
            SDN-29585-addr-1 indicator high "1Q6saNmqKkyFB9mFR68Ck8F7Dp7dTopF2W"
                note: OFAC SDN [CYBER2] XBT address of SDN-29585, Dmitrii KARASAVIDI
            SDN-29585-addr-2 indicator high "1DDA93oZPn7wte2eR1ABwcFoxUFxkKMwCf"
                note: OFAC SDN [CYBER2] XBT address of SDN-29585, Dmitrii KARASAVIDI
            SDN-29585-addr-3 indicator high "0xd882cfc20f52f2599d84b8e8d58c7fb62cfe344b"
                note: OFAC SDN [CYBER2] ETH/ETC address of SDN-29585, Dmitrii KARASAVIDI
            SDN-29585-addr-4 indicator high "5be5543ff73456ab9f2d207887e2af87322c651ea1a873c5b25b7ffae456c320"
                note: OFAC SDN [CYBER2] XMR address of SDN-29585, Dmitrii KARASAVIDI
            SDN-29585-addr-5 indicator high "LNwgtMxcKUQ51dw7bQL1yPQjBVZh6QEqsd"
                note: OFAC SDN [CYBER2] LTC address of SDN-29585, Dmitrii KARASAVIDI
            SDN-29585-addr-6 indicator high "t1g7wowvQ8gn2v8jrU1biyJ26sieNqNsBJy"
                note: OFAC SDN [CYBER2] ZEC address of SDN-29585, Dmitrii KARASAVIDI
            SDN-29585-addr-7 indicator high "XnPFsRWTaSgiVauosEwQ6dEitGYXgwznz2"
                note: OFAC SDN [CYBER2] DASH address of SDN-29585, Dmitrii KARASAVIDI
            SDN-29585-addr-8 indicator high "GPwg61XoHqQPNmAucFACuQ5H9sGCDv9TpS"
                note: OFAC SDN [CYBER2] BTG address of SDN-29585, Dmitrii KARASAVIDI
            SDN-29702 name high "Artem Mikhaylovich LIFSHITS"
                aliases (1): "LIFSHITS, Artem Mikhaylovich"
                note: OFAC SDN [CYBER2] [ELECTION-EO13848] individual: DOB 26 Dec 1992; nationality Russia; Email Address mycryptodeals@yandex.ru; alt. Email Address artemlv@hotmail.com; Gender Male; Digital Currency Address - XBT 12udabs2TkX7NXCSj6KpqXfakjE52ZPLhz; alt. Digital Currency Address - XBT 1DT3tenf14cxz9WFNxmYrXFbB6TFiVWA9U; Digital Currency Address - ETH…
            SDN-29702-addr-1 indicator high "12udabs2TkX7NXCSj6KpqXfakjE52ZPLhz"
                note: OFAC SDN [CYBER2] [ELECTION-EO13848] XBT address of SDN-29702, Artem Mikhaylovich LIFSHITS
            SDN-29702-addr-2 indicator high "1DT3tenf14cxz9WFNxmYrXFbB6TFiVWA9U"
                note: OFAC SDN [CYBER2] [ELECTION-EO13848] XBT address of SDN-29702, Artem Mikhaylovich LIFSHITS
            SDN-29702-addr-3 indicator high "0x901bb9583b24d97e995513c6778dc6888ab6870e"
                note: OFAC SDN [CYBER2] [ELECTION-EO13848] ETH address of SDN-29702, Artem Mikhaylovich LIFSHITS
            SDN-29702-addr-4 indicator high "0xa7e5d5a720f06526557c513402f2e6b5fa20b00"
                note: OFAC SDN [CYBER2] [ELECTION-EO13848] ETH address of SDN-29702, Artem Mikhaylovich LIFSHITS
            SDN-29702-addr-5 indicator high "Leo3j36nn1JcsUQruytQhFUdCdCH5YHMR3"
                note: OFAC SDN [CYBER2] [ELECTION-EO13848] LTC address of SDN-29702, Artem Mikhaylovich LIFSHITS
            SDN-29702-addr-6 indicator high "Xs3vzQmNvAxRa3Xo8XzQqUb3BMgb9EogF4"
                note: OFAC SDN [CYBER2] [ELECTION-EO13848] DASH address of SDN-29702, Artem Mikhaylovich LIFSHITS
            SDN-29703 name high "Anton Nikolaeyvich ANDREYEV"
                aliases (1): "ANDREYEV, Anton Nikolaeyvich"
                note: OFAC SDN [CYBER2] [ELECTION-EO13848] individual: DOB 03 Mar 1985; POB Saint Petersburg, Russia; nationality Russia; Email Address antonandreyv@gmail.com; Gender Male; Digital Currency Address - XBT 1Fz29BQp82pE3vXXcsZoMNQ3KSHfMzfMe3; alt. Digital Currency Address - XBT 1AeSq93WDNdLoEJ92sex7T8xQZoYYm8BtS; alt. Digital Currency Address - XBT…
            SDN-29703-addr-1 indicator high "1Fz29BQp82pE3vXXcsZoMNQ3KSHfMzfMe3"
                note: OFAC SDN [CYBER2] [ELECTION-EO13848] XBT address of SDN-29703, Anton Nikolaeyvich ANDREYEV
            SDN-29703-addr-2 indicator high "1AeSq93WDNdLoEJ92sex7T8xQZoYYm8BtS"
                note: OFAC SDN [CYBER2] [ELECTION-EO13848] XBT address of SDN-29703, Anton Nikolaeyvich ANDREYEV
            SDN-29703-addr-3 indicator high "1AoxtfiBQ22DvbhqAN9Ctb8sULMRhrdwTr"
                note: OFAC SDN [CYBER2] [ELECTION-EO13848] XBT address of SDN-29703, Anton Nikolaeyvich ANDREYEV
            SDN-29703-addr-4 indicator high "18Qj1THHuETfYhuRDZycXJbWwDMGw73Poa"
                note: OFAC SDN [CYBER2] [ELECTION-EO13848] XBT address of SDN-29703, Anton Nikolaeyvich ANDREYEV
            SDN-29703-addr-5 indicator high "1MnbhWe5wr7Ut45ReyQsm96PwnM9jD7KaH"
                note: OFAC SDN [CYBER2] [ELECTION-EO13848] XBT address of SDN-29703, Anton Nikolaeyvich ANDREYEV
            SDN-29703-addr-6 indicator high "1DYFJ6CuBvrxyoQSuBzVsNcetY9tvdsrag"
                note: OFAC SDN [CYBER2] [ELECTION-EO13848] XBT address of SDN-29703, Anton Nikolaeyvich ANDREYEV
            SDN-29703-addr-7 indicator high "15Pt4NwZaUmMUwS2bQbyyncc7mzgWShtv8"
                note: OFAC SDN [CYBER2] [ELECTION-EO13848] XBT address of SDN-29703, Anton Nikolaeyvich ANDREYEV
            SDN-29703-addr-8 indicator high "1PhqQpaGCrqSxQ6QDXcv14QCd1U98Zp34E"
                note: OFAC SDN [CYBER2] [ELECTION-EO13848] XBT address of SDN-29703, Anton Nikolaeyvich ANDREYEV
            SDN-29703-addr-9 indicator high "13YBQr2Cp1YY3xqq2qngaPb7ca1o4ugeq6"
                note: OFAC SDN [CYBER2] [ELECTION-EO13848] XBT address of SDN-29703, Anton Nikolaeyvich ANDREYEV
            SDN-29703-addr-10 indicator high "1KgudqxMfYaGzqAA7MS4DcsqejtMteqhix"
                note: OFAC SDN [CYBER2] [ELECTION-EO13848] XBT address of SDN-29703, Anton Nikolaeyvich ANDREYEV
            SDN-29703-addr-11 indicator high "1FRyL9gmFGbzfYDAB4iY9836DJe3KSnjP9"
                note: OFAC SDN [CYBER2] [ELECTION-EO13848] XBT address of SDN-29703, Anton Nikolaeyvich ANDREYEV
            SDN-29703-addr-12 indicator high "1DbShx4r8i2XesthoDBf5EkYWz5dsKEusV"
                note: OFAC SDN [CYBER2] [ELECTION-EO13848] XBT address of SDN-29703, Anton Nikolaeyvich ANDREYEV
            SDN-30518 name high "SECONDEYE SOLUTION"
                aliases (1): "FORWARDERZ"
                note: OFAC SDN [CYBER2] [ELECTION-EO13848] entity: Website secondeyesolution.su; alt. Website secondeyesolution.ch; alt. Website secondeyesolution.ru; alt. Website secondeyesolution.com; alt. Website forwarderz.com; alt. Website secondeyehost.com; Email Address support@secondeyesolution.com; alt. Email Address info@forwarderz.com; alt. Email…
            SDN-30518-addr-1 indicator high "1NE2NiGhhbkFPSEyNWwj7hKGhGDedBtSrQ"
                note: OFAC SDN [CYBER2] [ELECTION-EO13848] XBT address of SDN-30518, SECONDEYE SOLUTION
            SDN-30518-addr-2 indicator high "19D8PHBjZH29uS1uPZ4m3sVyqqfF8UFG9o"
                note: OFAC SDN [CYBER2] [ELECTION-EO13848] XBT address of SDN-30518, SECONDEYE SOLUTION
            SDN-30518-addr-3 indicator high "1EYitrwBYNWuTBcjZFbEUdqHppe2raLpaF"
                note: OFAC SDN [CYBER2] [ELECTION-EO13848] XBT address of SDN-30518, SECONDEYE SOLUTION
            SDN-30518-addr-4 indicator high "1G9CKRHA3mx22DoT1QyNYrh85VSQ19Y1em"
                note: OFAC SDN [CYBER2] [ELECTION-EO13848] XBT address of SDN-30518, SECONDEYE SOLUTION
            SDN-30518-addr-5 indicator high "182NGZbPJXwg2WDrhrPpR7tpiGQkNPF844"
                note: OFAC SDN [CYBER2] [ELECTION-EO13848] XBT address of SDN-30518, SECONDEYE SOLUTION
            SDN-30518-addr-6 indicator high "1NayLEVF3bEEbDtdF2Cwso1VdEtvVNh2qX"
                note: OFAC SDN [CYBER2] [ELECTION-EO13848] XBT address of SDN-30518, SECONDEYE SOLUTION
            SDN-30518-addr-7 indicator high "16PhXY3hNNMTo8kpuJx2emh713KbWpkqci"
                note: OFAC SDN [CYBER2] [ELECTION-EO13848] XBT address of SDN-30518, SECONDEYE SOLUTION
            SDN-30520 name high "Mujtaba Ali RAZA"
                aliases (5): "RAZA, Mujtaba Ali", "Mujtaba RAZA", "RAZA, Mujtaba", "Mujtaba Ali LILANI", "LILANI, Mujtaba Ali"
                note: OFAC SDN [CYBER2] [ELECTION-EO13848] individual: DOB 21 Oct 1987; nationality Pakistan; Email Address threatcc@gmail.com; alt. Email Address mujtaba@forwarderz.com; Gender Male; Digital Currency Address - XBT 1KSAbh5trMCTZwhiNsuUQvfTtSSTT8zqRk; alt. Digital Currency Address - XBT 1BiUFjzH6wsT73U3tfy4aXHCQsYQHzjk5h; Digital Currency Address - LTC…
            SDN-30520-addr-1 indicator high "1KSAbh5trMCTZwhiNsuUQvfTtSSTT8zqRk"
                note: OFAC SDN [CYBER2] [ELECTION-EO13848] XBT address of SDN-30520, Mujtaba Ali RAZA
            SDN-30520-addr-2 indicator high "1BiUFjzH6wsT73U3tfy4aXHCQsYQHzjk5h"
                note: OFAC SDN [CYBER2] [ELECTION-EO13848] XBT address of SDN-30520, Mujtaba Ali RAZA
            SDN-30520-addr-3 indicator high "LeKvNdNEzgQkzVVnRdV3fAu2DSF1nLsNw6"
                note: OFAC SDN [CYBER2] [ELECTION-EO13848] LTC address of SDN-30520, Mujtaba Ali RAZA
            SDN-30520-addr-4 indicator high "DFFJhnQNZf8rf67tYnesPu7MuGUpYtzv7Z"
                note: OFAC SDN [CYBER2] [ELECTION-EO13848] XVG address of SDN-30520, Mujtaba Ali RAZA
            SDN-31164 name high "ASSOCIATION FOR FREE RESEARCH AND INTERNATIONAL COOPERATION"
                note: OFAC SDN [UKRAINE-EO13661] [CYBER2] [ELECTION-EO13848] entity: Email Address Africonline@protonmail.com; Digital Currency Address - ZEC t1MMXtBrSp1XG38Lx9cePcNUCJj5vdWfUWL; Digital Currency Address - DASH XyARKoupuArYtToA2S6yMdnoquDCDaBsaT; a.k.a. 'AFRIC'; Linked To: PRIGOZHIN, Yevgeniy Viktorovich.
            SDN-31164-addr-1 indicator high "t1MMXtBrSp1XG38Lx9cePcNUCJj5vdWfUWL"
                note: OFAC SDN [UKRAINE-EO13661] [CYBER2] [ELECTION-EO13848] ZEC address of SDN-31164, ASSOCIATION FOR FREE RESEARCH AND INTERNATIONAL COOPERATION
            SDN-31164-addr-2 indicator high "XyARKoupuArYtToA2S6yMdnoquDCDaBsaT"
                note: OFAC SDN [UKRAINE-EO13661] [CYBER2] [ELECTION-EO13848] DASH address of SDN-31164, ASSOCIATION FOR FREE RESEARCH AND INTERNATIONAL COOPERATION
            SDN-31212 name high "SOUTHFRONT"
                aliases (2): "SOUTH FRONT", "SOUTHFRONT: ANALYSIS & INTELLIGENCE"
                note: OFAC SDN [NPWMD] [CYBER2] [ELECTION-EO13848] entity: Website southfront.org; Digital Currency Address - XBT 3Gbs4rjcVUtQd8p3CiFUCxPLZwRqurezRZ; Digital Currency Address - ETH 0x9f4cda013e354b8fc285bf4b9a60460cee7f7ea9; Organization Type: News agency activities; Digital Currency Address - BCH qpf2cphc5dkuclkqur7lhj2yuqq9pk3hmukle77vhq; Linked To…
            SDN-31212-addr-1 indicator high "3Gbs4rjcVUtQd8p3CiFUCxPLZwRqurezRZ"
                note: OFAC SDN [NPWMD] [CYBER2] [ELECTION-EO13848] XBT address of SDN-31212, SOUTHFRONT
            SDN-31212-addr-2 indicator high "0x9f4cda013e354b8fc285bf4b9a60460cee7f7ea9"
                note: OFAC SDN [NPWMD] [CYBER2] [ELECTION-EO13848] ETH address of SDN-31212, SOUTHFRONT
            SDN-31212-addr-3 indicator high "qpf2cphc5dkuclkqur7lhj2yuqq9pk3hmukle77vhq"
                note: OFAC SDN [NPWMD] [CYBER2] [ELECTION-EO13848] BCH address of SDN-31212, SOUTHFRONT
            warning: SDN-29703 (sdn.csv line 16): the remarks end in the middle of "Digital Currency Addres" (cut at their length limit?); an address may be missing
            warning: SDN-30518 (sdn.csv line 17): the remarks end in the middle of "Digital Currency Address - XBT 1Gq" (cut at their length limit?); the address is not taken
        "#]],
    );
}

#[test]
fn ofac_short_row_and_alternate_names_of_unknown_listings() {
    check(
        Input::Ofac("ofac-sdn-short-row.csv", Some("ofac-alt.csv")),
        expect![[r#"
            entries: 2, warnings: 26
            SDN-36 name high "AEROCARIBBEAN AIRLINES"
                aliases (1): "AERO-CARIBBEAN"
                note: OFAC SDN [CUBA] entity
            SDN-2686 name high "Hasan NASRALLAH"
                aliases (3): "NASRALLAH, Hasan", "Hasan Abd-al-Karim NASRALLAH", "NASRALLAH, Hasan Abd-al-Karim"
                note: OFAC SDN [SDGT] [SYRIA] individual: DOB 31 Aug 1960; alt. DOB 31 Aug 1953; alt. DOB 31 Aug 1955; alt. DOB 31 Aug 1958; POB Al Basuriyah, Lebanon; Additional Sanctions Information - Subject to Secondary Sanctions Pursuant to the Hizballah Financial Sanctions Regulations; Gender Male; Passport 042833 (Lebanon); Secretary General of…
            warning: sdn.csv line 2: 5 columns, expected 12; the row is left out
            warning: alt.csv line 2: ent_num 306 is not in sdn.csv; the alternate name is left out
            warning: alt.csv line 4: ent_num 3754 is not in sdn.csv; the alternate name is left out
            warning: alt.csv line 5: ent_num 3754 is not in sdn.csv; the alternate name is left out
            warning: alt.csv line 6: ent_num 3754 is not in sdn.csv; the alternate name is left out
            warning: alt.csv line 7: ent_num 3754 is not in sdn.csv; the alternate name is left out
            warning: alt.csv line 8: ent_num 3754 is not in sdn.csv; the alternate name is left out
            warning: alt.csv line 9: ent_num 4632 is not in sdn.csv; the alternate name is left out
            warning: alt.csv line 10: ent_num 4632 is not in sdn.csv; the alternate name is left out
            warning: alt.csv line 11: ent_num 4632 is not in sdn.csv; the alternate name is left out
            warning: alt.csv line 12: ent_num 6365 is not in sdn.csv; the alternate name is left out
            warning: alt.csv line 13: ent_num 6365 is not in sdn.csv; the alternate name is left out
            warning: alt.csv line 14: ent_num 6365 is not in sdn.csv; the alternate name is left out
            warning: alt.csv line 15: ent_num 6365 is not in sdn.csv; the alternate name is left out
            warning: alt.csv line 16: ent_num 6365 is not in sdn.csv; the alternate name is left out
            warning: alt.csv line 17: ent_num 6703 is not in sdn.csv; the alternate name is left out
            warning: alt.csv line 18: ent_num 6703 is not in sdn.csv; the alternate name is left out
            warning: alt.csv line 19: ent_num 6703 is not in sdn.csv; the alternate name is left out
            warning: alt.csv line 20: ent_num 6703 is not in sdn.csv; the alternate name is left out
            warning: alt.csv line 21: ent_num 6703 is not in sdn.csv; the alternate name is left out
            warning: alt.csv line 22: ent_num 29585 is not in sdn.csv; the alternate name is left out
            warning: alt.csv line 23: ent_num 30518 is not in sdn.csv; the alternate name is left out
            warning: alt.csv line 24: ent_num 30520 is not in sdn.csv; the alternate name is left out
            warning: alt.csv line 25: ent_num 30520 is not in sdn.csv; the alternate name is left out
            warning: alt.csv line 26: ent_num 31212 is not in sdn.csv; the alternate name is left out
            warning: alt.csv line 27: ent_num 31212 is not in sdn.csv; the alternate name is left out
        "#]],
    );
}

#[test]
fn ofac_windows_1252() {
    check(
        Input::Ofac("ofac-sdn-windows-1252.csv", None),
        expect![[r#"
            entries: 1, warnings: 1
            SDN-6703 name high "José de Jesús AMEZCUA CONTRERAS"
                aliases (1): "AMEZCUA CONTRERAS, José de Jesús"
                note: OFAC SDN [SDNTK] individual: DOB 31 Jul 1964; alt. DOB 31 Jul 1964; alt. DOB 31 Jul 1965; POB Mexico.
            warning: sdn.csv: not UTF-8 (byte at offset 28 does not decode); read as Windows-1252
        "#]],
    );
}

#[test]
fn misp_threat_actors() {
    check(
        Input::Misp("misp-threat-actor.json"),
        expect![[r#"
            entries: 12, warnings: 0
            1cb7e1cc-d695-42b1-92f4-fd0112a3c9be name medium "APT1"
                aliases (11): "COMMENT PANDA", "PLA Unit 61398", "Comment Crew", "Byzantine Candor", "Group 3", "TG-8223", "Comment Group", "Brown Fox" +3 more
                note: Threat Actor, country CN: PLA Unit 61398 (Chinese: 61398部队, Pinyin: 61398 bùduì) is the Military Unit Cover Designator (MUCD)[1] of a People's Liberation Army advanced persistent threat unit that has been alleged to be a source of Chinese computer hacking attacks
            5b4ee3ea-eee3-4c8e-8323-85ae32658754 name medium "APT28"
                aliases (26): "Pawn Storm", "FANCY BEAR", "Sednit", "SNAKEMACKEREL", "Tsar Team", "TG-4127", "STRONTIUM", "Swallowtail" +18 more
                note: Threat Actor, country RU: The Sofacy Group (also known as APT28, Pawn Storm, Fancy Bear and Sednit) is a cyber espionage group believed to have ties to the Russian government.
            68391641-859f-4a9a-9a1e-3e5cf71ec376 name medium "Lazarus Group"
                aliases (38): "Operation DarkSeoul", "Dark Seoul", "Hidden Cobra", "Hastati Group", "Andariel", "Unit 121", "Bureau 121", "NewRomanic Cyber Army Team" +30 more
                note: Threat Actor, country KP: Since 2009, HIDDEN COBRA actors have leveraged their capabilities to target and compromise a range of victims; some intrusions have resulted in the exfiltration of data while others have been disruptive in nature.
            f512de42-f76b-40d2-9923-59e7dbdfec35 name medium "Sandworm"
                aliases (14): "Quedagh", "VOODOO BEAR", "TEMP.Noble", "IRON VIKING", "G0034", "ELECTRUM", "TeleBots", "IRIDIUM" +6 more
                note: Threat Actor, country RU: This threat actor targets industrial control systems, using a tool called Black Energy, associated with electricity and power generation for espionage, denial of service, and data destruction purposes.
            b2056ff0-00b9-482e-b11c-c771daa5f28a name medium "APT29"
                aliases (17): "Group 100", "COZY BEAR", "The Dukes", "Minidionis", "SeaDuke", "YTTRIUM", "IRON HEMLOCK", "Grizzly Steppe" +9 more
                note: Threat Actor, country RU: A 2015 report by F-Secure describe APT29 as: 'The Dukes are a well-resourced, highly dedicated and organized cyberespionage group that we believe has been working for the Russian Federation since at least 2008 to collect intelligence in support of foreign and security policy decision-making.
            fa80877c-f509-4daf-8b62-20aba1635f68 name medium "Turla"
                aliases (25): "Snake", "VENOMOUS Bear", "Group 88", "Waterbug", "WRAITH", "Uroburos", "Pfinet", "TAG_0530" +17 more
                note: Threat Actor, country RU: A 2014 Guardian article described Turla as: 'Dubbed the Turla hackers, initial intelligence had indicated western powers were key targets, but it was later determined embassies for Eastern Bloc nations were of more interest.
            7036fb3d-86b7-4d9c-bc66-1e1ead8b7840 name medium "Equation Group"
                aliases (3): "Tilded Team", "EQGRP", "G0020"
                note: Threat Actor, country US: The Equation Group is a highly sophisticated threat actor described by its discoverers at Kaspersky Labs as one of the most sophisticated cyber attack groups in the world, operating alongside but always from a position of superiority with the creators of Stuxnet and Flame
            f98bac6b-12fd-4cad-be84-c84666932232 name medium "Charming Kitten"
                aliases (8): "Newscaster", "Parastoo", "iKittens", "Group 83", "NewsBeef", "G0058", "CharmingCypress", "Mint Sandstorm"
                note: Threat Actor, country IR: Charming Kitten (aka Parastoo, aka Newscaster) is an group with a suspected nexus to Iran that targets organizations involved in government, defense technology, military, and diplomacy sectors.
            42be2a84-5a5c-4c6d-9864-3f09d75bb0ba name medium "OilRig"
                aliases (14): "Twisted Kitten", "Cobalt Gypsy", "Crambus", "Helix Kitten", "APT 34", "APT34", "IRN2", "ATK40" +6 more
                note: Threat Actor, country IR: OilRig is an Iranian threat group operating primarily in the Middle East by targeting organizations in this region that are in a variety of different industries; however, this group has occasionally targeted organizations outside of the Middle East as well.
            00220228-a5a4-4032-a30d-826bb55aa3fb name medium "FIN7"
                aliases (11): "CARBON SPIDER", "GOLD NIAGARA", "Calcium", "ATK32", "G0046", "G0008", "Coreid", "Carbanak" +3 more
                note: Threat Actor, country RU: Groups targeting financial organizations or people with significant financial assets.
            ba8973b2-fd97-4aa7-9307-ea4838d96428 name medium "WET PANDA"
                aliases (1): "Red Chimera"
                note: Threat Actor, country CN
            e38d32a2-c708-11e8-8785-472c4cfccd85 name medium "FASTCash"
                note: Threat Actor: Treasury has identified a sophisticated cyber-enabled ATM cash out campaign we are calling FASTCash.
        "#]],
    );
}

#[test]
fn misp_bad_values_are_named_and_the_rest_imported() {
    check(
        Input::Misp("misp-bad-values.json"),
        expect![[r#"
            entries: 3, warnings: 6
            11111111-2222-3333-4444-555555555555 name medium "Kept Actor"
                aliases (1): "Kept"
                note: Threat Actor, country XX: Kept.
            Synonyms As Text name medium "Synonyms As Text"
                aliases (1): "Single Synonym"
                note: Threat Actor
            Synonyms As Object name medium "Synonyms As Object"
                note: Threat Actor
            warning: values[0] "Kept Actor": a synonym is a number, not a string; it is ignored
            warning: values[1]: no "value" (the cluster's name); the value is left out
            warning: values[2]: "value" is a number, not a string; the value is left out
            warning: values[3] "Same Uuid": id "11111111-2222-3333-4444-555555555555" is already taken by an earlier value; the value is left out
            warning: values[5] "Synonyms As Object": meta.synonyms is an object, not a list; it is ignored
            warning: values[6]: it is a string, not an object; the value is left out
        "#]],
    );
}

/// Inputs that are not their format at all: one error each, naming what and where.
#[test]
fn bad_inputs_are_refused_with_what_and_where() {
    let cases = [
        ("csv not-utf8.csv", Input::Csv("not-utf8.csv")),
        ("csv no-value-column.csv", Input::Csv("no-value-column.csv")),
        ("csv un-consolidated.xml", Input::Csv("un-consolidated.xml")),
        ("un un-truncated.xml", Input::Un("un-truncated.xml")),
        ("un un-mismatched-tag.xml", Input::Un("un-mismatched-tag.xml")),
        ("un un-doctype-entities.xml", Input::Un("un-doctype-entities.xml")),
        ("un misp-threat-actor.json", Input::Un("misp-threat-actor.json")),
        ("un watchlist.csv", Input::Un("watchlist.csv")),
        ("ofac ofac-not-sdn.csv", Input::Ofac("ofac-not-sdn.csv", None)),
        ("ofac alt as sdn", Input::Ofac("ofac-alt.csv", None)),
        ("ofac sdn as alt", Input::Ofac("ofac-sdn.csv", Some("ofac-sdn.csv"))),
        ("misp misp-galaxy-definition.json", Input::Misp("misp-galaxy-definition.json")),
        ("misp misp-truncated.json", Input::Misp("misp-truncated.json")),
        ("misp watchlist.csv", Input::Misp("watchlist.csv")),
    ];
    let out: Vec<String> = cases
        .iter()
        .map(|(label, input)| match run(input) {
            Ok(imported) => format!(
                "{label}: imported {} entries, {} warnings",
                imported.entries.len(),
                imported.warnings.len()
            ),
            Err(error) => format!("{label}: {error}"),
        })
        .collect();
    expect![[r#"
        csv not-utf8.csv: not UTF-8 text: byte 0xE9 at offset 15 (line 2) does not decode
        csv no-value-column.csv: not a watchlist CSV: the header (line 1) has no "value" column; the columns are id,kind,value,aliases,severity,note
        csv un-consolidated.xml: not a watchlist CSV: the header (line 1) has no "value" column; the columns are id,kind,value,aliases,severity,note
        un un-truncated.xml: malformed XML at line 87 (byte 3043): the input ends inside <FOURTH_NAME>: truncated or an unclosed tag
        un un-mismatched-tag.xml: malformed XML at line 8 (byte 410): ill-formed document: expected `</SECOND_NAME>`, but `</SECOND>` was found
        un un-doctype-entities.xml: a DOCTYPE declaration at line 2 (byte 56) is refused: its entities could expand without bound or read outside files
        un misp-threat-actor.json: not a UN consolidated list: text outside the root element at line 1; expected <CONSOLIDATED_LIST>
        un watchlist.csv: not a UN consolidated list: text outside the root element at line 1; expected <CONSOLIDATED_LIST>
        ofac ofac-not-sdn.csv: not an OFAC sdn.csv: none of its 2 rows has the 12 columns of sdn.csv
        ofac alt as sdn: not an OFAC sdn.csv: none of its 27 rows has the 12 columns of sdn.csv
        ofac sdn as alt: not an OFAC alt.csv: none of its 20 rows has the 5 columns of alt.csv
        misp misp-galaxy-definition.json: not a MISP galaxy cluster file: the top-level object has no "values" array
        misp misp-truncated.json: malformed JSON at line 42, column 12: EOF while parsing a string
        misp watchlist.csv: malformed JSON at line 1, column 1: expected value
    "#]].assert_eq(&(out.join("\n") + "\n"));
}

/// The UN sample, imported and compiled, finds a listed person written in Arabic and in a
/// Latin transliteration.
#[test]
fn imported_un_list_screens_arabic_and_latin_text() {
    let imported = import::un_consolidated(&sample("un-consolidated.xml")).unwrap();
    let list = Watchlist {
        name: "UN".to_owned(),
        owner: "sanctions-team".to_owned(),
        tlp: Tlp::Clear,
        version: 1,
        entries: imported.entries,
    };
    let now: Timestamp = "2026-03-01T00:00:00Z".parse().unwrap();
    let (screener, warnings) = Screener::compile(&[list], now);
    let texts = [
        ("ar", "أفادت التقارير بأن إبراهيم عواد إبراهيم علي البدري السامرائي شوهد قرب الحدود."),
        ("ar", "وقال المتحدث إن أبو بكر البغدادي أصدر بيانا جديدا."),
        ("en", "Sources placed Abu Bakr al-Baghdadi near the border last week."),
        ("en", "A shipment was traced to Saddam Hussein al-Tikriti."),
        ("en", "The weather in Baghdad was mild and Dr. Ahmed Ibrahim stayed home."),
        ("en", "Analysts linked the payments to Hayat Tahrir al-Sham."),
    ];
    let mut out: Vec<String> = warnings.iter().map(|warning| format!("warning: {warning}")).collect();
    let mut scratch = ScreenScratch::default();
    for (index, (lang, body)) in texts.iter().enumerate() {
        let item = ItemFields {
            id: None,
            title: None,
            body,
            source: "news",
            lang: Some(lang),
            tlp: Tlp::Green,
            grade: AdmiraltyGrade::default(),
            date: now,
        };
        let hits = screener.screen(&item, &mut scratch);
        if hits.is_empty() {
            out.push(format!("text {index}: no hit"));
        }
        for hit in hits {
            let entry = &screener.entries()[hit.entry as usize];
            out.push(format!(
                "text {index}: {} {} matched {:?} form {:?}",
                entry.id,
                hit.method.as_str(),
                hit.matched,
                hit.form
            ));
        }
    }
    expect![[r#"
        text 0: QDi.299 exact matched "إبراهيم عواد إبراهيم علي البدري السامرائي" form "إبراهيم عواد إبراهيم علي البدري السامرائي"
        text 1: QDi.299 transliteration matched "أبو بكر البغدادي" form "Abu Bakr al-Baghdadi"
        text 2: QDi.299 exact matched "Abu Bakr al-Baghdadi" form "Abu Bakr al-Baghdadi"
        text 3: IQi.001 exact matched "Saddam Hussein al-Tikriti" form "SADDAM HUSSEIN AL-TIKRITI"
        text 4: no hit
        text 5: QDe.137 exact matched "Hayat Tahrir al-Sham" form "Hayat Tahrir al-Sham"
    "#]].assert_eq(&(out.join("\n") + "\n"));
}
