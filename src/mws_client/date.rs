//! MWS dates: `yyyy-MM-dd HH:mm:ss UTC`, one-second resolution, always UTC.
//!
//! MWS writes and compares dates in this one form (its query examples compare `eventDate` against
//! `"2025-01-27 12:08:00 UTC"`), so every date the client sends goes through [`MwsDate`]: built from
//! a unix time in milliseconds (a JavaScript `Date`), or parsed and checked from a string, and then
//! written back in MWS's form. A date MWS cannot read would not be an error there: it would
//! silently compare as a string and match the wrong events.

use std::fmt;

/// Seconds of 0000-01-01 00:00:00 UTC: the first instant with a four-digit year.
const MIN_SECS: i64 = -62_167_219_200;
/// Seconds of 9999-12-31 23:59:59 UTC: the last instant with a four-digit year.
const MAX_SECS: i64 = 253_402_300_799;
const SECS_PER_DAY: i64 = 86_400;

/// An instant to the second, written `yyyy-MM-dd HH:mm:ss UTC` ([`Display`](fmt::Display)).
///
/// Ordering is chronological. Years 0000 to 9999 only: the form has four digits for the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MwsDate {
    secs: i64,
}

/// Why a date was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    /// The instant has a year outside 0000–9999, which MWS's form cannot write.
    OutOfRange,
    /// The text is neither `yyyy-MM-dd HH:mm:ss UTC` nor RFC 3339.
    Malformed {
        /// The text given.
        input: String,
    },
    /// The text has the right shape but a field out of range (month 13, February 30, hour 24…).
    InvalidField {
        /// The text given.
        input: String,
        /// Which field: `"month"`, `"day"`, `"hour"`, `"minute"`, `"second"` or `"offset"`.
        field: &'static str,
    },
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateError::OutOfRange => f.write_str("the date is outside the years 0000 to 9999"),
            DateError::Malformed { input } => write!(
                f,
                "{input:?} is not a date such as \"2025-01-27 12:08:00 UTC\" or \"2025-01-27T12:08:00Z\""
            ),
            DateError::InvalidField { input, field } => write!(f, "{input:?} has an invalid {field}"),
        }
    }
}

impl std::error::Error for DateError {}

impl MwsDate {
    /// The second that contains `unix_ms` (milliseconds since 1970-01-01 UTC, as `Date.getTime()`).
    ///
    /// Rounds down, also before 1970, so the date written is the one whose second holds the instant:
    /// MWS stores `eventDate` truncated the same way.
    pub fn from_unix_ms(unix_ms: i64) -> Result<MwsDate, DateError> {
        MwsDate::from_unix_secs(unix_ms.div_euclid(1000))
    }

    /// The date of `unix_secs` seconds since 1970-01-01 UTC.
    pub fn from_unix_secs(unix_secs: i64) -> Result<MwsDate, DateError> {
        if (MIN_SECS..=MAX_SECS).contains(&unix_secs) {
            Ok(MwsDate { secs: unix_secs })
        } else {
            Err(DateError::OutOfRange)
        }
    }

    /// Parses and checks a date in MWS's form `yyyy-MM-dd HH:mm:ss UTC`, or in RFC 3339
    /// (`2025-01-27T12:08:00Z`, `2025-01-27T13:08:00.250+01:00`: what `Date.toISOString()` and most
    /// logs write), converted to UTC and truncated to the second.
    ///
    /// Days are checked against the calendar (no February 30). A leap second (`:60`) is read as the
    /// first second of the next minute, as Java's date parsing on the MWS side does.
    pub fn parse(text: &str) -> Result<MwsDate, DateError> {
        let b = text.as_bytes();
        let malformed = || DateError::Malformed {
            input: text.to_owned(),
        };
        let invalid = |field| DateError::InvalidField {
            input: text.to_owned(),
            field,
        };
        let digits = |at: usize, n: usize| -> Option<i64> {
            let part = b.get(at..at + n)?;
            part.iter().try_fold(0i64, |acc, &c| {
                c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
            })
        };
        let at = |i: usize, c: u8| b.get(i) == Some(&c);
        let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
            digits(0, 4),
            digits(5, 2),
            digits(8, 2),
            digits(11, 2),
            digits(14, 2),
            digits(17, 2),
        ) else {
            return Err(malformed());
        };
        if !(at(4, b'-') && at(7, b'-') && at(13, b':') && at(16, b':')) {
            return Err(malformed());
        }
        // The zone: MWS's " UTC", or RFC 3339's `T…[.fraction](Z|±hh:mm)`.
        let offset_secs = if at(10, b' ') {
            if &b[19..] != b" UTC" {
                return Err(malformed());
            }
            0
        } else if matches!(b.get(10), Some(b'T' | b't')) {
            let mut i = 19;
            if at(i, b'.') {
                let fraction = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
                if fraction == 0 {
                    return Err(malformed());
                }
                i += 1 + fraction;
            }
            match &b[i..] {
                [b'Z' | b'z'] => 0,
                [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
                    let (Some(h), Some(m)) = (digits(i + 1, 2), digits(i + 4, 2)) else {
                        return Err(malformed());
                    };
                    if h > 23 || m > 59 {
                        return Err(invalid("offset"));
                    }
                    let magnitude = h * 3600 + m * 60;
                    if *sign == b'+' {
                        magnitude
                    } else {
                        -magnitude
                    }
                }
                _ => return Err(malformed()),
            }
        } else {
            return Err(malformed());
        };
        if !(1..=12).contains(&month) {
            return Err(invalid("month"));
        }
        if day < 1 || day > days_in_month(year, month) {
            return Err(invalid("day"));
        }
        if hour > 23 {
            return Err(invalid("hour"));
        }
        if minute > 59 {
            return Err(invalid("minute"));
        }
        if second > 60 {
            return Err(invalid("second"));
        }
        let secs = days_from_civil(year, month, day) * SECS_PER_DAY + hour * 3600 + minute * 60 + second
            - offset_secs;
        MwsDate::from_unix_secs(secs)
    }

    /// Seconds since 1970-01-01 UTC.
    pub fn unix_secs(self) -> i64 {
        self.secs
    }

    /// Milliseconds since 1970-01-01 UTC (the start of the second), for a JavaScript `Date`.
    pub fn unix_ms(self) -> i64 {
        self.secs * 1000
    }

    /// This date moved by `secs` seconds (negative: earlier), or `None` past the four-digit years.
    pub fn plus_secs(self, secs: i64) -> Option<MwsDate> {
        MwsDate::from_unix_secs(self.secs.checked_add(secs)?).ok()
    }
}

impl fmt::Display for MwsDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.secs.div_euclid(SECS_PER_DAY);
        let in_day = self.secs.rem_euclid(SECS_PER_DAY);
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
            in_day / 3600,
            in_day / 60 % 60,
            in_day % 60
        )
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `yyyy-MM-dd HH:mm:ss UTC`, with plausible field ranges.
pub fn is_mws_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 23 || s.get(19..) != Some(" UTC") {
        return false;
    }
    // `None` unless every byte of the range is a digit; no index can fall outside the text.
    let num = |from: usize, to: usize| -> Option<u32> {
        b.get(from..to)?.iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    let fields = (
        num(0, 4),
        num(5, 7),
        num(8, 10),
        num(11, 13),
        num(14, 16),
        num(17, 19),
    );
    let (Some(_), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = fields else {
        return false;
    };
    at(4, b'-')
        && at(7, b'-')
        && at(10, b' ')
        && at(13, b':')
        && at(16, b':')
        && (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && hour < 24
        && minute < 60
        && second < 61
}
