//! Date formatting done here rather than by a library, so that the written bytes are ours to
//! keep stable. Times are whole Unix seconds, UTC.

use std::fmt::Write as _;

pub(crate) const DAY: i64 = 86_400;

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// A broken-down UTC time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Civil {
    pub(crate) year: i64,
    /// 1-12.
    pub(crate) month: u32,
    /// 1-31.
    pub(crate) day: u32,
    pub(crate) hour: u32,
    pub(crate) minute: u32,
    pub(crate) second: u32,
    /// 0 = Monday.
    pub(crate) weekday: u32,
}

/// Breaks down Unix seconds (Howard Hinnant's `civil_from_days`).
pub(crate) fn civil(seconds: i64) -> Civil {
    let days = seconds.div_euclid(DAY);
    let second_of_day = seconds.rem_euclid(DAY);
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 { month_index + 3 } else { month_index - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    Civil {
        year,
        month: month as u32,
        day: day as u32,
        hour: (second_of_day / 3600) as u32,
        minute: (second_of_day / 60 % 60) as u32,
        second: (second_of_day % 60) as u32,
        // 1970-01-01 was a Thursday (3 when Monday is 0).
        weekday: (days + 3).rem_euclid(7) as u32,
    }
}

/// `2026-01-17T10:23:45Z`
pub(crate) fn rfc3339(seconds: i64) -> String {
    let time = civil(seconds);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        time.year, time.month, time.day, time.hour, time.minute, time.second
    )
}

/// `Sat, 17 Jan 2026 10:23:45 +0000` (RFC 5322 and RSS `pubDate`).
pub(crate) fn rfc2822(seconds: i64) -> String {
    let time = civil(seconds);
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} +0000",
        WEEKDAYS[time.weekday as usize % 7],
        time.day,
        MONTHS[(time.month as usize + 11) % 12],
        time.year,
        time.hour,
        time.minute,
        time.second
    )
}

/// `Sat Jan 17 10:23:45 2026`, the C `asctime` form of mbox `From ` lines (day padded with a
/// space).
pub(crate) fn asctime(seconds: i64) -> String {
    let time = civil(seconds);
    let mut out = String::with_capacity(24);
    let _ = write!(
        out,
        "{} {} {:>2} {:02}:{:02}:{:02} {:04}",
        WEEKDAYS[time.weekday as usize % 7],
        MONTHS[(time.month as usize + 11) % 12],
        time.day,
        time.hour,
        time.minute,
        time.second,
        time.year
    );
    out
}

/// `2026/01/17`, for URL paths.
pub(crate) fn date_path(seconds: i64) -> String {
    let time = civil(seconds);
    format!("{:04}/{:02}/{:02}", time.year, time.month, time.day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_agree_with_jiff() {
        let mut seconds = -86_400 * 365;
        while seconds < 4_102_444_800 {
            let expected = jiff::Timestamp::from_second(seconds).expect("in range");
            assert_eq!(rfc3339(seconds), expected.to_string());
            // jiff writes the day unpadded; both forms are RFC 5322, so compare by parsing.
            let parsed = jiff::fmt::rfc2822::parse(&rfc2822(seconds)).expect("parses");
            assert_eq!(parsed.timestamp(), expected);
            seconds += 7_777_777;
        }
    }

    #[test]
    fn asctime_pads_the_day_with_a_space() {
        assert_eq!(asctime(1_767_225_600), "Thu Jan  1 00:00:00 2026");
        assert_eq!(date_path(1_767_225_600), "2026/01/01");
    }
}
