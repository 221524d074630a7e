//! Search expressions: CEL (the language Eventarc filters CloudEvents with) over one event's
//! CloudEvents attributes, properties, position and decoded data, or a bare word, which
//! matches when the id, subject, type or body contains it. Pure: the caller reads events and
//! says how to decode one; the expression asks for the data only when evaluation reaches it.
//!
//! Variables (see [`names::VARIABLES`]): `id`, `source`, `type`, `subject`, `time`
//! (timestamp), `specversion`, `datacontenttype`, `dataschema`, `extensions` (a map of the
//! other CloudEvents attributes), `properties` (a map of application properties as text),
//! `partition` (int), `sequence` (int), `offset`, `enqueued` (timestamp), `key` (the partition
//! key), `hub`, `data` (decoded through the Schema Registry; `null` when it does not decode)
//! and `body` (the body as text). A missing attribute is `null`; an expression that fails on
//! an event (a missing map key, a type mismatch) does not match it.

pub mod names;
mod resolver;
pub mod values;

use std::sync::Arc;

use cel::{Env, Program};

use crate::codec::event::Data;
use crate::model::TailEvent;
use names::{Name, VARIABLES};
use resolver::Resolver;

/// A compiled search expression.
pub struct Query {
    text: String,
    form: Form,
    needs_data: bool,
}

enum Form {
    /// A bare word: id, subject, type or body contains it.
    Word(String),
    Cel {
        program: Program,
        env: Arc<Env>,
    },
}

/// Why an expression was refused, and where: the column (1-based, in characters) a person
/// puts the cursor on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column {column}: {message}")]
pub struct QueryError {
    pub column: usize,
    pub message: String,
}

/// One event as the expression sees it.
pub struct Candidate<'a> {
    pub hub: &'a str,
    pub event: &'a TailEvent,
    /// Decodes the event's data; called at most once, and only if the expression reads `data`.
    pub decode: &'a (dyn Fn() -> Data + Sync),
}

/// What evaluating an expression on one event found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    pub matched: bool,
    /// `Some(false)` when the data was needed and did not decode; `None` when not needed.
    pub decoded: Option<bool>,
}

fn env() -> Env {
    let mut env = Env::stdlib();
    // `lowerAscii()`, `indexOf()`, `split()`...: a name can be added twice only by a bug here.
    if let Err(error) = env.add_extension(cel::extensions::strings) {
        tracing::warn!(%error, "CEL string functions unavailable");
    }
    env
}

impl Query {
    pub fn compile(text: &str) -> Result<Self, QueryError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(QueryError {
                column: 1,
                message: "the expression is empty".into(),
            });
        }
        let env = env();
        if let Some(word) = bare_word(&env, trimmed) {
            return Ok(Query {
                text: text.to_owned(),
                form: Form::Word(word.to_owned()),
                needs_data: false,
            });
        }
        let program = env.compile(text).map_err(|errors| {
            let first = errors.errors.first();
            QueryError {
                column: first.map_or(1, |e| usize::try_from(e.pos.1).unwrap_or(1).max(1)),
                message: first.map_or_else(|| "does not parse".into(), |e| e.msg.clone()),
            }
        })?;
        let free = names::free_names(program.expression(), program.source_info());
        if let Some(unknown) = free.iter().find(|n| !VARIABLES.contains(&n.name.as_str())) {
            return Err(unknown_variable(text, unknown));
        }
        let needs_data = free.iter().any(|n| n.name == "data");
        Ok(Query {
            text: text.to_owned(),
            form: Form::Cel {
                program,
                env: Arc::new(env),
            },
            needs_data,
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether the expression reads the decoded data (a scan that never decodes need not
    /// fetch schemas).
    pub fn needs_data(&self) -> bool {
        self.needs_data
    }

    pub fn evaluate(&self, candidate: &Candidate<'_>) -> Verdict {
        match &self.form {
            Form::Word(word) => Verdict {
                matched: word_matches(word, candidate.event),
                decoded: None,
            },
            Form::Cel { program, env } => {
                let resolver = Resolver::new(candidate);
                let mut context = cel::Context::with_env(Arc::clone(env));
                context.set_variable_resolver(&resolver);
                let matched = matches!(program.execute(&context), Ok(cel::Value::Bool(true)));
                Verdict {
                    matched,
                    decoded: resolver.decoded(),
                }
            }
        }
    }
}

fn unknown_variable(text: &str, unknown: &Name) -> QueryError {
    QueryError {
        column: unknown.at.map_or(1, |at| names::column(text, at)),
        message: format!(
            "unknown variable `{}`; the variables are {}",
            unknown.name,
            VARIABLES.join(", ")
        ),
    }
}

/// `text` as a bare word, when it is one: a single token of name characters that is not an
/// expression over the event's variables (`cont-00042`, `sale-000011`, `order.placed`).
/// `type` or `sequence` alone stay variables; a number is a word to look for.
fn bare_word<'t>(env: &Env, text: &'t str) -> Option<&'t str> {
    let wordy = text
        .chars()
        .all(|c| c.is_alphanumeric() || "-_.:/@+#".contains(c));
    if !wordy || matches!(text, "true" | "false" | "null") {
        return None;
    }
    let Ok(program) = env.compile(text) else {
        return Some(text);
    };
    let free = names::free_names(program.expression(), program.source_info());
    let all_known = !free.is_empty() && free.iter().all(|n| VARIABLES.contains(&n.name.as_str()));
    (!all_known).then_some(text)
}

fn word_matches(word: &str, event: &TailEvent) -> bool {
    let ce = &event.cloud_event;
    let in_attributes = [&ce.id, &ce.subject, &ce.event_type]
        .iter()
        .any(|v| v.as_deref().is_some_and(|v| v.contains(word)));
    in_attributes || contains(&event.body, word.as_bytes())
}

/// Whether `haystack` holds `needle` (bytes, so a body need not be UTF-8 to be searched).
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests;
