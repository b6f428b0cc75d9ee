//! The world the flow talks about: real, publicly known threat actors, organisations and places
//! (with their names in each language), and the made-up people who write mail and chat.

use crate::lexicon::Lang;

/// A threat actor as reports name it: the common name, aliases used by vendors, and the name
/// the press of a language uses when it does not keep the Latin one.
#[derive(Debug)]
pub(crate) struct Actor {
    pub(crate) name: &'static str,
    pub(crate) aliases: &'static [&'static str],
    pub(crate) ru: Option<&'static str>,
    pub(crate) ar: Option<&'static str>,
    pub(crate) zh: Option<&'static str>,
}

impl Actor {
    pub(crate) fn local_name(&self, lang: Lang) -> Option<&'static str> {
        match lang {
            Lang::En => None,
            Lang::Ru => self.ru,
            Lang::Ar => self.ar,
            Lang::Zh => self.zh,
        }
    }
}

macro_rules! actor {
    ($name:expr, [$($alias:expr),*], $ru:expr, $ar:expr, $zh:expr) => {
        Actor { name: $name, aliases: &[$($alias),*], ru: $ru, ar: $ar, zh: $zh }
    };
}

pub(crate) const ACTORS: &[Actor] = &[
    actor!(
        "APT28",
        ["Fancy Bear", "Sofacy", "Sednit", "STRONTIUM", "Forest Blizzard"],
        Some("Фэнси Бэр"),
        Some("فانسي بير"),
        Some("奇幻熊")
    ),
    actor!(
        "APT29",
        ["Cozy Bear", "The Dukes", "NOBELIUM", "Midnight Blizzard"],
        Some("Кози Бэр"),
        Some("كوزي بير"),
        Some("舒适熊")
    ),
    actor!(
        "Sandworm",
        ["Sandworm Team", "Voodoo Bear", "Seashell Blizzard", "APT44"],
        None,
        Some("ساندوورم"),
        Some("沙虫")
    ),
    actor!(
        "Turla",
        ["Snake", "Venomous Bear", "Secret Blizzard", "Uroburos"],
        Some("Турла"),
        Some("تورلا"),
        None
    ),
    actor!(
        "Lazarus Group",
        ["HIDDEN COBRA", "Diamond Sleet", "ZINC"],
        Some("Лазарус"),
        Some("لازاروس"),
        Some("拉撒路组织")
    ),
    actor!(
        "Kimsuky",
        ["Velvet Chollima", "Emerald Sleet", "THALLIUM"],
        Some("Кимсуки"),
        Some("كيمسوكي"),
        None
    ),
    actor!("APT41", ["Wicked Panda", "Double Dragon", "BARIUM", "Brass Typhoon"], None, None, None),
    actor!(
        "Volt Typhoon",
        ["Vanguard Panda", "Bronze Silhouette"],
        None,
        Some("فولت تايفون"),
        Some("伏特台风")
    ),
    actor!("Gamaredon", ["Primitive Bear", "Shuckworm", "Aqua Blizzard"], None, None, None),
    actor!("MuddyWater", ["Mango Sandstorm", "Static Kitten", "Seedworm"], None, Some("مادي ووتر"), None),
    actor!("APT33", ["Elfin", "Refined Kitten", "Peach Sandstorm"], None, None, None),
    actor!("Charming Kitten", ["APT35", "Phosphorus", "Mint Sandstorm"], None, None, None),
    actor!("FIN7", ["Carbon Spider", "Sangria Tempest"], None, None, None),
];

/// Finds an actor by its name or one of its aliases, ignoring case.
pub(crate) fn find_actor(name: &str) -> Option<&'static Actor> {
    ACTORS.iter().find(|actor| {
        actor.name.eq_ignore_ascii_case(name)
            || actor.aliases.iter().any(|alias| alias.eq_ignore_ascii_case(name))
    })
}

/// A name in each of the flow's languages, in the grammatical form the templates expect
/// (nominative in Russian).
#[derive(Debug)]
pub(crate) struct Names {
    pub(crate) en: &'static str,
    pub(crate) ru: &'static str,
    pub(crate) ar: &'static str,
    pub(crate) zh: &'static str,
}

impl Names {
    pub(crate) fn get(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Ru => self.ru,
            Lang::Ar => self.ar,
            Lang::Zh => self.zh,
        }
    }

    pub(crate) fn all(&self) -> [&'static str; 4] {
        [self.en, self.ru, self.ar, self.zh]
    }
}

macro_rules! names {
    ($en:expr, $ru:expr, $ar:expr, $zh:expr) => {
        Names { en: $en, ru: $ru, ar: $ar, zh: $zh }
    };
}

pub(crate) const ORGANISATIONS: &[Names] = &[
    names!("CERT-UA", "CERT-UA", "CERT-UA", "乌克兰计算机应急响应小组"),
    names!("CISA", "CISA", "وكالة CISA الأمريكية", "美国网络安全和基础设施安全局"),
    names!("NCSC (UK)", "британский NCSC", "المركز الوطني للأمن السيبراني البريطاني", "英国国家网络安全中心"),
    names!("ENISA", "ENISA", "وكالة ENISA", "欧盟网络安全局"),
    names!("BSI", "немецкий BSI", "المكتب الاتحادي الألماني لأمن المعلومات", "德国联邦信息安全办公室"),
    names!("ANSSI", "французское агентство ANSSI", "وكالة ANSSI الفرنسية", "法国国家信息系统安全局"),
    names!("Microsoft Threat Intelligence", "Microsoft", "مايكروسوفت", "微软威胁情报中心"),
    names!("Mandiant", "Mandiant", "مانديانت", "Mandiant"),
    names!("ESET", "ESET", "إيسيت", "ESET"),
    names!("Kaspersky", "Kaspersky", "كاسبرسكي", "卡巴斯基"),
    names!("Cisco Talos", "Cisco Talos", "سيسكو تالوس", "思科Talos"),
    names!("Unit 42", "Unit 42", "الوحدة 42", "Unit 42"),
    names!("Europol", "Европол", "يوروبول", "欧洲刑警组织"),
    names!("NATO", "НАТО", "حلف الناتو", "北约"),
    names!("JPCERT/CC", "JPCERT/CC", "JPCERT/CC", "日本JPCERT/CC"),
    names!("Google Threat Intelligence Group", "Google", "جوجل", "谷歌威胁情报小组"),
];

pub(crate) const COUNTRIES: &[Names] = &[
    names!("Ukraine", "Украина", "أوكرانيا", "乌克兰"),
    names!("Poland", "Польша", "بولندا", "波兰"),
    names!("Germany", "Германия", "ألمانيا", "德国"),
    names!("France", "Франция", "فرنسا", "法国"),
    names!("the United Kingdom", "Великобритания", "المملكة المتحدة", "英国"),
    names!("Estonia", "Эстония", "إستونيا", "爱沙尼亚"),
    names!("Lithuania", "Литва", "ليتوانيا", "立陶宛"),
    names!("Latvia", "Латвия", "لاتفيا", "拉脱维亚"),
    names!("Georgia", "Грузия", "جورجيا", "格鲁吉亚"),
    names!("Turkey", "Турция", "تركيا", "土耳其"),
    names!("the United Arab Emirates", "ОАЭ", "الإمارات", "阿联酋"),
    names!("Saudi Arabia", "Саудовская Аравия", "السعودية", "沙特阿拉伯"),
    names!("Egypt", "Египет", "مصر", "埃及"),
    names!("Iraq", "Ирак", "العراق", "伊拉克"),
    names!("Syria", "Сирия", "سوريا", "叙利亚"),
    names!("Lebanon", "Ливан", "لبنان", "黎巴嫩"),
    names!("South Korea", "Южная Корея", "كوريا الجنوبية", "韩国"),
    names!("Japan", "Япония", "اليابان", "日本"),
    names!("Singapore", "Сингапур", "سنغافورة", "新加坡"),
    names!("Taiwan", "Тайвань", "تايوان", "台湾"),
    names!("the United States", "США", "الولايات المتحدة", "美国"),
    names!("Belgium", "Бельгия", "بلجيكا", "比利时"),
    names!("Switzerland", "Швейцария", "سويسرا", "瑞士"),
    names!("Norway", "Норвегия", "النرويج", "挪威"),
    names!("Finland", "Финляндия", "فنلندا", "芬兰"),
    names!("Moldova", "Молдова", "مولدوفا", "摩尔多瓦"),
    names!("Kazakhstan", "Казахстан", "كازاخستان", "哈萨克斯坦"),
];

/// A city and the index of its country in [`COUNTRIES`].
#[derive(Debug)]
pub(crate) struct Place {
    pub(crate) names: Names,
    pub(crate) country: usize,
}

macro_rules! place {
    ($en:expr, $ru:expr, $ar:expr, $zh:expr, $country:expr) => {
        Place { names: names!($en, $ru, $ar, $zh), country: $country }
    };
}

pub(crate) const PLACES: &[Place] = &[
    place!("Kyiv", "Киев", "كييف", "基辅", 0),
    place!("Odesa", "Одесса", "أوديسا", "敖德萨", 0),
    place!("Kharkiv", "Харьков", "خاركيف", "哈尔科夫", 0),
    place!("Lviv", "Львов", "لفيف", "利沃夫", 0),
    place!("Warsaw", "Варшава", "وارسو", "华沙", 1),
    place!("Gdańsk", "Гданьск", "غدانسك", "格但斯克", 1),
    place!("Berlin", "Берлин", "برلين", "柏林", 2),
    place!("Hamburg", "Гамбург", "هامبورغ", "汉堡", 2),
    place!("Paris", "Париж", "باريس", "巴黎", 3),
    place!("Marseille", "Марсель", "مرسيليا", "马赛", 3),
    place!("London", "Лондон", "لندن", "伦敦", 4),
    place!("Tallinn", "Таллин", "تالين", "塔林", 5),
    place!("Vilnius", "Вильнюс", "فيلنيوس", "维尔纽斯", 6),
    place!("Riga", "Рига", "ريغا", "里加", 7),
    place!("Tbilisi", "Тбилиси", "تبليسي", "第比利斯", 8),
    place!("Istanbul", "Стамбул", "إسطنبول", "伊斯坦布尔", 9),
    place!("Dubai", "Дубай", "دبي", "迪拜", 10),
    place!("Riyadh", "Эр-Рияд", "الرياض", "利雅得", 11),
    place!("Cairo", "Каир", "القاهرة", "开罗", 12),
    place!("Baghdad", "Багдад", "بغداد", "巴格达", 13),
    place!("Mosul", "Мосул", "الموصل", "摩苏尔", 13),
    place!("Damascus", "Дамаск", "دمشق", "大马士革", 14),
    place!("Beirut", "Бейрут", "بيروت", "贝鲁特", 15),
    place!("Seoul", "Сеул", "سيول", "首尔", 16),
    place!("Busan", "Пусан", "بوسان", "釜山", 16),
    place!("Tokyo", "Токио", "طوكيو", "东京", 17),
    place!("Singapore", "Сингапур", "سنغافورة", "新加坡", 18),
    place!("Taipei", "Тайбэй", "تايبيه", "台北", 19),
    place!("Washington", "Вашингтон", "واشنطن", "华盛顿", 20),
    place!("New York", "Нью-Йорк", "نيويورك", "纽约", 20),
    place!("Brussels", "Брюссель", "بروكسل", "布鲁塞尔", 21),
    place!("Geneva", "Женева", "جنيف", "日内瓦", 22),
    place!("Oslo", "Осло", "أوسلو", "奥斯陆", 23),
    place!("Helsinki", "Хельсинки", "هلسنكي", "赫尔辛基", 24),
    place!("Chișinău", "Кишинёв", "كيشيناو", "基希讷乌", 25),
    place!("Almaty", "Алматы", "ألماتي", "阿拉木图", 26),
];

/// Finds a place by any of its names.
pub(crate) fn find_place(name: &str) -> Option<&'static Place> {
    PLACES.iter().find(|place| {
        place.names.all().iter().any(|known| known.eq_ignore_ascii_case(name) || *known == name)
    })
}

/// A made-up correspondent: display name and address under a reserved domain.
pub(crate) type Correspondent = (&'static str, &'static str);

pub(crate) fn mail_senders(lang: Lang) -> &'static [Correspondent] {
    match lang {
        Lang::En => &[
            ("Sarah Collins", "s.collins@partner-cert.example"),
            ("Daniel Hughes", "d.hughes@soc.example.org"),
            ("Priya Raman", "priya.raman@threatdesk.example"),
            ("Mark Jensen", "mjensen@ministry.example.net"),
        ],
        Lang::Ru => &[
            ("Андрей Смирнов", "a.smirnov@soc-east.example"),
            ("Ольга Петренко", "o.petrenko@cert-partner.example"),
            ("Игорь Власов", "i.vlasov@monitoring.example.net"),
        ],
        Lang::Ar => {
            &[("ليلى حداد", "l.haddad@mena-cert.example"), ("عمر الخطيب", "o.khatib@gulf-soc.example")]
        }
        Lang::Zh => &[("王磊", "wang.lei@apac-soc.example"), ("陈静", "chen.jing@cyber-desk.example")],
    }
}

pub(crate) const MAIL_RECIPIENTS: &[&str] = &[
    "Muninn intake <intake@muninn.example>",
    "Analysts <analysts@muninn.example>",
    "Watch desk <watch@muninn.example>",
];

pub(crate) fn chat_channels(lang: Lang) -> &'static [&'static str] {
    match lang {
        Lang::En => &["#soc-alerts", "#threat-intel", "#general", "#osint"],
        Lang::Ru => &["#ua-watch", "#ru-osint"],
        Lang::Ar => &["#mena-desk"],
        Lang::Zh => &["#apac-cyber"],
    }
}

pub(crate) fn chat_authors(lang: Lang) -> &'static [&'static str] {
    match lang {
        Lang::En => &["j.smith", "analyst_7", "kate.m", "r.obrien", "night-shift"],
        Lang::Ru => &["a.smirnov", "k.ivanenko", "olga_p"],
        Lang::Ar => &["m.haddad", "o.khatib", "sara.n"],
        Lang::Zh => &["li.wei", "chen.j", "zhang_h"],
    }
}

/// News sources per language: slugs as Muninn's source ids.
pub(crate) fn news_sources(lang: Lang) -> &'static [&'static str] {
    match lang {
        Lang::En => &["newswire-en", "cyberdesk-en", "baltic-monitor-en", "gulf-times-en"],
        Lang::Ru => &["newswire-ru", "vostok-monitor-ru"],
        Lang::Ar => &["newswire-ar", "gulf-monitor-ar"],
        Lang::Zh => &["newswire-zh", "cyber-daily-zh"],
    }
}

/// Authors of analyst notes.
/// The organisations that share reports as STIX bundles and MISP events (fictional).
pub(crate) const PARTNERS: &[&str] =
    &["Partner CERT X", "Northern Grid ISAC", "Harbour Finance CSIRT", "Coastal Telecom SOC"];

pub(crate) const NOTE_AUTHORS: &[&str] = &["analyst-1", "analyst-2", "desk-lead", "cti-team"];
