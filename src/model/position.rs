use std::fmt;
use std::str::FromStr;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Where a read (a tail, a replay) starts in each partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartPosition {
    /// The oldest retained event.
    Earliest,
    /// Only events enqueued after the reader attaches.
    Latest,
    /// The event with this sequence number (inclusive).
    Sequence(i64),
    /// The event at this offset (inclusive); offsets are opaque strings.
    Offset(String),
    /// The first event enqueued at or after this instant.
    Time(OffsetDateTime),
}

/// Why a start position could not be parsed; the message names the accepted forms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StartPositionError {
    #[error("empty start position; expected earliest, latest, seq:N, offset:X or time:RFC3339")]
    Empty,
    #[error(
        "unknown start position `{0}`; expected earliest, latest, seq:N, offset:X or time:RFC3339"
    )]
    Unknown(String),
    #[error("`seq:{0}` is not a sequence number; expected a whole number such as seq:1042")]
    BadSequence(String),
    #[error("`offset:` needs a value, such as offset:4096")]
    EmptyOffset,
    #[error("`time:{value}` is not an RFC 3339 time ({reason}); e.g. time:2024-05-01T12:00:00Z")]
    BadTime { value: String, reason: String },
}

impl FromStr for StartPosition {
    type Err = StartPositionError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let input = input.trim();
        if input.is_empty() {
            return Err(StartPositionError::Empty);
        }
        match input.to_ascii_lowercase().as_str() {
            "earliest" => return Ok(Self::Earliest),
            "latest" => return Ok(Self::Latest),
            _ => {}
        }
        let Some((kind, value)) = input.split_once(':') else {
            return Err(StartPositionError::Unknown(input.to_owned()));
        };
        let value = value.trim();
        match kind.trim().to_ascii_lowercase().as_str() {
            "seq" => value
                .parse::<i64>()
                .map(Self::Sequence)
                .map_err(|_| StartPositionError::BadSequence(value.to_owned())),
            "offset" if value.is_empty() => Err(StartPositionError::EmptyOffset),
            "offset" => Ok(Self::Offset(value.to_owned())),
            "time" => OffsetDateTime::parse(value, &Rfc3339)
                .map(Self::Time)
                .map_err(|e| StartPositionError::BadTime {
                    value: value.to_owned(),
                    reason: e.to_string(),
                }),
            _ => Err(StartPositionError::Unknown(input.to_owned())),
        }
    }
}

impl fmt::Display for StartPosition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Earliest => f.write_str("earliest"),
            Self::Latest => f.write_str("latest"),
            Self::Sequence(n) => write!(f, "seq:{n}"),
            Self::Offset(o) => write!(f, "offset:{o}"),
            Self::Time(t) => match t.format(&Rfc3339) {
                Ok(text) => write!(f, "time:{text}"),
                Err(_) => write!(f, "time:{t}"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        assert_eq!("earliest".parse(), Ok(StartPosition::Earliest));
        assert_eq!(" Latest ".parse(), Ok(StartPosition::Latest));
        assert_eq!("seq:1042".parse(), Ok(StartPosition::Sequence(1042)));
        assert_eq!(
            "offset:8589934592".parse(),
            Ok(StartPosition::Offset("8589934592".into()))
        );
        assert_eq!(
            "time:2024-05-01T12:00:00Z".parse(),
            Ok(StartPosition::Time(
                OffsetDateTime::from_unix_timestamp(1_714_564_800).unwrap()
            ))
        );
    }

    #[test]
    fn errors_say_what_was_wrong() {
        assert_eq!("".parse::<StartPosition>(), Err(StartPositionError::Empty));
        assert_eq!(
            "beginning".parse::<StartPosition>(),
            Err(StartPositionError::Unknown("beginning".into()))
        );
        assert_eq!(
            "seq:abc".parse::<StartPosition>(),
            Err(StartPositionError::BadSequence("abc".into()))
        );
        assert_eq!(
            "offset:".parse::<StartPosition>(),
            Err(StartPositionError::EmptyOffset)
        );
        let err = "time:yesterday".parse::<StartPosition>().unwrap_err();
        assert!(
            matches!(err, StartPositionError::BadTime { ref value, .. } if value == "yesterday")
        );
        assert!(err.to_string().contains("RFC 3339"));
    }

    #[test]
    fn display_round_trips() {
        for text in [
            "earliest",
            "latest",
            "seq:7",
            "offset:abc",
            "time:2024-05-01T12:00:00Z",
        ] {
            let parsed: StartPosition = text.parse().unwrap();
            assert_eq!(parsed.to_string(), text);
        }
    }
}
