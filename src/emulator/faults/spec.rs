//! The faults file: `[[fault]]` tables in TOML, as `ehops emulator --faults FILE` reads it
//! and `PUT /faults` takes it. A mistake names the file, the line and the field.
//!
//! ```toml
//! [[fault]]
//! kind = "detach"                       # see KINDS
//! condition = "amqp:link:detach-forced" # or com.microsoft:server-busy
//! hub = "orders"                        # scope: namespace, hub, partition, link
//! link = "receiver"                     # sender | receiver (the client's role)
//! rate = 0.5                            # share of opportunities (default 1)
//! every = "10s"                         # in windows: `for` long, every `every`
//! for = "2s"
//! ```

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::schedule::{Schedule, Window, parse_duration};
use super::{Action, Fault, LinkKind, Scope, Surface};

/// The conditions a detach may carry: the ones Event Hubs uses for a link it drops.
/// (`amqp:connection:forced` closes a whole connection: kind `close-connection`.)
pub const DETACH_CONDITIONS: [&str; 2] = ["amqp:link:detach-forced", "com.microsoft:server-busy"];

/// Every kind of fault.
pub const KINDS: [&str; 8] = [
    "detach",
    "refuse-sends",
    "drop-connection",
    "close-connection",
    "delay",
    "stall",
    "http",
    "expire-tokens",
];

#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct FaultsError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    fault: Vec<Spanned<RawFault>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFault {
    kind: Spanned<String>,
    namespace: Option<String>,
    hub: Option<String>,
    partition: Option<String>,
    link: Option<Spanned<String>>,
    condition: Option<Spanned<String>>,
    rate: Option<Spanned<f64>>,
    every: Option<Spanned<String>>,
    #[serde(rename = "for")]
    lasting: Option<Spanned<String>>,
    surface: Option<Spanned<String>>,
    status: Option<Spanned<u16>>,
    retry_after: Option<u64>,
    delay: Option<Spanned<String>>,
    after: Option<Spanned<String>>,
}

/// Parses a faults file's text; `file` names it in errors.
pub fn parse(text: &str, file: &Path) -> Result<Vec<Fault>, FaultsError> {
    let at = |byte: usize, message: String| FaultsError {
        file: file.display().to_string(),
        line: text[..byte.min(text.len())].matches('\n').count() + 1,
        message,
    };
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        at(
            e.span().map_or(0, |s| s.start),
            e.message().trim().to_owned(),
        )
    })?;
    raw.fault
        .into_iter()
        .map(|fault| {
            let start = fault.span().start;
            convert(fault.into_inner())
                .map_err(|(byte, message)| at(byte.unwrap_or(start), message))
        })
        .collect()
}

type Invalid = (Option<usize>, String);

fn field<T>(value: &Spanned<T>, name: &str, why: impl std::fmt::Display) -> Invalid {
    (Some(value.span().start), format!("field `{name}`: {why}"))
}

/// A duration field a kind cannot do without: missing, the error points at the kind.
fn required_duration(
    kind: &Spanned<String>,
    value: Option<&Spanned<String>>,
    name: &str,
    missing: &str,
) -> Result<std::time::Duration, Invalid> {
    let value = value.ok_or_else(|| field(kind, name, missing))?;
    parse_duration(value.get_ref()).map_err(|why| field(value, name, why))
}

fn convert(raw: RawFault) -> Result<Fault, Invalid> {
    let link = match &raw.link {
        None => None,
        Some(link) => Some(match link.get_ref().as_str() {
            "sender" => LinkKind::Sender,
            "receiver" => LinkKind::Receiver,
            other => {
                return Err(field(
                    link,
                    "link",
                    format!("{other:?} is not sender or receiver"),
                ));
            }
        }),
    };
    let action = match raw.kind.get_ref().as_str() {
        "detach" => {
            let Some(condition) = &raw.condition else {
                return Err(field(
                    &raw.kind,
                    "condition",
                    format!("a detach needs one of {DETACH_CONDITIONS:?}"),
                ));
            };
            if !DETACH_CONDITIONS.contains(&condition.get_ref().as_str()) {
                return Err(field(
                    condition,
                    "condition",
                    format!("must be one of {DETACH_CONDITIONS:?}"),
                ));
            }
            Action::Detach {
                condition: condition.get_ref().clone(),
            }
        }
        "refuse-sends" => Action::RefuseSends,
        "drop-connection" | "close-connection" => {
            // A connection carries every hub's links: only its namespace can scope it.
            if raw.hub.is_some() || raw.partition.is_some() || raw.link.is_some() {
                return Err(field(
                    &raw.kind,
                    "kind",
                    "a connection fault is scoped by namespace only",
                ));
            }
            if raw.kind.get_ref() == "drop-connection" {
                Action::DropConnection
            } else {
                Action::CloseConnection
            }
        }
        "stall" => Action::Stall,
        "expire-tokens" => Action::ExpireTokens(required_duration(
            &raw.kind,
            raw.after.as_ref(),
            "after",
            "an early expiry needs how long a token lasts, as \"30s\"",
        )?),
        "delay" => Action::Delay(required_duration(
            &raw.kind,
            raw.delay.as_ref(),
            "delay",
            "a delay needs how long, as \"500ms\" or \"2s\"",
        )?),
        "http" => {
            let surface = match &raw.surface {
                None => None,
                Some(s) => Some(match s.get_ref().as_str() {
                    "catalog" => Surface::Catalog,
                    "registry" => Surface::Registry,
                    "checkpoint-store" => Surface::CheckpointStore,
                    other => {
                        return Err(field(
                            s,
                            "surface",
                            format!("{other:?} is not catalog, registry or checkpoint-store"),
                        ));
                    }
                }),
            };
            let Some(status) = &raw.status else {
                return Err(field(
                    &raw.kind,
                    "status",
                    "an http fault needs 429, 500, 503, or 0 for no answer",
                ));
            };
            if ![0, 429, 500, 503].contains(status.get_ref()) {
                return Err(field(
                    status,
                    "status",
                    "must be 429, 500, 503, or 0 for no answer",
                ));
            }
            Action::Http {
                surface,
                status: *status.get_ref(),
                retry_after: raw.retry_after,
            }
        }
        other => {
            return Err(field(
                &raw.kind,
                "kind",
                format!("{other:?} is not one of {KINDS:?}"),
            ));
        }
    };
    let rate = match &raw.rate {
        Some(rate) if !(0.0..=1.0).contains(rate.get_ref()) => {
            return Err(field(rate, "rate", "must be between 0 and 1"));
        }
        Some(rate) => *rate.get_ref(),
        None => 1.0,
    };
    let duration = |value: &Spanned<String>, name: &str| {
        parse_duration(value.get_ref()).map_err(|why| field(value, name, why))
    };
    let window = match (&raw.every, &raw.lasting) {
        (None, None) => None,
        (Some(every), Some(lasting)) => Some(Window {
            every: duration(every, "every")?,
            lasting: duration(lasting, "for")?,
        }),
        (Some(every), None) => {
            return Err(field(
                every,
                "for",
                "`every` needs `for` (how long each window lasts)",
            ));
        }
        (None, Some(lasting)) => {
            return Err(field(
                lasting,
                "every",
                "`for` needs `every` (how often a window starts)",
            ));
        }
    };
    Ok(Fault {
        scope: Scope {
            namespace: raw.namespace,
            hub: raw.hub,
            partition: raw.partition,
            link,
        },
        action,
        schedule: Schedule { rate, window },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mistake_names_file_line_and_field() {
        let text = "[[fault]]\nkind = \"detach\"\nhub = \"orders\"\ncondition = \"amqp:nope\"\n";
        let error = parse(text, Path::new("faults.toml")).expect_err("refused");
        assert_eq!(error.line, 4, "{error}");
        assert!(
            error
                .to_string()
                .starts_with("faults.toml:4: field `condition`"),
            "{error}"
        );

        let unknown = "[[fault]]\nkind = \"http\"\nstatus = 429\nretry = 2\n";
        let error = parse(unknown, Path::new("f.toml")).expect_err("refused");
        assert_eq!(error.line, 4, "{error}");
        assert!(error.message.contains("retry"), "{error}");
    }

    #[test]
    fn a_file_reads_into_faults() {
        let text = r#"
[[fault]]
kind = "refuse-sends"
hub = "orders"
rate = 0.25

[[fault]]
kind = "http"
surface = "registry"
status = 429
retry_after = 1
every = "10s"
for = "2s"
"#;
        let faults = parse(text, Path::new("f.toml")).expect("parses");
        assert_eq!(faults.len(), 2);
        assert_eq!(faults[0].action, Action::RefuseSends);
        assert!((faults[0].schedule.rate - 0.25).abs() < f64::EPSILON);
        assert!(faults[1].schedule.window.is_some());
    }
}
