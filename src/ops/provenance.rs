//! Where a copied event came from, carried on the copy as application properties, and how
//! a copy is built from the original's AMQP message.
//!
//! A copy keeps the original's body, properties section (message id, content type...),
//! application properties (so a binary-mode CloudEvent keeps its id and attributes) and the
//! annotations a sender may set (the partition key); the service's own stamps (sequence
//! number, offset, enqueued time) are assigned afresh by the hub it lands in, so the
//! original's are recorded in the provenance instead. The provenance is also how a repeated
//! dead-letter finds the copy an interrupted run already made.

use azure_core_amqp::message::{AmqpAnnotationKey, AmqpAnnotations};
use azure_core_amqp::{AmqpMessage, AmqpSimpleValue};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::model::TailEvent;

/// Property names, one prefix so they sort together and never collide with the business's.
pub mod keys {
    pub const ACTION: &str = "ehops_action";
    pub const NAMESPACE: &str = "ehops_source_namespace";
    pub const HUB: &str = "ehops_source_hub";
    pub const PARTITION: &str = "ehops_source_partition";
    pub const SEQUENCE: &str = "ehops_source_sequence";
    pub const OFFSET: &str = "ehops_source_offset";
    pub const ENQUEUED: &str = "ehops_source_enqueued_time";
    pub const CONSUMER_GROUP: &str = "ehops_consumer_group";
    pub const REASON: &str = "ehops_reason";
    pub const BY: &str = "ehops_by";
    pub const AT: &str = "ehops_at";
}

/// Annotations the service stamps on every event it stores; a copy must not carry them.
const SERVICE_STAMPS: [&str; 4] = [
    "x-opt-sequence-number",
    "x-opt-offset",
    "x-opt-enqueued-time",
    "x-opt-publisher",
];

/// Why and by whom an event was copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopyKind {
    DeadLetter,
    Replay,
    Redrive,
}

impl CopyKind {
    pub fn name(&self) -> &'static str {
        match self {
            CopyKind::DeadLetter => "dead-letter",
            CopyKind::Replay => "replay",
            CopyKind::Redrive => "redrive",
        }
    }
}

/// The original of a copy: enough to find it again, and to send it home.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    pub action: String,
    pub namespace: String,
    pub hub: String,
    pub partition: String,
    pub sequence: i64,
    pub offset: String,
    pub enqueued_time: Option<OffsetDateTime>,
    /// The consumer group that could not process it (dead-letter only).
    pub consumer_group: Option<String>,
    pub reason: Option<String>,
    pub by: Option<String>,
    pub at: Option<OffsetDateTime>,
}

impl Provenance {
    /// The provenance of a copy of `event`, taken from `namespace`'s `hub`.
    pub fn of(kind: &CopyKind, namespace: &str, hub: &str, event: &TailEvent) -> Self {
        Self {
            action: kind.name().to_owned(),
            namespace: namespace.to_owned(),
            hub: hub.to_owned(),
            partition: event.partition.clone(),
            sequence: event.sequence,
            offset: event.offset.clone(),
            enqueued_time: Some(event.enqueued_time),
            consumer_group: None,
            reason: None,
            by: None,
            at: None,
        }
    }

    /// Reads the provenance a copy carries; `None` for an event ehops did not copy.
    pub fn read(properties: &[(String, String)]) -> Option<Self> {
        let get = |key: &str| {
            properties
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };
        let time = |key: &str| get(key).and_then(|t| OffsetDateTime::parse(&t, &Rfc3339).ok());
        Some(Self {
            action: get(keys::ACTION)?,
            namespace: get(keys::NAMESPACE).unwrap_or_default(),
            hub: get(keys::HUB)?,
            partition: get(keys::PARTITION)?,
            sequence: get(keys::SEQUENCE)?.parse().ok()?,
            offset: get(keys::OFFSET).unwrap_or_default(),
            enqueued_time: time(keys::ENQUEUED),
            consumer_group: get(keys::CONSUMER_GROUP),
            reason: get(keys::REASON),
            by: get(keys::BY),
            at: time(keys::AT),
        })
    }

    /// Whether `other` is a copy of the same original event.
    pub fn same_original(&self, other: &Provenance) -> bool {
        self.hub.eq_ignore_ascii_case(&other.hub)
            && self.partition == other.partition
            && self.sequence == other.sequence
            && (self.namespace.is_empty()
                || other.namespace.is_empty()
                || self.namespace.eq_ignore_ascii_case(&other.namespace))
    }

    fn properties(&self) -> Vec<(&'static str, AmqpSimpleValue)> {
        let text = |s: &str| AmqpSimpleValue::String(s.to_owned());
        let mut out = vec![
            (keys::ACTION, text(&self.action)),
            (keys::NAMESPACE, text(&self.namespace)),
            (keys::HUB, text(&self.hub)),
            (keys::PARTITION, text(&self.partition)),
            (keys::SEQUENCE, AmqpSimpleValue::Long(self.sequence)),
            (keys::OFFSET, text(&self.offset)),
        ];
        let format = |t: &OffsetDateTime| t.format(&Rfc3339).ok();
        if let Some(t) = self.enqueued_time.as_ref().and_then(format) {
            out.push((keys::ENQUEUED, text(&t)));
        }
        if let Some(group) = &self.consumer_group {
            out.push((keys::CONSUMER_GROUP, text(group)));
        }
        if let Some(reason) = &self.reason {
            out.push((keys::REASON, text(reason)));
        }
        if let Some(by) = &self.by {
            out.push((keys::BY, text(by)));
        }
        if let Some(t) = self.at.as_ref().and_then(format) {
            out.push((keys::AT, text(&t)));
        }
        out
    }
}

/// The message to send for a copy of `original` with `provenance`. A copy of a copy (a
/// replay of a dead-lettered event) replaces the earlier provenance, so the properties
/// always describe the latest move.
pub fn copy_message(original: &AmqpMessage, provenance: &Provenance) -> AmqpMessage {
    let mut copy = original_message(original);
    let mut properties = copy.application_properties.take().unwrap_or_default();
    for (key, value) in provenance.properties() {
        properties.insert(key.to_owned(), value);
    }
    copy.application_properties = Some(properties);
    copy
}

/// The message as its publisher sent it: without the service's stamps and without any
/// provenance ehops added. A redrive sends this home, so the source hub's consumers see
/// the event as it was first published.
pub fn original_message(message: &AmqpMessage) -> AmqpMessage {
    let mut copy = message.clone();
    copy.delivery_annotations = None;
    copy.footer = None;
    copy.message_annotations = message.message_annotations.as_ref().and_then(|a| {
        let mut kept = AmqpAnnotations::new();
        for (key, value) in a.0.iter() {
            let stamped = match key {
                AmqpAnnotationKey::Symbol(s) => SERVICE_STAMPS.contains(&s.0.as_str()),
                AmqpAnnotationKey::Ulong(_) => false,
            };
            if !stamped {
                kept.insert(key.clone(), value.clone());
            }
        }
        (!kept.0.is_empty()).then_some(kept)
    });
    if let Some(properties) = copy.application_properties.as_mut() {
        let ours: Vec<String> = properties
            .0
            .iter()
            .filter(|(key, _)| key.starts_with("ehops_"))
            .map(|(key, _)| key.clone())
            .collect();
        for key in ours {
            properties.0.remove(&key);
        }
    }
    copy
}

#[cfg(test)]
mod tests {
    use super::*;
    use azure_core_amqp::AmqpSymbol;
    use azure_core_amqp::message::AmqpApplicationProperties;

    fn original() -> AmqpMessage {
        let mut message = AmqpMessage::builder().with_body(vec![1u8, 2, 3]).build();
        let mut properties = AmqpApplicationProperties::new();
        properties.insert("cloudEvents_id".to_owned(), "evt-1");
        message.application_properties = Some(properties);
        message.add_message_annotation(AmqpSymbol::from("x-opt-sequence-number"), 41i64);
        message.add_message_annotation(AmqpSymbol::from("x-opt-partition-key"), "acct-7");
        message
    }

    fn provenance() -> Provenance {
        Provenance {
            action: "dead-letter".into(),
            namespace: "ehops-demo".into(),
            hub: "sale".into(),
            partition: "1".into(),
            sequence: 41,
            offset: "4096".into(),
            enqueued_time: None,
            consumer_group: Some("crm-sync".into()),
            reason: Some("cannot decode".into()),
            by: None,
            at: None,
        }
    }

    fn text_properties(message: &AmqpMessage) -> Vec<(String, String)> {
        message
            .application_properties
            .as_ref()
            .map(|p| {
                p.0.iter()
                    .map(|(k, v)| {
                        let v = match v {
                            AmqpSimpleValue::String(s) => s.clone(),
                            AmqpSimpleValue::Long(n) => n.to_string(),
                            other => format!("{other:?}"),
                        };
                        (k.clone(), v)
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn a_copy_keeps_the_event_drops_service_stamps_and_carries_provenance() {
        let copy = copy_message(&original(), &provenance());
        assert_eq!(copy.body, original().body);
        let annotations = copy
            .message_annotations
            .clone()
            .expect("partition key kept");
        assert_eq!(annotations.0.len(), 1, "only the partition key survives");
        let properties = text_properties(&copy);
        assert!(properties.contains(&("cloudEvents_id".into(), "evt-1".into())));
        let read = Provenance::read(&properties).expect("provenance");
        assert_eq!(read, provenance());
        assert!(read.same_original(&provenance()));
    }

    #[test]
    fn going_home_sheds_the_provenance_and_nothing_else() {
        let copy = copy_message(&original(), &provenance());
        let home = original_message(&copy);
        let properties = text_properties(&home);
        assert_eq!(
            properties,
            vec![("cloudEvents_id".to_owned(), "evt-1".to_owned())]
        );
        assert!(Provenance::read(&properties).is_none());
    }
}
