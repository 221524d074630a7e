//! CloudEvents 1.0 context attributes from each place a binding puts them (docs/protocol-notes.md
//! section 4): AMQP application properties (`cloudEvents_` or `cloudEvents:`, typed per the
//! AMQP binding), a structured-mode JSON document, or Kafka `ce_` headers.

use base64::Engine;
use serde::Serialize;
use serde_json::{Map, Value as Json};

use crate::model::CloudEventAttributes;

const AMQP_PREFIXES: [&str; 2] = ["cloudEvents_", "cloudEvents:"];
const KAFKA_PREFIX: &str = "ce_";
/// Structured mode is a case-insensitive prefix match on this (AMQP and Kafka bindings).
pub const STRUCTURED_CONTENT_TYPE: &str = "application/cloudevents";

/// An application property value as the AMQP binding types them.
#[derive(Debug, Clone, PartialEq)]
pub enum PropertyValue {
    String(String),
    /// Any AMQP integer type; the binding maps CloudEvents Integer to `long`.
    Long(i64),
    Boolean(bool),
    Binary(Vec<u8>),
    /// AMQP timestamp: milliseconds since the Unix epoch.
    Timestamp(i64),
    /// Any other AMQP type, as text.
    Other(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Binary,
    Structured,
}

/// A CloudEvent's context attributes in their canonical JSON form (strings, integers,
/// booleans; binary as base64, timestamps as RFC 3339), by name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CloudEvent {
    pub mode: Mode,
    pub attributes: Map<String, Json>,
    /// What is wrong with how the attributes were carried (mixed prefixes, bad types).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

impl CloudEvent {
    pub fn text(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).and_then(Json::as_str)
    }

    /// The attributes the console's tail shows.
    pub fn to_model(&self) -> CloudEventAttributes {
        let get = |name: &str| self.text(name).map(str::to_owned);
        CloudEventAttributes {
            id: get("id"),
            source: get("source"),
            event_type: get("type"),
            subject: get("subject"),
        }
    }
}

fn rfc3339(unix_ms: i64) -> Option<String> {
    let time =
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(unix_ms) * 1_000_000).ok()?;
    time.format(&time::format_description::well_known::Rfc3339)
        .ok()
}

fn canonical(value: &PropertyValue) -> Json {
    match value {
        PropertyValue::String(s) | PropertyValue::Other(s) => Json::String(s.clone()),
        PropertyValue::Long(n) => Json::from(*n),
        PropertyValue::Boolean(b) => Json::Bool(*b),
        PropertyValue::Binary(b) => {
            Json::String(base64::engine::general_purpose::STANDARD.encode(b))
        }
        PropertyValue::Timestamp(ms) => rfc3339(*ms).map_or(Json::from(*ms), Json::String),
    }
}

/// A binary-mode event from AMQP application properties and `properties.content-type`
/// (which carries `datacontenttype`); `None` when no property has a CloudEvents prefix.
pub fn from_amqp(
    content_type: Option<&str>,
    properties: &[(String, PropertyValue)],
) -> Option<CloudEvent> {
    let mut attributes = Map::new();
    let mut problems = Vec::new();
    let mut prefixes_seen = [false; 2];
    for (key, value) in properties {
        let Some((which, name)) = AMQP_PREFIXES
            .iter()
            .enumerate()
            .find_map(|(i, prefix)| key.strip_prefix(prefix).map(|name| (i, name)))
        else {
            continue;
        };
        prefixes_seen[which] = true;
        if let PropertyValue::Other(text) = value {
            problems.push(format!(
                "{key} has an AMQP type the binding does not use ({text})"
            ));
        }
        attributes.insert(name.to_owned(), canonical(value));
    }
    if attributes.is_empty() {
        return None;
    }
    if prefixes_seen == [true, true] {
        problems.push("both cloudEvents_ and cloudEvents: prefixes in one message".to_owned());
    }
    if let Some(content_type) = content_type {
        attributes.insert(
            "datacontenttype".to_owned(),
            Json::String(content_type.to_owned()),
        );
    }
    Some(CloudEvent {
        mode: Mode::Binary,
        attributes,
        problems,
    })
}

/// Whether a header (or the application property it became) is a context attribute of the
/// Kafka binding: `ce_` and a name.
pub fn is_kafka_attribute(key: &str) -> bool {
    key.len() > KAFKA_PREFIX.len()
        && key
            .get(..KAFKA_PREFIX.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(KAFKA_PREFIX))
}

/// A binary-mode event from Kafka headers (`ce_*`, UTF-8) and the `content-type` header.
pub fn from_kafka(headers: &[(String, Vec<u8>)]) -> Option<CloudEvent> {
    let mut attributes = Map::new();
    let mut problems = Vec::new();
    let mut content_type = None;
    for (key, value) in headers {
        let text = String::from_utf8_lossy(value).into_owned();
        if key.eq_ignore_ascii_case("content-type") {
            content_type = Some(text);
            continue;
        }
        let Some(name) = key.strip_prefix(KAFKA_PREFIX) else {
            continue;
        };
        if std::str::from_utf8(value).is_err() {
            problems.push(format!("header {key} is not UTF-8"));
        }
        attributes.insert(name.to_owned(), Json::String(text));
    }
    if attributes.is_empty() {
        return None;
    }
    if let Some(content_type) = content_type {
        attributes.insert("datacontenttype".to_owned(), Json::String(content_type));
    }
    Some(CloudEvent {
        mode: Mode::Binary,
        attributes,
        problems,
    })
}

pub fn is_structured(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|c| {
        c.get(..STRUCTURED_CONTENT_TYPE.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(STRUCTURED_CONTENT_TYPE))
    })
}

/// The data of a structured-mode event: JSON inline, or bytes from `data_base64`.
#[derive(Debug, Clone, PartialEq)]
pub enum StructuredData {
    None,
    Json(Json),
    Bytes(Vec<u8>),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CloudEventError {
    #[error("the structured CloudEvent is not JSON: {0}")]
    NotJson(String),
    #[error("the structured CloudEvent is not a JSON object")]
    NotObject,
    #[error("the structured CloudEvent has both data and data_base64")]
    BothData,
    #[error("data_base64 is not base64: {0}")]
    BadBase64(String),
}

/// A structured-mode event (JSON event format) and its data.
pub fn from_structured(body: &[u8]) -> Result<(CloudEvent, StructuredData), CloudEventError> {
    let json: Json =
        serde_json::from_slice(body).map_err(|e| CloudEventError::NotJson(e.to_string()))?;
    let Json::Object(mut attributes) = json else {
        return Err(CloudEventError::NotObject);
    };
    let data = attributes.remove("data");
    let data_base64 = attributes.remove("data_base64");
    let data = match (data, data_base64) {
        (Some(_), Some(_)) => return Err(CloudEventError::BothData),
        (Some(json), None) => StructuredData::Json(json),
        (None, Some(Json::String(encoded))) => StructuredData::Bytes(
            base64::engine::general_purpose::STANDARD
                .decode(encoded.as_bytes())
                .map_err(|e| CloudEventError::BadBase64(e.to_string()))?,
        ),
        (None, Some(_)) => return Err(CloudEventError::BadBase64("not a string".into())),
        (None, None) => StructuredData::None,
    };
    Ok((
        CloudEvent {
            mode: Mode::Structured,
            attributes,
            problems: Vec::new(),
        },
        data,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> PropertyValue {
        PropertyValue::String(s.to_owned())
    }

    #[test]
    fn amqp_properties_with_either_prefix_and_typed_values() {
        let properties = vec![
            ("cloudEvents_specversion".to_owned(), text("1.0")),
            ("cloudEvents_id".to_owned(), text("e-1")),
            (
                "cloudEvents_time".to_owned(),
                PropertyValue::Timestamp(1_700_000_000_000),
            ),
            ("cloudEvents_attempt".to_owned(), PropertyValue::Long(3)),
            (
                "cloudEvents_sig".to_owned(),
                PropertyValue::Binary(vec![1, 2]),
            ),
            ("index".to_owned(), text("7")),
        ];
        let event = from_amqp(Some("avro/binary+abc"), &properties).expect("a CloudEvent");
        assert_eq!(
            serde_json::to_string(&event.attributes).expect("json"),
            r#"{"attempt":3,"datacontenttype":"avro/binary+abc","id":"e-1","sig":"AQI=","specversion":"1.0","time":"2023-11-14T22:13:20Z"}"#
        );
        assert!(event.problems.is_empty());
        let mixed = vec![
            ("cloudEvents:id".to_owned(), text("x")),
            ("cloudEvents_type".to_owned(), text("t")),
        ];
        let event = from_amqp(None, &mixed).expect("a CloudEvent");
        assert_eq!(event.to_model().event_type.as_deref(), Some("t"));
        assert_eq!(
            event.problems,
            vec!["both cloudEvents_ and cloudEvents: prefixes in one message"]
        );
        assert_eq!(from_amqp(None, &[("index".to_owned(), text("7"))]), None);
    }

    #[test]
    fn kafka_headers_and_structured_json() {
        let headers = vec![
            ("ce_id".to_owned(), b"k-1".to_vec()),
            ("content-type".to_owned(), b"application/json".to_vec()),
        ];
        let event = from_kafka(&headers).expect("a CloudEvent");
        assert_eq!(event.text("datacontenttype"), Some("application/json"));

        let (event, data) =
            from_structured(br#"{"specversion":"1.0","id":"s","data_base64":"AQI="}"#)
                .expect("valid");
        assert_eq!(
            (event.text("id"), data),
            (Some("s"), StructuredData::Bytes(vec![1, 2]))
        );
        assert!(is_structured(Some(
            "Application/CloudEvents+json; charset=utf-8"
        )));
        assert_eq!(from_structured(b"[1]"), Err(CloudEventError::NotObject));
        assert_eq!(
            from_structured(br#"{"data":1,"data_base64":""}"#),
            Err(CloudEventError::BothData)
        );
        assert!(matches!(
            from_structured(b"{"),
            Err(CloudEventError::NotJson(_))
        ));
    }
}
