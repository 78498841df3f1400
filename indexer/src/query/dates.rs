//! Date values in queries: each stands for an interval of seconds.

use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

/// Parses a date value into `(start, end)` Unix seconds, `end` exclusive:
/// `2026` (the year), `2026-11` (the month), `2026-11-01` (the day, UTC),
/// `2026-11-01T08:30:00Z` (that second), `now`, `now-7d` / `now+2h` (units s m h d w).
pub fn parse(text: &str) -> Option<(i64, i64)> {
    if let Some(rest) = text.strip_prefix("now") {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let t = now.checked_add(relative(rest)?)?;
        return Some((t, t + 1));
    }
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        let s = t.unix_timestamp();
        return Some((s, s + 1));
    }
    let parts: Vec<&str> = text.split('-').collect();
    let num = |s: &str, len: usize| -> Option<i32> {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let midnight = |d: Date| {
        PrimitiveDateTime::new(d, Time::MIDNIGHT)
            .assume_utc()
            .unix_timestamp()
    };
    match parts.as_slice() {
        [y] => {
            let y = num(y, 4)?;
            let start = Date::from_calendar_date(y, Month::January, 1).ok()?;
            let last = Date::from_calendar_date(y, Month::December, 31).ok()?;
            Some((midnight(start), midnight(last) + 86_400))
        }
        [y, m] => {
            let y = num(y, 4)?;
            let month = Month::try_from(u8::try_from(num(m, 2)?).ok()?).ok()?;
            let start = Date::from_calendar_date(y, month, 1).ok()?;
            let end = if month == Month::December {
                midnight(Date::from_calendar_date(y, Month::December, 31).ok()?) + 86_400
            } else {
                midnight(Date::from_calendar_date(y, month.next(), 1).ok()?)
            };
            Some((midnight(start), end))
        }
        [y, m, d] => {
            let month = Month::try_from(u8::try_from(num(m, 2)?).ok()?).ok()?;
            let day = u8::try_from(num(d, 2)?).ok()?;
            let date = Date::from_calendar_date(num(y, 4)?, month, day).ok()?;
            let start = midnight(date);
            Some((start, start + 86_400))
        }
        _ => None,
    }
}

/// `-7d`, `+2h`, `` (nothing) as seconds; `None` when malformed or absurdly large.
fn relative(rest: &str) -> Option<i64> {
    if rest.is_empty() {
        return Some(0);
    }
    let (sign, body) = match rest.as_bytes().first()? {
        b'-' => (-1, &rest[1..]),
        b'+' => (1, &rest[1..]),
        _ => return None,
    };
    let unit = body.chars().last()?;
    let n: i64 = body[..body.len() - unit.len_utf8()].parse().ok()?;
    let unit_secs = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3_600,
        'd' => 86_400,
        'w' => 604_800,
        _ => return None,
    };
    n.checked_mul(unit_secs)?.checked_mul(sign)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_months_years_and_instants() {
        let (s, e) = parse("2026-01-01").unwrap();
        assert_eq!(s, 1_767_225_600);
        assert_eq!(e - s, 86_400);
        let (s2, e2) = parse("2026-12").unwrap();
        assert_eq!(e2 - s2, 31 * 86_400);
        assert_eq!(parse("2026").unwrap().0, s);
        assert_eq!(parse("2026-01-01T00:00:10Z").unwrap(), (s + 10, s + 11));
        assert!(parse("2026-13-01").is_none());
        assert_eq!(parse("9999-12").unwrap().1, parse("9999").unwrap().1);
        assert!(parse("yesterday").is_none());
        assert!(parse("now-x").is_none());
        assert!(parse("now-99999999999999999d").is_none());
        assert!(parse("now-").is_none());
        let (n, _) = parse("now-1d").unwrap();
        let (now, _) = parse("now").unwrap();
        assert!((now - n - 86_400).abs() <= 1);
    }
}
