//! The variables of one evaluation, made when the expression first reads them: the data is
//! decoded only if evaluation reaches `data` (so `type == "x" && data.a == 1` decodes only
//! events of type x), and a structured event's JSON is parsed only for attributes beyond the
//! four the receiver already read.

use std::sync::OnceLock;

use cel::common::types::CelString;
use cel::common::value::CowVal;
use cel::context::VariableResolver;
use serde_json::{Map, Value as Json};

use super::Candidate;
use super::values::{self, Boxed};
use crate::codec::cloudevents::is_structured;
use crate::codec::event::Data;

const PREFIXES: [&str; 2] = ["cloudEvents_", "cloudEvents:"];
/// Attributes of the CloudEvents specification; any other is an extension.
const CORE: [&str; 8] = [
    "id",
    "source",
    "specversion",
    "type",
    "datacontenttype",
    "dataschema",
    "subject",
    "time",
];
const PARTITION_KEY: &str = "x-opt-partition-key";

pub struct Resolver<'a> {
    candidate: &'a Candidate<'a>,
    data: OnceLock<Data>,
    /// A structured-mode event's members (empty for binary mode or unreadable JSON).
    structured: OnceLock<Map<String, Json>>,
}

impl<'a> Resolver<'a> {
    pub fn new(candidate: &'a Candidate<'a>) -> Self {
        Resolver {
            candidate,
            data: OnceLock::new(),
            structured: OnceLock::new(),
        }
    }

    /// Whether the data was decoded, if the evaluation needed it.
    pub fn decoded(&self) -> Option<bool> {
        self.data.get().map(|d| d.error().is_none())
    }

    fn structured(&self) -> &Map<String, Json> {
        self.structured.get_or_init(|| {
            let event = self.candidate.event;
            if !is_structured(event.content_type.as_deref()) {
                return Map::new();
            }
            match serde_json::from_slice(&event.body) {
                Ok(Json::Object(members)) => members,
                _ => Map::new(),
            }
        })
    }

    /// A CloudEvents attribute other than the four the receiver reads, from the binary-mode
    /// properties or the structured-mode JSON.
    fn attribute(&self, name: &str) -> Option<Boxed<'_>> {
        let event = self.candidate.event;
        let from_property = event.properties.iter().find_map(|(key, value)| {
            let attribute = PREFIXES.iter().find_map(|p| key.strip_prefix(p))?;
            (attribute == name).then_some(value.as_str())
        });
        if let Some(value) = from_property {
            return Some(if name == "time" {
                values::time(value)
            } else {
                values::text(Some(value))
            });
        }
        match self.structured().get(name)? {
            Json::String(time) if name == "time" => Some(values::time(time)),
            other => Some(values::json(other)),
        }
    }

    fn extensions(&self) -> Boxed<'_> {
        let event = self.candidate.event;
        let binary: Vec<(&str, Boxed<'_>)> = event
            .properties
            .iter()
            .filter_map(|(key, value)| {
                let attribute = PREFIXES.iter().find_map(|p| key.strip_prefix(p))?;
                (!CORE.contains(&attribute)).then(|| (attribute, values::text(Some(value))))
            })
            .collect();
        if !binary.is_empty() {
            return values::map(binary.into_iter());
        }
        values::map(
            self.structured()
                .iter()
                .filter(|(k, _)| !CORE.contains(&k.as_str()) && !k.starts_with("data"))
                .map(|(k, v)| (k.as_str(), values::json(v))),
        )
    }

    fn value(&self, variable: &str) -> Option<Boxed<'_>> {
        let Candidate { hub, event, decode } = *self.candidate;
        let ce = &event.cloud_event;
        Some(match variable {
            "id" => values::text(ce.id.as_deref()),
            "source" => values::text(ce.source.as_deref()),
            "type" => values::text(ce.event_type.as_deref()),
            "subject" => values::text(ce.subject.as_deref()),
            "datacontenttype" if !is_structured(event.content_type.as_deref()) => {
                values::text(event.content_type.as_deref())
            }
            "time" | "specversion" | "datacontenttype" | "dataschema" => {
                self.attribute(variable).unwrap_or_else(values::null)
            }
            "extensions" => self.extensions(),
            "properties" => values::map(
                event
                    .properties
                    .iter()
                    .map(|(k, v)| (k.as_str(), values::text(Some(v)))),
            ),
            "partition" => match event.partition.parse::<i64>() {
                Ok(n) => values::int(n),
                Err(_) => values::text(Some(&event.partition)),
            },
            "sequence" => values::int(event.sequence),
            "offset" => values::text(Some(&event.offset)),
            "enqueued" => values::instant(event.enqueued_time),
            "key" => values::text(
                event
                    .annotations
                    .iter()
                    .find(|(k, _)| k == PARTITION_KEY)
                    .map(|(_, v)| v.as_str()),
            ),
            "hub" => values::text(Some(hub)),
            "body" => Box::new(CelString::from(String::from_utf8_lossy(&event.body))),
            "data" => values::data(self.data.get_or_init(decode)),
            _ => return None,
        })
    }
}

impl VariableResolver for Resolver<'_> {
    fn resolve<'b>(&'b self, variable: &str) -> Option<CowVal<'b, 'b>> {
        self.value(variable).map(CowVal::Owned)
    }
}
