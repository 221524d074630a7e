//! The seed's architectural mandate, checked per event: every business event a CloudEvent
//! (rule 3, "Common Schema Standard"), its data in a schema registered in the registry
//! (rules 2, 10 and 14), and a content type that says what the data is.

use serde::Serialize;

use super::cloudevents::{CloudEvent, Mode};
use super::error::DecodeError;
use super::event::{Data, DecodedEvent};
use super::framing::Framing;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// Which rule: `cloudevent`, `schema_registered` or `content_type`.
    pub rule: &'static str,
    pub reason: String,
}

const CLOUDEVENT: &str = "cloudevent";
const SCHEMA: &str = "schema_registered";
const CONTENT_TYPE: &str = "content_type";

fn violation(rule: &'static str, reason: impl Into<String>) -> Violation {
    Violation {
        rule,
        reason: reason.into(),
    }
}

pub fn check(event: &DecodedEvent, content_type: Option<&str>, body_empty: bool) -> Vec<Violation> {
    let mut found = Vec::new();
    match &event.cloud_event {
        Some(cloud_event) => attributes(cloud_event, &mut found),
        None if matches!(event.data.error(), Some(DecodeError::CloudEvent(_))) => {}
        None => found.push(violation(
            CLOUDEVENT,
            "not a CloudEvent: no cloudEvents_* properties and not application/cloudevents+json",
        )),
    }
    if let Some(DecodeError::CloudEvent(error)) = event.data.error() {
        found.push(violation(CLOUDEVENT, error.to_string()));
    }
    schema(event, &mut found);
    consistency(event, content_type, body_empty, &mut found);
    found
}

fn attributes(event: &CloudEvent, found: &mut Vec<Violation>) {
    for name in ["id", "source", "specversion", "type"] {
        match event.attributes.get(name) {
            None => found.push(violation(
                CLOUDEVENT,
                format!("required attribute {name} is missing"),
            )),
            Some(value) if value.as_str().is_none_or(str::is_empty) => {
                found.push(violation(
                    CLOUDEVENT,
                    format!("required attribute {name} is not a non-empty string"),
                ));
            }
            Some(_) => {}
        }
    }
    if let Some(version) = event.text("specversion")
        && version != "1.0"
    {
        found.push(violation(
            CLOUDEVENT,
            format!("specversion is {version}, not 1.0"),
        ));
    }
    if let Some(time) = event.attributes.get("time")
        && time.as_str().is_none_or(|t| {
            time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).is_err()
        })
    {
        found.push(violation(
            CLOUDEVENT,
            format!("time {time} is not an RFC 3339 timestamp"),
        ));
    }
    for name in event.attributes.keys() {
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        {
            found.push(violation(
                CLOUDEVENT,
                format!("attribute name {name} is not lowercase letters and digits"),
            ));
        }
    }
    for problem in &event.problems {
        found.push(violation(CLOUDEVENT, problem.clone()));
    }
}

fn schema(event: &DecodedEvent, found: &mut Vec<Violation>) {
    match event.data.error() {
        Some(DecodeError::UnknownSchema { id }) => {
            found.push(violation(SCHEMA, format!("schema {id} is not registered")));
        }
        // Pending or unreachable: not known to be a violation yet.
        Some(DecodeError::SchemaPending { .. } | DecodeError::SchemaUnavailable { .. }) => {}
        _ if event.schema_id.is_some() || event.framing == Framing::ContainerFile => {}
        _ if matches!(event.data, Data::Empty) => {}
        _ => {
            let named = event
                .cloud_event
                .as_ref()
                .and_then(|e| e.text("dataschema"))
                .is_some();
            if !named {
                found.push(violation(
                    SCHEMA,
                    "the data names no registered schema (no Avro schema id, no dataschema)",
                ));
            }
        }
    }
}

fn consistency(
    event: &DecodedEvent,
    content_type: Option<&str>,
    body_empty: bool,
    found: &mut Vec<Violation>,
) {
    let is_binary = event
        .cloud_event
        .as_ref()
        .is_none_or(|e| e.mode == Mode::Binary);
    if is_binary && content_type.is_none() && !body_empty {
        found.push(violation(
            CONTENT_TYPE,
            "the event has data but no content type",
        ));
    }
    if matches!(event.framing, Framing::AzurePreamble | Framing::Confluent)
        && let Some(content_type) = content_type
    {
        found.push(violation(
            CONTENT_TYPE,
            format!("the body is Avro with a schema id preamble, but the content type says {content_type}"),
        ));
    }
    match event.data.error() {
        Some(DecodeError::Avro { id, .. }) if event.framing == Framing::AzureContentType => found
            .push(violation(
                CONTENT_TYPE,
                format!(
                    "the content type names schema {id}, but the body is not Avro of that schema"
                ),
            )),
        Some(DecodeError::NotJson { content_type, .. }) => found.push(violation(
            CONTENT_TYPE,
            format!("the content type says {content_type}, but the body is not JSON"),
        )),
        _ => {}
    }
}
