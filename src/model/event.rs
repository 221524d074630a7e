use time::OffsetDateTime;

/// The CloudEvents 1.0 context attributes ehops shows, when the event carries them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CloudEventAttributes {
    pub id: Option<String>,
    pub source: Option<String>,
    pub event_type: Option<String>,
    pub subject: Option<String>,
}

/// One event received by a live tail, owned and decoded only as far as the wire allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TailEvent {
    pub enqueued_time: OffsetDateTime,
    pub partition: String,
    pub sequence: i64,
    pub offset: String,
    pub cloud_event: CloudEventAttributes,
    pub content_type: Option<String>,
    /// Application properties rendered as text, in wire order.
    pub properties: Vec<(String, String)>,
    /// Message annotations (`x-opt-*` and friends) rendered as text, in wire order.
    pub annotations: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl TailEvent {
    /// The partition key it was sent with (the `x-opt-partition-key` annotation), if any.
    pub fn partition_key(&self) -> Option<&str> {
        (self.annotations.iter())
            .find(|(key, _)| key == "x-opt-partition-key")
            .map(|(_, value)| value.as_str())
    }

    /// Size of the body in bytes, the figure the tail shows per event.
    pub fn size(&self) -> usize {
        self.body.len()
    }

    /// Bytes the event carries: every text field, property and annotation, and the body.
    pub fn payload_len(&self) -> usize {
        let ce = &self.cloud_event;
        let optional = [
            &self.content_type,
            &ce.id,
            &ce.source,
            &ce.event_type,
            &ce.subject,
        ];
        let texts: usize = optional
            .iter()
            .filter_map(|f| f.as_ref())
            .map(String::len)
            .sum();
        let pairs: usize = self
            .properties
            .iter()
            .chain(&self.annotations)
            .map(|(k, v)| k.len() + v.len())
            .sum();
        self.partition.len() + self.offset.len() + texts + pairs + self.body.len()
    }
}
