//! Time stamps in the exact text forms each server writes, without a date crate: the formats are
//! few and fixed, and the burst path formats hundreds of thousands of them per second.

use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

/// Nanoseconds since the Unix epoch.
pub type Nanos = u64;

pub const NANOS_PER_SEC: u64 = 1_000_000_000;
pub const NANOS_PER_MS: u64 = 1_000_000;

/// The fixed start of the virtual clock used with `--seed`, so seeded runs replay byte-identical
/// frames (2026-01-01T00:00:00Z).
pub const SEEDED_EPOCH: Nanos = 1_767_225_600 * NANOS_PER_SEC;

/// The UTC offset of the simulated hosts' local time, used where the real servers print local
/// time (Events Hub `System Log` `time`): +02:00, so clients meet a non-zero offset.
pub const LOCAL_OFFSET_MINUTES: i64 = 120;

pub fn now() -> Nanos {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as Nanos)
}

/// Milliseconds since the epoch with microsecond precision, as used in burst `sent_at_ms` fields.
pub fn now_ms_f64() -> f64 {
    let ns = now();
    (ns / 1_000) as f64 / 1_000.0
}

/// (year, month, day) of a day count since 1970-01-01 (Howard Hinnant's civil_from_days).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = (z - era * 146_097) as u64;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe as i64 + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = (y - era * 400) as u64;
    let m = m as u64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as u64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe as i64 - 719_468
}

fn write_date_time(out: &mut String, secs: i64, date_time_sep: char) {
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, mo, d) = civil_from_days(days);
    let _ = write!(
        out,
        "{y:04}-{mo:02}-{d:02}{date_time_sep}{:02}:{:02}:{:02}",
        sod / 3600,
        (sod / 60) % 60,
        sod % 60
    );
}

/// Go's RFC3339Nano fraction: up to 9 digits, trailing zeros trimmed, no dot when zero.
fn write_trimmed_fraction(out: &mut String, nanos: u32) {
    if nanos == 0 {
        return;
    }
    let mut digits = nanos;
    let mut width = 9;
    while digits.is_multiple_of(10) {
        digits /= 10;
        width -= 1;
    }
    let _ = write!(out, ".{digits:0width$}");
}

/// Go's `time.RFC3339Nano` in UTC, e.g. `2026-08-18T09:14:33.1207Z`.
pub fn write_rfc3339_nano(out: &mut String, ns: Nanos) {
    write_date_time(out, (ns / NANOS_PER_SEC) as i64, 'T');
    write_trimmed_fraction(out, (ns % NANOS_PER_SEC) as u32);
    out.push('Z');
}

pub fn rfc3339_nano(ns: Nanos) -> String {
    let mut s = String::with_capacity(32);
    write_rfc3339_nano(&mut s, ns);
    s
}

/// RFC3339Nano in the simulated local time zone, e.g. `2026-08-18T11:23:07.809551+02:00`.
pub fn rfc3339_nano_local(ns: Nanos) -> String {
    let mut s = String::with_capacity(40);
    let secs = (ns / NANOS_PER_SEC) as i64 + LOCAL_OFFSET_MINUTES * 60;
    write_date_time(&mut s, secs, 'T');
    write_trimmed_fraction(&mut s, (ns % NANOS_PER_SEC) as u32);
    let sign = if LOCAL_OFFSET_MINUTES < 0 { '-' } else { '+' };
    let off = LOCAL_OFFSET_MINUTES.abs();
    let _ = write!(s, "{sign}{:02}:{:02}", off / 60, off % 60);
    s
}

/// Whole seconds, `2026-08-18T09:24:58Z` (the Events Hub's `cached_date`).
pub fn rfc3339_secs(ns: Nanos) -> String {
    let mut s = String::with_capacity(24);
    write_date_time(&mut s, (ns / NANOS_PER_SEC) as i64, 'T');
    s.push('Z');
    s
}

/// Milliseconds, `2025-01-01T12:00:00.000Z` (MetalSoft's CloudEvents `time`).
pub fn rfc3339_millis(ns: Nanos) -> String {
    let mut s = String::with_capacity(24);
    write_date_time(&mut s, (ns / NANOS_PER_SEC) as i64, 'T');
    let _ = write!(s, ".{:03}Z", (ns % NANOS_PER_SEC) / NANOS_PER_MS);
    s
}

/// MWS REST dates: `2024-06-10 17:13:31 UTC`.
pub fn mws_date(ns: Nanos) -> String {
    let mut s = String::with_capacity(24);
    write_date_time(&mut s, (ns / NANOS_PER_SEC) as i64, ' ');
    s.push_str(" UTC");
    s
}

/// Parses the date forms a MWS query may use: `2025-01-27 12:08:00 UTC`, or RFC 3339 in UTC
/// (`2025-01-27T12:08:00Z`, fraction allowed). Returns seconds since the epoch.
pub fn parse_date_secs(s: &str) -> Option<i64> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() < 19 {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        if !part.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    if b[4] != b'-' || b[7] != b'-' || !(b[10] == b' ' || b[10] == b'T') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        rest = &frac[digits..];
    }
    if !matches!(rest, "" | "Z" | " UTC" | "+00:00") {
        return None;
    }
    Some(days_from_civil(y, mo as u32, d as u32) * 86_400 + h * 3600 + mi * 60 + sec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_go() {
        // 2026-08-18T09:14:33.1207Z
        let base = (days_from_civil(2026, 8, 18) * 86_400 + 9 * 3600 + 14 * 60 + 33) as u64 * NANOS_PER_SEC;
        assert_eq!(rfc3339_nano(base + 120_700_000), "2026-08-18T09:14:33.1207Z");
        assert_eq!(rfc3339_nano(base), "2026-08-18T09:14:33Z");
        assert_eq!(rfc3339_nano(base + 1), "2026-08-18T09:14:33.000000001Z");
        assert_eq!(
            rfc3339_nano_local(base + 809_551_000),
            "2026-08-18T11:14:33.809551+02:00"
        );
        assert_eq!(rfc3339_millis(base + 5_000_000), "2026-08-18T09:14:33.005Z");
        assert_eq!(mws_date(base + 5), "2026-08-18 09:14:33 UTC");
        assert_eq!(
            parse_date_secs("2026-08-18 09:14:33 UTC"),
            Some((base / NANOS_PER_SEC) as i64)
        );
        assert_eq!(
            parse_date_secs("2026-08-18T09:14:33.5Z"),
            Some((base / NANOS_PER_SEC) as i64)
        );
        assert_eq!(parse_date_secs("yesterday"), None);
        assert_eq!(rfc3339_nano(SEEDED_EPOCH), "2026-01-01T00:00:00Z");
    }
}
