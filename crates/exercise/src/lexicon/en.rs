use super::{Lexicon, Topic};

pub(crate) const LEXICON: Lexicon = Lexicon {
    threat: Topic {
        titles: &[
            "{actor} targets {sector} in {country} with new phishing wave",
            "{org} warns of {actor} exploiting {cve}",
            "Researchers link attacks on {sector} in {place} to {actor}",
            "New malware loader tied to {actor} spreads through fake software updates",
            "{org} reports intrusion attempts against {sector} in {country}",
            "Exploitation of {cve} surges, {org} says",
            "Ransomware disrupts {sector} in {place}",
            "{actor} returns with credential-phishing campaign against {sector}",
        ],
        sentences: &[
            "According to {org}, the operators behind the activity are tracked as {actor}, also known as {alias}.",
            "The attackers exploited {cve} to gain initial access before moving laterally.",
            "Victims received spearphishing e-mails with malicious attachments that pretended to come from {org}.",
            "Command-and-control traffic was observed to {ip} and to the domain {domain}.",
            "A second-stage payload was downloaded from {defanged_url}.",
            "The dropper has the SHA-256 hash {sha256}.",
            "An older sample with MD5 {md5} shares code with the new loader.",
            "Ransom notes demanded payment to the Bitcoin address {btc}.",
            "{org} said the campaign focused on {sector} in {place}, {country}.",
            "The intrusion matched the ATT&CK techniques {technique} and {technique}.",
            "The group has previously been linked to operations against {sector} in {country}.",
            "Administrators are urged to patch {cve} and to review logs for connections to {ip}.",
            "Officials in {place} declined to comment on the attribution.",
            "The infrastructure included lookalike domains such as {domain}, registered in the past month.",
            "Phishing pages were hosted at {url} and collected user names and passwords.",
            "Investigators found the tool in the networks of at least {n} organisations.",
        ],
    },
    noise: [
        Topic {
            titles: &[
                "Heavy rain expected in {place} this weekend",
                "Temperatures in {place} to reach {temp} degrees",
                "Storm warning issued for the region around {place}",
            ],
            sentences: &[
                "Forecasters expect temperatures around {temp} °C on {weekday}.",
                "Residents of {place} are advised to allow extra time for travel.",
                "Rainfall could reach {n} millimetres in some districts.",
                "The weather service said conditions would improve later in the week.",
                "Several flights from {place} were delayed on {weekday} morning.",
            ],
        },
        Topic {
            titles: &[
                "{team} beat {team2} {score} in a tense match",
                "{team} coach confident ahead of cup final",
                "Fans in {place} celebrate late winner for {team}",
            ],
            sentences: &[
                "The match in {place} drew a crowd of {big} spectators.",
                "{team} scored twice in the second half.",
                "The next fixture is against {team2} on {weekday}.",
                "Injuries remain a concern for the coaching staff.",
                "The result leaves {team} third in the table.",
            ],
        },
        Topic {
            titles: &[
                "Stocks edge higher as {index} gains {pct}%",
                "Oil prices fall {pct}% on demand worries",
                "{index} ends a volatile session amid interest-rate concerns",
            ],
            sentences: &[
                "The {index} closed {pct}% higher at {big} points.",
                "Brent crude traded at {price} dollars a barrel.",
                "Analysts expect volatility to persist ahead of the central bank meeting.",
                "Trading volumes in {place} were below the monthly average.",
                "Shares of shipping companies led the gains on {weekday}.",
            ],
        },
    ],
    person: Topic {
        titles: &[
            "Reports name {person} in connection with cross-border financing network",
            "New sighting of {person} reported near {place}",
            "Sanctions monitors flag renewed activity linked to {person}",
        ],
        sentences: &[
            "Sources cited by {org} said {person} was seen in {place} earlier this month.",
            "A document reviewed by analysts names {person} as the recipient of several transfers.",
            "Local media reported that {person} met intermediaries in {place}.",
            "The name {person} appears in a list of contacts recovered from a seized phone.",
        ],
    },
    indicator: Topic {
        titles: &[
            "Shared infrastructure observed across several intrusions",
            "Analysts flag recurring indicator in recent attacks",
            "Same server seen in attacks on {sector} in {country}",
        ],
        sentences: &[
            "Several incidents this month involved connections to {indicator}.",
            "The indicator {indicator} appeared in telemetry from at least two organisations.",
            "Defenders are advised to block {indicator} at the network perimeter.",
            "Malware samples from separate victims were configured to reach {indicator}.",
        ],
    },
    burst: Topic {
        titles: &[
            "Power outages reported across {bplace}",
            "Residents of {bplace} report mobile network disruption",
            "Emergency services respond to fire at logistics depot in {bplace}",
            "Officials in {bplace} report explosions near the port",
        ],
        sentences: &[
            "Witnesses in {bplace} described long queues at petrol stations at {clock}.",
            "The city administration of {bplace} said at {clock} that crews were working to restore service.",
            "Several districts of {bplace} have been without electricity since {clock}.",
            "Mobile operators confirmed degraded service in {bplace} since {clock}.",
        ],
    },
    campaign: Topic {
        titles: &[
            "{org} attributes {campaign} to {cactor}",
            "{cactor} behind newly disclosed {campaign}, researchers say",
            "New campaign dubbed {campaign} tied to {cactor}",
        ],
        sentences: &[
            "Researchers at {org} attribute {campaign} to {cactor} with moderate confidence.",
            "The activity named {campaign} reuses infrastructure and tooling previously seen with {cactor}.",
            "According to {org}, {campaign} has targeted {sector} since the start of the month and is linked to {cactor}.",
        ],
    },
    chat_threat: &[
        "seeing beacons to {ip} again on the edge firewall",
        "anyone tracking {actor}? new report from {org} just dropped",
        "patch {cve} before {clock} please, exploitation is up",
        "sandbox flagged {sha256}",
        "phishing lure spoofing {org} is hitting inboxes right now",
        "blocked {domain} at the proxy",
        "{technique} again at {clock}, same playbook as last week",
    ],
    chat_noise: &[
        "coffee machine is broken again, fix promised by {clock}",
        "who is on call this weekend? I can take {weekday} from {clock}",
        "anyone watching {team} tonight? kick-off at {clock}",
        "heavy rain in {place}, running late, ETA {clock}",
        "reminder: team sync moved to {clock}",
        "lunch at {clock}?",
    ],
    sectors: &[
        "energy companies",
        "telecom operators",
        "hospitals",
        "government agencies",
        "logistics firms",
        "banks",
        "defence contractors",
        "universities",
    ],
    teams: &["Arsenal", "Celtic", "Rangers", "Ajax", "Benfica", "Galatasaray"],
    market_indices: &["FTSE 100", "DAX", "Nikkei 225", "S&P 500", "Euro Stoxx 50"],
    weekdays: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    greetings: &["Hello team,", "Hi all,", "Dear colleagues,"],
    signoffs: &["Best regards,", "Thanks,", "Kind regards,"],
    from_lines: &[
        "From what we can see, the activity started on {weekday}.",
        "From our side, nothing unusual in the mail gateway logs before that.",
        "From the partner's telemetry it looks like {n} hosts were touched.",
    ],
    update_suffix: " (updated)",
    update_sentences: &[
        "This article was updated at {time} UTC with additional details.",
        "Updated at {time} UTC to include a statement from the affected organisation.",
    ],
    sentence_gap: " ",
};
