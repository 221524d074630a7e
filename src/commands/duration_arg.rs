//! Durations on the command line: `90s`, `5m`, `2h`, `1d`, or several run together (`1h30m`),
//! as people write them in alert rules.

use std::time::Duration;

/// Parses a duration for clap; the error says what is accepted.
pub fn parse(text: &str) -> Result<Duration, String> {
    let explain = || format!("{text:?} is not a duration: write it as 30s, 5m, 2h, 1d or 1h30m");
    let text = text.trim();
    if text.is_empty() {
        return Err(explain());
    }
    let mut total: u64 = 0;
    let mut digits = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit: u64 = match c {
            's' => 1,
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            _ => return Err(explain()),
        };
        let amount: u64 = digits.parse().map_err(|_| explain())?;
        digits.clear();
        total = amount
            .checked_mul(unit)
            .and_then(|s| total.checked_add(s))
            .ok_or_else(explain)?;
    }
    if !digits.is_empty() {
        return Err(explain());
    }
    Ok(Duration::from_secs(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_combinations() {
        assert_eq!(parse("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse("1h30m"), Ok(Duration::from_secs(5_400)));
        assert_eq!(parse("2d"), Ok(Duration::from_secs(172_800)));
    }

    #[test]
    fn anything_else_is_refused_with_the_accepted_forms() {
        for bad in ["", "30", "m", "5 minutes", "-5s", "99999999999999999999d"] {
            let error = parse(bad).expect_err(bad);
            assert!(error.contains("30s, 5m, 2h, 1d"), "{bad}: {error}");
        }
    }
}
