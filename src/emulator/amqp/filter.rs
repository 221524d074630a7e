//! The start-position filter receivers attach with: a described string under
//! `apache.org:selector-filter:string` such as `amqp.annotation.x-opt-offset > '-1'`.
//! Spacing differs between SDKs (Rust writes `>='12'`), so parsing is lenient.

use crate::emulator::store::Start;

pub const SELECTOR_FILTER_KEY: &str = "apache.org:selector-filter:string";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported start filter {0:?}")]
pub struct FilterError(pub String);

/// Parses a selector expression into a start position.
pub fn parse_selector(expression: &str) -> Result<Start, FilterError> {
    let bad = || FilterError(expression.to_string());
    let rest = expression
        .trim()
        .strip_prefix("amqp.annotation.")
        .ok_or_else(bad)?;
    let (field, rest) = [
        "x-opt-offset",
        "x-opt-sequence-number",
        "x-opt-enqueued-time",
    ]
    .iter()
    .find_map(|f| rest.strip_prefix(f).map(|r| (*f, r.trim_start())))
    .ok_or_else(bad)?;
    let (inclusive, rest) = match rest.strip_prefix(">=") {
        Some(r) => (true, r),
        None => (false, rest.strip_prefix('>').ok_or_else(bad)?),
    };
    let value = rest
        .trim()
        .strip_prefix('\'')
        .and_then(|v| v.strip_suffix('\''))
        .ok_or_else(bad)?;
    match field {
        "x-opt-offset" => match value {
            "-1" => Ok(Start::Earliest),
            "@latest" => Ok(Start::Latest),
            digits => Ok(Start::Offset {
                offset: digits.parse().map_err(|_| bad())?,
                inclusive,
            }),
        },
        "x-opt-sequence-number" => Ok(Start::Sequence {
            sequence_number: value.parse().map_err(|_| bad())?,
            inclusive,
        }),
        _ => Ok(Start::Enqueued {
            unix_ms: value.parse().map_err(|_| bad())?,
            inclusive,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sdk_spelling_parses() {
        assert_eq!(
            parse_selector("amqp.annotation.x-opt-offset > '-1'"),
            Ok(Start::Earliest)
        );
        assert_eq!(
            parse_selector("amqp.annotation.x-opt-offset > '@latest'"),
            Ok(Start::Latest)
        );
        assert_eq!(
            parse_selector("amqp.annotation.x-opt-offset >'35'"),
            Ok(Start::Offset {
                offset: 35,
                inclusive: false
            })
        );
        assert_eq!(
            parse_selector("amqp.annotation.x-opt-sequence-number >='1'"),
            Ok(Start::Sequence {
                sequence_number: 1,
                inclusive: true
            })
        );
        assert_eq!(
            parse_selector("amqp.annotation.x-opt-enqueued-time > '1700000000000'"),
            Ok(Start::Enqueued {
                unix_ms: 1_700_000_000_000,
                inclusive: false
            })
        );
        assert!(parse_selector("amqp.annotation.x-opt-offset < '3'").is_err());
        assert!(parse_selector("amqp.annotation.x-opt-sequence-number > 'abc'").is_err());
    }
}
