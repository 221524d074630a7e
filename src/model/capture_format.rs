//! Blob names under a custom `archiveNameFormat`: the nine tokens in any order, with any text
//! between them. Reading a hub's files, its namespace and name are known, so they are put into
//! the format first; what is left (partition and window start) is read back from each name.

use time::{Date, Month, PrimitiveDateTime, Time};

use super::CaptureName;

/// Every token Azure accepts; a format must hold each once (the ARM spec's rule).
pub const ARCHIVE_NAME_TOKENS: [&str; 9] = [
    "{Namespace}",
    "{EventHub}",
    "{PartitionId}",
    "{Year}",
    "{Month}",
    "{Day}",
    "{Hour}",
    "{Minute}",
    "{Second}",
];

/// A format, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveNameFormat(String);

/// One piece of a format once namespace and hub are in.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    /// A numeric token: `{PartitionId}` (any number of digits) or a date part (fixed width).
    Number(&'static str),
}

impl ArchiveNameFormat {
    /// Azure's default, the layout [`CaptureName::parse`] reads.
    pub const DEFAULT: &'static str =
        "{Namespace}/{EventHub}/{PartitionId}/{Year}/{Month}/{Day}/{Hour}/{Minute}/{Second}";

    pub fn parse(text: &str) -> Result<Self, String> {
        for token in ARCHIVE_NAME_TOKENS {
            if text.matches(token).count() != 1 {
                return Err(format!(
                    "archive name format {text:?} must hold {token} exactly once (all nine of {}, in any order)",
                    ARCHIVE_NAME_TOKENS.join(" ")
                ));
            }
        }
        let mut rest = text.to_owned();
        for token in ARCHIVE_NAME_TOKENS {
            rest = rest.replace(token, "");
        }
        if rest.contains('{') || rest.contains('}') {
            return Err(format!(
                "archive name format {text:?} holds a brace outside the nine tokens"
            ));
        }
        Ok(Self(text.to_owned()))
    }

    pub fn is_default(&self) -> bool {
        self.0 == Self::DEFAULT
    }

    /// The part of every name of `hub` before its first varying token: where to list.
    pub fn prefix(&self, namespace: &str, hub: &str) -> String {
        let known = self.with_hub(namespace, hub);
        known.split('{').next().unwrap_or_default().to_owned()
    }

    /// The partition and window start a name of `hub` encodes; `None` for any other name.
    pub fn parse_name(&self, namespace: &str, hub: &str, name: &str) -> Option<CaptureName> {
        let stem = name.strip_suffix(".avro")?;
        let parts = parts(&self.with_hub(namespace, hub));
        let mut values = Vec::new();
        if !match_parts(&parts, stem, &mut values) {
            return None;
        }
        let value = |token: &str| {
            values
                .iter()
                .find(|(t, _)| *t == token)
                .map(|(_, v): &(&str, &str)| *v)
        };
        let number = |token: &str| value(token)?.parse::<u16>().ok();
        let date = Date::from_calendar_date(
            i32::from(number("{Year}")?),
            Month::try_from(u8::try_from(number("{Month}")?).ok()?).ok()?,
            u8::try_from(number("{Day}")?).ok()?,
        )
        .ok()?;
        let time = Time::from_hms(
            u8::try_from(number("{Hour}")?).ok()?,
            u8::try_from(number("{Minute}")?).ok()?,
            u8::try_from(number("{Second}")?).ok()?,
        )
        .ok()?;
        Some(CaptureName {
            namespace: namespace.to_owned(),
            hub: hub.to_owned(),
            partition: value("{PartitionId}")?.to_owned(),
            window_start: PrimitiveDateTime::new(date, time).assume_utc(),
        })
    }

    fn with_hub(&self, namespace: &str, hub: &str) -> String {
        self.0
            .replace("{Namespace}", namespace)
            .replace("{EventHub}", hub)
    }
}

fn parts(format: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut rest = format;
    while !rest.is_empty() {
        let next = ARCHIVE_NAME_TOKENS[2..]
            .iter()
            .filter_map(|t| rest.find(t).map(|at| (at, *t)))
            .min();
        match next {
            Some((at, token)) => {
                if at > 0 {
                    parts.push(Part::Text(rest[..at].to_owned()));
                }
                parts.push(Part::Number(token));
                rest = &rest[at + token.len()..];
            }
            None => {
                parts.push(Part::Text(rest.to_owned()));
                rest = "";
            }
        }
    }
    parts
}

/// Matches `text` against `parts`, collecting token values; a partition id takes as many
/// digits as lets the rest match (it may sit right before another number).
fn match_parts<'a>(
    parts: &[Part],
    text: &'a str,
    values: &mut Vec<(&'static str, &'a str)>,
) -> bool {
    let Some((first, rest)) = parts.split_first() else {
        return text.is_empty();
    };
    match first {
        Part::Text(literal) => text
            .strip_prefix(literal.as_str())
            .is_some_and(|after| match_parts(rest, after, values)),
        Part::Number(token) => {
            let digits = text.bytes().take_while(u8::is_ascii_digit).count();
            let widths: Vec<usize> = match *token {
                "{PartitionId}" => (1..=digits).rev().collect(),
                "{Year}" => vec![4],
                _ => vec![2],
            };
            for width in widths.into_iter().filter(|w| *w <= digits) {
                values.push((token, &text[..width]));
                if match_parts(rest, &text[width..], values) {
                    return true;
                }
                values.pop();
            }
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_order_of_the_tokens_reads_back() {
        let format = ArchiveNameFormat::parse(
            "{Year}-{Month}-{Day}/{Namespace}_{EventHub}_{PartitionId}/{Hour}{Minute}{Second}",
        )
        .expect("valid");
        let name = format
            .parse_name("ns", "hub", "2017-12-08/ns_hub_13/030317.avro")
            .expect("parses");
        assert_eq!(name.partition, "13");
        assert_eq!(name.window_start.unix_timestamp(), 1_512_702_197);
        assert_eq!(format.prefix("ns", "hub"), "");
        assert!(
            format
                .parse_name("ns", "other", "2017-12-08/ns_hub_13/030317.avro")
                .is_none()
        );
    }

    #[test]
    fn a_partition_right_before_a_number_takes_what_leaves_the_rest_matching() {
        let format = ArchiveNameFormat::parse(
            "c/{EventHub}/{Namespace}/{PartitionId}{Year}{Month}{Day}{Hour}{Minute}{Second}",
        )
        .expect("valid");
        let name = format
            .parse_name("ns", "hub", "c/hub/ns/1220171208030317.avro")
            .expect("parses");
        assert_eq!(name.partition, "12");
        assert_eq!(format.prefix("ns", "hub"), "c/hub/ns/");
    }

    #[test]
    fn a_format_missing_a_token_or_with_another_says_which() {
        let missing = ArchiveNameFormat::parse("{Namespace}/{EventHub}/{PartitionId}/{Year}");
        assert!(missing.unwrap_err().contains("{Month} exactly once"));
        let extra = ArchiveNameFormat::parse(&format!("{}/{{Week}}", ArchiveNameFormat::DEFAULT));
        assert!(extra.unwrap_err().contains("brace outside"));
    }
}
