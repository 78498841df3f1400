//! Cron schedules for `daemon`: parse an expression (5 fields, or 6 with seconds first), find
//! the next run after a moment and the last time a run was due, and tell whether a run was
//! missed while the daemon was down. All times are UTC.
//!
//! croner searches through its own `CronDateTime` trait; it is implemented here for UTC
//! `time::OffsetDateTime` (the project's timestamp type), so chrono is not needed.

use std::cmp::Ordering;
use std::fmt;

use croner::Cron;
use croner::errors::CronError;
use croner::parser::{CronParser, Seconds};
use croner::time::{CivilDateTime, CronDateTime, Resolution, Weekday};
use pharmwatch_model::Timestamp;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

/// A parsed cron expression.
#[derive(Clone)]
pub struct Schedule {
    expression: String,
    cron: Cron,
}

/// A cron expression that could not be parsed.
#[derive(Debug, thiserror::Error)]
#[error("invalid cron expression `{expression}`: {reason}")]
pub struct ScheduleError {
    /// The expression as written.
    pub expression: String,
    /// Why it could not be parsed.
    pub reason: String,
}

impl fmt::Debug for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Schedule").field(&self.expression).finish()
    }
}

impl Schedule {
    /// Parses `min hour day-of-month month day-of-week`, or the same with a seconds field
    /// first (`*/30 * * * * *`); also the nicknames `@hourly`, `@daily`, `@weekly`, ….
    pub fn parse(expression: &str) -> Result<Schedule, ScheduleError> {
        let cron = CronParser::builder()
            .seconds(Seconds::Optional)
            .build()
            .parse(expression.trim())
            .map_err(|e| ScheduleError {
                expression: expression.to_string(),
                reason: e.to_string(),
            })?;
        Ok(Schedule {
            expression: expression.trim().to_string(),
            cron,
        })
    }

    /// The expression as written.
    pub fn expression(&self) -> &str {
        &self.expression
    }

    /// The first time strictly after `after` that the schedule is due.
    pub fn next_after(&self, after: Timestamp) -> Option<Timestamp> {
        self.cron
            .find_next_occurrence(&Utc(after.to_offset(time::UtcOffset::UTC)), false)
            .ok()
            .map(|u| u.0)
    }

    /// The last time at or before `at` that the schedule was due.
    pub fn last_due(&self, at: Timestamp) -> Option<Timestamp> {
        self.cron
            .find_previous_occurrence(&Utc(at.to_offset(time::UtcOffset::UTC)), true)
            .ok()
            .map(|u| u.0)
    }

    /// True when a run was due between the last run's end and `now`: the daemon was down
    /// (or busy) at that time and should catch up once. A group that never ran has missed
    /// nothing (it waits for its first due time).
    pub fn missed(&self, last_finished: Option<Timestamp>, now: Timestamp) -> bool {
        match (last_finished, self.last_due(now)) {
            (Some(last), Some(due)) => last < due,
            _ => false,
        }
    }
}

/// A UTC moment as croner sees it (whole seconds: cron has no finer field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Utc(OffsetDateTime);

impl CronDateTime for Utc {
    fn to_civil(&self) -> CivilDateTime {
        let t = self.0;
        CivilDateTime::new(
            croner::time::CivilDate::from_parts_unchecked(
                t.year(),
                u32::from(u8::from(t.month())),
                u32::from(t.day()),
            ),
            croner::time::CivilTime::from_parts_unchecked(
                u32::from(t.hour()),
                u32::from(t.minute()),
                u32::from(t.second()),
            ),
        )
    }

    fn civil_weekday(&self) -> Weekday {
        Weekday::from_days_from_sunday(u32::from(self.0.weekday().number_days_from_sunday()))
    }

    fn resolve_civil(&self, civil: CivilDateTime) -> Result<Resolution<Self>, CronError> {
        let month = u8::try_from(civil.month())
            .ok()
            .and_then(|m| Month::try_from(m).ok())
            .ok_or(CronError::InvalidDate)?;
        let day = u8::try_from(civil.day()).map_err(|_| CronError::InvalidDate)?;
        let date = Date::from_calendar_date(civil.year(), month, day)
            .map_err(|_| CronError::InvalidDate)?;
        let (h, m, s) = (civil.hour(), civil.minute(), civil.second());
        let hms = |v: u32| u8::try_from(v).map_err(|_| CronError::InvalidTime);
        let time = Time::from_hms(hms(h)?, hms(m)?, hms(s)?).map_err(|_| CronError::InvalidTime)?;
        Ok(Resolution::Single(Utc(
            PrimitiveDateTime::new(date, time).assume_utc()
        )))
    }

    fn checked_add_seconds(&self, seconds: i64) -> Option<Self> {
        self.0
            .checked_add(time::Duration::seconds(seconds))
            .map(Utc)
    }

    fn cmp_instant(&self, other: &Self) -> Ordering {
        self.0.cmp(&other.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn next_run_of_a_five_field_expression() {
        let s = Schedule::parse("0 3 * * 1").unwrap();
        // 2026-11-23 is a Monday.
        assert_eq!(
            s.next_after(datetime!(2026-11-23 02:59:59 UTC)),
            Some(datetime!(2026-11-23 03:00:00 UTC))
        );
        assert_eq!(
            s.next_after(datetime!(2026-11-23 03:00:00 UTC)),
            Some(datetime!(2026-11-30 03:00:00 UTC)),
            "strictly after"
        );
    }

    #[test]
    fn six_fields_have_seconds_first() {
        let s = Schedule::parse("*/3 * * * * *").unwrap();
        assert_eq!(
            s.next_after(datetime!(2026-11-23 10:00:01.5 UTC)),
            Some(datetime!(2026-11-23 10:00:03 UTC))
        );
        assert_eq!(
            s.last_due(datetime!(2026-11-23 10:00:05 UTC)),
            Some(datetime!(2026-11-23 10:00:03 UTC))
        );
    }

    #[test]
    fn other_offsets_are_read_as_the_same_instant() {
        let s = Schedule::parse("0 12 * * *").unwrap();
        // 13:00 at +02:00 is 11:00 UTC: today's noon (UTC) is still ahead.
        assert_eq!(
            s.next_after(datetime!(2026-11-23 13:00 +02:00)),
            Some(datetime!(2026-11-23 12:00 UTC))
        );
    }

    #[test]
    fn last_due_includes_the_moment_itself_and_crosses_months() {
        let s = Schedule::parse("30 6 1 * *").unwrap();
        assert_eq!(
            s.last_due(datetime!(2026-12-01 06:30 UTC)),
            Some(datetime!(2026-12-01 06:30 UTC))
        );
        assert_eq!(
            s.last_due(datetime!(2026-12-01 06:29 UTC)),
            Some(datetime!(2026-11-01 06:30 UTC))
        );
    }

    #[test]
    fn a_run_missed_during_downtime_is_detected_once() {
        let s = Schedule::parse("0 3 * * *").unwrap();
        let now = datetime!(2026-11-23 09:00 UTC);
        // Last run ended yesterday at 03:20; today's 03:00 passed while the daemon was down.
        assert!(s.missed(Some(datetime!(2026-11-22 03:20 UTC)), now));
        // Today's run happened: nothing to catch up.
        assert!(!s.missed(Some(datetime!(2026-11-23 03:15 UTC)), now));
        // Several missed days still mean one catch-up run (a boolean, not a count).
        assert!(s.missed(Some(datetime!(2026-11-01 03:20 UTC)), now));
        // Never ran: wait for the first due time.
        assert!(!s.missed(None, now));
    }

    #[test]
    fn leap_day_and_nicknames() {
        let s = Schedule::parse("0 0 29 2 *").unwrap();
        assert_eq!(
            s.next_after(datetime!(2026-11-23 00:00 UTC)),
            Some(datetime!(2028-02-29 00:00 UTC))
        );
        let daily = Schedule::parse("@daily").unwrap();
        assert_eq!(
            daily.next_after(datetime!(2026-11-23 00:00 UTC)),
            Some(datetime!(2026-11-24 00:00 UTC))
        );
    }

    #[test]
    fn bad_expressions_are_refused_with_the_expression_in_the_message() {
        for bad in ["", "61 * * * *", "* * *", "every day", "* * * * * * * *"] {
            let err = Schedule::parse(bad).unwrap_err().to_string();
            assert!(err.contains(&format!("`{bad}`")), "{err}");
        }
    }
}
