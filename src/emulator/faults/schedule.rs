//! When a fault strikes: a share of the opportunities (`rate`), inside windows that recur
//! (`every` N, `for` D) or always. An opportunity is one send for refused sends, one second of
//! a link's life for detaches, one request for HTTP answers.

use std::time::Duration;

use crate::emulator::config::toml_format::amount_and_unit;

#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    /// Share of opportunities taken, 0 to 1.
    pub rate: f64,
    /// Windows: `for` long, starting every `every`, counted from when the faults were set.
    pub window: Option<Window>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub every: Duration,
    pub lasting: Duration,
}

impl Schedule {
    /// Whether the fault is in a window `elapsed` after the faults were set.
    pub fn active(&self, elapsed: Duration) -> bool {
        match self.window {
            None => true,
            Some(Window { every, lasting }) => {
                let every = every.as_millis().max(1);
                elapsed.as_millis() % every < lasting.as_millis()
            }
        }
    }

    /// Whether this opportunity is taken.
    pub fn fires(&self, elapsed: Duration) -> bool {
        self.active(elapsed) && (self.rate >= 1.0 || fastrand::f64() < self.rate)
    }
}

/// `250ms`, `2s`, `5m`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (amount, unit) = amount_and_unit(text)
        .ok_or_else(|| format!("{text:?} is not a number followed by ms, s or m"))?;
    match unit {
        "ms" => Ok(Duration::from_millis(amount)),
        "s" => Ok(Duration::from_secs(amount)),
        "m" => Ok(Duration::from_secs(amount.saturating_mul(60))),
        _ => Err(format!("{text:?} must end in ms, s or m")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_recurs() {
        let schedule = Schedule {
            rate: 1.0,
            window: Some(Window {
                every: Duration::from_secs(10),
                lasting: Duration::from_secs(2),
            }),
        };
        assert!(schedule.fires(Duration::from_millis(500)));
        assert!(!schedule.fires(Duration::from_secs(5)));
        assert!(schedule.fires(Duration::from_millis(11_500)));
    }

    #[test]
    fn a_rate_takes_a_share() {
        let schedule = Schedule {
            rate: 0.3,
            window: None,
        };
        let taken = (0..10_000)
            .filter(|_| schedule.fires(Duration::ZERO))
            .count();
        assert!((2_500..3_500).contains(&taken), "{taken}");
    }

    #[test]
    fn durations_take_units() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert!(parse_duration("2 hours").is_err());
    }
}
