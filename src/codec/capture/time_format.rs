//! `EnqueuedTimeUtc` as Azure's Capture writes it: .NET's `DateTime.ToString()` in the
//! invariant culture, `M/d/yyyy h:mm:ss tt` (e.g. `12/8/2017 3:03:17 AM`), to the second.
//! Readers also accept RFC 3339, which other tools write.

use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

pub fn format_enqueued_time(unix_ms: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp_nanos(i128::from(unix_ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let (hour12, meridiem) = match t.hour() {
        0 => (12, "AM"),
        h @ 1..=11 => (h, "AM"),
        12 => (12, "PM"),
        h => (h - 12, "PM"),
    };
    format!(
        "{}/{}/{} {}:{:02}:{:02} {}",
        u8::from(t.month()),
        t.day(),
        t.year(),
        hour12,
        t.minute(),
        t.second(),
        meridiem
    )
}

pub fn parse_enqueued_time(text: &str) -> Option<OffsetDateTime> {
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(t);
    }
    let (date, rest) = text.trim().split_once(' ')?;
    let (clock, meridiem) = rest.trim().split_once(' ')?;
    let mut date = date.split('/');
    let month: u8 = date.next()?.parse().ok()?;
    let day: u8 = date.next()?.parse().ok()?;
    let year: i32 = date.next()?.parse().ok()?;
    let mut clock = clock.split(':');
    let hour12: u8 = clock.next()?.parse().ok()?;
    let minute: u8 = clock.next()?.parse().ok()?;
    let second: u8 = clock.next()?.parse().ok()?;
    let hour = match (meridiem, hour12) {
        ("AM", 12) => 0,
        ("AM", h @ 1..=11) => h,
        ("PM", 12) => 12,
        ("PM", h @ 1..=11) => h + 12,
        _ => return None,
    };
    let date = Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()?;
    let time = Time::from_hms(hour, minute, second).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}
