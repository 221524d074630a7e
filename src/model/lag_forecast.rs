//! Where a partition's lag is heading: drained in so long, unread events lost to retention in
//! so long, or already losing them, from the partition's rates and time behind.

use std::time::Duration;

use super::lag::LagPolicy;
use super::lag_history::Rates;

/// Where a partition's lag is heading, from the rates in its history.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Forecast {
    /// Nothing is waiting.
    CaughtUp,
    /// Consumers outpace arrivals: the backlog is gone in about this long.
    DrainsIn(Duration),
    /// At this rate retention deletes the oldest unread event in about this long.
    LosesIn(Duration),
    /// The oldest unread event is already past retention.
    AlreadyLosing,
    /// Behind, but too little history to say where it is heading.
    Unknown,
}

impl Forecast {
    /// One line for a person: "drains in ~4m00s", "loses unread events to retention in 2d03h".
    pub fn sentence(self) -> String {
        match self {
            Forecast::CaughtUp => "caught up".to_owned(),
            Forecast::DrainsIn(d) => format!("drains in ~{}", duration_text(d)),
            Forecast::LosesIn(d) => {
                format!("loses unread events to retention in {}", duration_text(d))
            }
            Forecast::AlreadyLosing => "already losing unread events to retention".to_owned(),
            Forecast::Unknown => "not enough history to forecast".to_owned(),
        }
    }

    /// Seconds until the forecast event, for scripts.
    pub fn seconds(self) -> Option<u64> {
        match self {
            Forecast::DrainsIn(d) | Forecast::LosesIn(d) => Some(d.as_secs()),
            Forecast::AlreadyLosing => Some(0),
            Forecast::CaughtUp | Forecast::Unknown => None,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Forecast::CaughtUp => "caught_up",
            Forecast::DrainsIn(_) => "drains",
            Forecast::LosesIn(_) => "loses",
            Forecast::AlreadyLosing => "already_losing",
            Forecast::Unknown => "unknown",
        }
    }
}

/// `42s`, `4m05s`, `3h20m`, `2d03h`: two units at most, as a person reads a delay.
pub fn duration_text(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s}s"),
        60..3_600 => format!("{}m{:02}s", s / 60, s % 60),
        3_600..86_400 => format!("{}h{:02}m", s / 3_600, (s % 3_600) / 60),
        _ => format!("{}d{:02}h", s / 86_400, (s % 86_400) / 3_600),
    }
}

/// Where the backlog is heading. Time behind grows by one second a second while nothing is
/// processed and shrinks as consumers outpace arrivals; retention deletes the oldest unread
/// event once its time behind reaches the hub's retention.
pub(super) fn forecast(
    events_behind: u64,
    time_behind: Option<Duration>,
    purged: bool,
    rates: Option<Rates>,
    policy: LagPolicy,
) -> Forecast {
    if purged {
        return Forecast::AlreadyLosing;
    }
    if events_behind == 0 {
        return Forecast::CaughtUp;
    }
    if let Some(waited) = time_behind
        && waited >= policy.retention
    {
        return Forecast::AlreadyLosing;
    }
    let Some(rates) = rates else {
        return Forecast::Unknown;
    };
    let net = rates.drain - rates.ingress;
    if net > 0.0 {
        return Forecast::DrainsIn(Duration::from_secs_f64(events_behind as f64 / net));
    }
    let Some(waited) = time_behind else {
        return Forecast::Unknown;
    };
    // Not catching up. With steady arrivals the backlog, in time, grows by (ingress - drain) /
    // ingress seconds a second: one second a second when nothing is processed.
    let growth = if rates.ingress > 0.0 {
        (-net / rates.ingress).clamp(0.0, 1.0)
    } else {
        1.0
    };
    if growth <= f64::EPSILON {
        return Forecast::Unknown;
    }
    let left = policy.retention.saturating_sub(waited).as_secs_f64();
    Forecast::LosesIn(Duration::from_secs_f64((left / growth).min(1e12)))
}
