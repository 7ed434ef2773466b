//! Calendar dates without a clock: core is told what "today" is.

use std::fmt;

/// A proleptic Gregorian calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// Builds a date, `None` when it does not exist (30 February, month 13, year 0).
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        if year == 0 || !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Parses exactly `YYYY-MM-DD`.
    pub fn parse_iso(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<u16> {
            let part = &b[r];
            if !part.iter().all(u8::is_ascii_digit) {
                return None;
            }
            Some(
                part.iter()
                    .fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0')),
            )
        };
        Date::new(num(0..4)?, num(5..7)? as u8, num(8..10)? as u8)
    }

    /// The date `days_since_epoch` days after 1970-01-01 (for callers that hold a clock).
    pub fn from_days_since_epoch(days: i64) -> Date {
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)).clamp(1, 9999) as u16;
        Date { year, month, day }
    }

    /// Today in Asia/Jakarta (UTC+7), the time zone of the contract, from a Unix time in seconds.
    pub fn jakarta_from_unix(unix_seconds: i64) -> Date {
        Date::from_days_since_epoch((unix_seconds + 7 * 3600).div_euclid(86_400))
    }

    pub fn year(self) -> u16 {
        self.year
    }
    pub fn month(self) -> u8 {
        self.month
    }
    pub fn day(self) -> u8 {
        self.day
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Whether `year` has a 29 February.
pub fn is_leap_year(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

/// Days in a month of a year; 0 for a month outside 1–12.
pub fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Option<(u16, u8, u8)>) {
        let got = Date::parse_iso(input).map(|d| (d.year(), d.month(), d.day()));
        assert_eq!(got, expected, "{input}");
    }

    #[test]
    fn parses_iso_dates() {
        check("2026-11-20", Some((2026, 11, 20)));
        check("2024-02-29", Some((2024, 2, 29)));
        check("2000-02-29", Some((2000, 2, 29)));
        check("1900-02-29", None);
        check("2026-02-29", None);
        check("2026-04-31", None);
        check("2026-13-01", None);
        check("2026-00-10", None);
        check("2026-1-01", None);
        check("26-11-20", None);
        check("2026/11/20", None);
        check("2026-11-2x", None);
        check("", None);
        check("２０２６-11-20", None);
    }

    #[test]
    fn days_since_epoch_round_trip() {
        assert_eq!(Date::from_days_since_epoch(0).to_string(), "1970-01-01");
        assert_eq!(
            Date::from_days_since_epoch(20_420).to_string(),
            "2025-11-28"
        );
        assert_eq!(
            Date::from_days_since_epoch(11_016).to_string(),
            "2000-02-29"
        );
    }

    #[test]
    fn jakarta_is_utc_plus_seven() {
        // 2026-11-27T17:00:00Z is already 28 November in Jakarta.
        assert_eq!(
            Date::jakarta_from_unix(1_795_798_800).to_string(),
            "2026-11-28"
        );
        assert_eq!(
            Date::jakarta_from_unix(1_795_798_799).to_string(),
            "2026-11-27"
        );
    }
}
