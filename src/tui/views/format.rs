//! Pure text formatting shared by the panes. Times take `now` explicitly so screens are
//! reproducible in tests.

use std::time::Duration;

use time::OffsetDateTime;

/// `12:00:03` in UTC: on-call timelines are compared across teams in UTC.
pub fn clock(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second())
}

/// `2024-05-01 12:00:03Z`.
pub fn timestamp(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!("{} {}Z", t.date(), clock(t))
}

/// `3s ago`, `5m ago`, `in 2s` (clock skew happens).
pub fn relative(now: OffsetDateTime, t: OffsetDateTime) -> String {
    let delta = now - t;
    if delta.is_negative() {
        return format!(
            "in {}",
            short_duration(Duration::try_from(-delta).unwrap_or_default())
        );
    }
    format!(
        "{} ago",
        short_duration(Duration::try_from(delta).unwrap_or_default())
    )
}

/// `45s`, `3m20s`, `2h05m`, `4d03h`: two units at most.
pub fn short_duration(d: Duration) -> String {
    crate::model::duration_text(d)
}

/// A duration as [`short_duration`], `-` when unknown.
pub fn maybe_duration(d: Option<Duration>) -> String {
    d.map_or_else(|| "-".to_owned(), short_duration)
}

/// A forecast in a table cell: short enough not to be cut (the why box has the sentence).
pub fn forecast_cell(forecast: crate::model::Forecast) -> String {
    use crate::model::Forecast;
    match forecast {
        Forecast::DrainsIn(d) => format!("drains in ~{}", short_duration(d)),
        Forecast::LosesIn(d) => format!("loses unread in {}", short_duration(d)),
        Forecast::AlreadyLosing => "already losing".to_owned(),
        Forecast::CaughtUp => "caught up".to_owned(),
        Forecast::Unknown => "…".to_owned(),
    }
}

/// `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `312 B`, `1.5 KiB`, `2.0 MiB`.
pub fn bytes(n: usize) -> String {
    const KIB: f64 = 1024.0;
    let n = n as f64;
    if n < KIB {
        format!("{n} B")
    } else if n < KIB * KIB {
        format!("{:.1} KiB", n / KIB)
    } else {
        format!("{:.1} MiB", n / KIB / KIB)
    }
}

/// `12.5/s`; `-` when unknown.
pub fn rate(per_sec: Option<f64>) -> String {
    per_sec.map_or_else(|| "-".to_owned(), |r| format!("{r:.1}/s"))
}

/// A one-line bar chart of the last `width` values, scaled to the largest.
pub fn sparkline(values: &[u64], width: usize) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let shown = &values[values.len().saturating_sub(width)..];
    let max = shown.iter().copied().max().unwrap_or(0).max(1);
    shown
        .iter()
        .map(|v| BARS[((v * 7) / max) as usize])
        .collect()
}

/// `text` in at most `width` columns: whole when it fits, else its start and end with `…`
/// between, so that names differing only at the end (`orders-eu`, `orders-us`) stay apart.
pub fn elide_middle(text: &str, width: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= width {
        return text.to_owned();
    }
    if width < 2 {
        return "…".chars().take(width).collect();
    }
    let tail = (width - 1) / 2;
    let head = width - 1 - tail;
    let mut out: String = chars[..head].iter().collect();
    out.push('…');
    out.extend(&chars[chars.len() - tail..]);
    out
}

/// `text` in at most `width` columns, cut at the end with `…` when it does not fit.
pub fn elide_end(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    if width > 0 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_714_564_800 + s).expect("valid")
    }

    #[test]
    fn times() {
        assert_eq!(clock(at(3)), "12:00:03");
        assert_eq!(timestamp(at(3)), "2024-05-01 12:00:03Z");
        assert_eq!(relative(at(0), at(-200)), "3m20s ago");
        assert_eq!(relative(at(0), at(2)), "in 2s");
        assert_eq!(short_duration(Duration::from_secs(90_000)), "1d01h");
    }

    #[test]
    fn numbers() {
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
        assert_eq!(bytes(312), "312 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(rate(Some(12.46)), "12.5/s");
        assert_eq!(rate(None), "-");
    }

    #[test]
    fn long_names_lose_their_middle_with_a_mark() {
        assert_eq!(elide_middle("sale", 10), "sale");
        assert_eq!(elide_middle("customer-contact-events", 11), "custo…vents");
        assert_eq!(elide_middle("orders-eu", 1), "…");
        assert_eq!(elide_end("loses unread in 6d23h", 10), "loses unr…");
        assert_eq!(elide_end("caught up", 10), "caught up");
    }

    #[test]
    fn sparkline_scales_to_max_and_width() {
        assert_eq!(sparkline(&[0, 7, 14], 10), "▁▄█");
        assert_eq!(sparkline(&[5, 0, 0, 0], 2), "▁▁");
        assert_eq!(sparkline(&[], 5), "");
    }
}
