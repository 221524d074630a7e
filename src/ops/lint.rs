//! How well a hub's events keep the mandate, from a sample: how many are CloudEvents, name a
//! registered schema, and decode; and which sources break which rule, with counts. Pure: the
//! caller samples and decodes, this only tallies.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::codec::DecodedEvent;

/// The source reported for events that carry no CloudEvents `source`.
pub const NO_SOURCE: &str = "(no source)";

#[derive(Debug, Default, Serialize)]
pub struct LintReport {
    pub hub: String,
    pub sampled: u64,
    pub cloudevents: u64,
    pub schema_registered: u64,
    pub decodable: u64,
    /// source -> rule -> events breaking it.
    pub violations: BTreeMap<String, BTreeMap<&'static str, u64>>,
}

impl LintReport {
    pub fn new(hub: &str) -> Self {
        Self {
            hub: hub.to_owned(),
            ..Self::default()
        }
    }

    /// Counts one sampled event.
    pub fn add(&mut self, decoded: &DecodedEvent) {
        self.sampled += 1;
        self.cloudevents += u64::from(decoded.cloud_event.is_some());
        self.schema_registered += u64::from(decoded.schema_name.is_some());
        self.decodable += u64::from(decoded.data.error().is_none());
        if decoded.violations.is_empty() {
            return;
        }
        let source = decoded
            .cloud_event
            .as_ref()
            .and_then(|ce| ce.text("source"))
            .filter(|s| !s.is_empty())
            .unwrap_or(NO_SOURCE);
        let rules = self.violations.entry(source.to_owned()).or_default();
        // An event counts once per rule it breaks, however many reasons it has.
        let mut seen: Vec<&'static str> = decoded.violations.iter().map(|v| v.rule).collect();
        seen.sort_unstable();
        seen.dedup();
        for rule in seen {
            *rules.entry(rule).or_default() += 1;
        }
    }

    pub fn clean(&self) -> bool {
        self.violations.is_empty()
    }

    /// `part` of the sample as a percentage (0 for an empty sample).
    pub fn share(&self, part: u64) -> f64 {
        if self.sampled == 0 {
            0.0
        } else {
            part as f64 * 100.0 / self.sampled as f64
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::codec::{DecodeOptions, EventInput, Headers, SchemaCache, decode_event};

    fn decoded(content_type: &str, body: &[u8]) -> DecodedEvent {
        let cache = SchemaCache::complete();
        let readers = HashMap::new();
        decode_event(
            &EventInput {
                content_type: Some(content_type),
                headers: Headers::Amqp(&[]),
                body,
            },
            &DecodeOptions {
                schemas: &cache,
                readers: &readers,
            },
        )
    }

    #[test]
    fn tallies_shares_and_names_the_source_that_breaks_each_rule() {
        let mut report = LintReport::new("sale");
        let structured =
            br#"{"specversion":"1.0","id":"e-1","source":"/crm","type":"t","data":{"a":1}}"#;
        report.add(&decoded("application/cloudevents+json", structured));
        report.add(&decoded("application/json", br#"{"a":1}"#));
        assert_eq!(report.sampled, 2);
        assert_eq!(report.cloudevents, 1);
        assert_eq!(report.decodable, 2);
        assert_eq!(report.schema_registered, 0);
        assert_eq!(report.share(report.cloudevents), 50.0);
        assert!(!report.clean());
        assert_eq!(report.violations["/crm"].get("cloudevent"), None);
        assert_eq!(report.violations["/crm"]["schema_registered"], 1);
        assert_eq!(report.violations[NO_SOURCE]["cloudevent"], 1);
    }
}
