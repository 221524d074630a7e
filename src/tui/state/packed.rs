//! A tail event packed into one allocation.
//!
//! The tail may buffer a million events, so each is kept as its fixed numbers plus one byte
//! buffer holding every text field and the body, length-prefixed. Rows are decoded on the
//! fly for the few events on screen; nothing pre-rendered is stored.

use time::OffsetDateTime;

use crate::model::{CloudEventAttributes, TailEvent};

/// Marks an absent optional field.
const NONE: u32 = u32::MAX;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedEvent {
    pub sequence: i64,
    enqueued_unix_nanos: i64,
    /// partition, offset, content type?, CE id?, source?, type?, subject?, properties,
    /// annotations, then the body to the end.
    data: Box<[u8]>,
}

/// The fields a tail row shows, borrowed from a [`PackedEvent`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventSummary<'a> {
    pub partition: &'a str,
    pub offset: &'a str,
    pub content_type: Option<&'a str>,
    pub id: Option<&'a str>,
    pub source: Option<&'a str>,
    pub event_type: Option<&'a str>,
    pub subject: Option<&'a str>,
    pub body_len: usize,
}

impl PackedEvent {
    pub fn pack(event: &TailEvent) -> Self {
        let ce = &event.cloud_event;
        let mut data = Vec::with_capacity(packed_len(event));
        put(&mut data, Some(&event.partition));
        put(&mut data, Some(&event.offset));
        for field in [
            &event.content_type,
            &ce.id,
            &ce.source,
            &ce.event_type,
            &ce.subject,
        ] {
            put(&mut data, field.as_deref());
        }
        for pairs in [&event.properties, &event.annotations] {
            put_len(&mut data, pairs.len());
            for (key, value) in pairs {
                put(&mut data, Some(key));
                put(&mut data, Some(value));
            }
        }
        data.extend_from_slice(&event.body);
        let nanos = event.enqueued_time.unix_timestamp_nanos();
        Self {
            sequence: event.sequence,
            enqueued_unix_nanos: i64::try_from(nanos).unwrap_or(i64::MAX),
            data: data.into_boxed_slice(),
        }
    }

    pub fn enqueued_time(&self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.enqueued_unix_nanos))
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    pub fn summary(&self) -> EventSummary<'_> {
        let mut r = Reader::new(&self.data);
        let partition = r.text().unwrap_or_default();
        let offset = r.text().unwrap_or_default();
        let [content_type, id, source, event_type, subject] = std::array::from_fn(|_| r.text());
        for _ in 0..2 {
            r.skip_pairs();
        }
        EventSummary {
            partition,
            offset,
            content_type,
            id,
            source,
            event_type,
            subject,
            body_len: r.rest().len(),
        }
    }

    /// What decoding reads (content type, application properties, body), borrowed: a frame
    /// decodes the rows on screen without copying their bodies out.
    pub fn decode_parts(&self) -> (Option<&str>, Vec<(&str, &str)>, &[u8]) {
        let mut r = Reader::new(&self.data);
        r.text();
        r.text();
        let content_type = r.text();
        for _ in 0..4 {
            r.text();
        }
        let properties = r.borrowed_pairs();
        r.skip_pairs();
        (content_type, properties, r.rest())
    }

    /// The full event, for the detail pane.
    pub fn unpack(&self) -> TailEvent {
        let mut r = Reader::new(&self.data);
        let mut text = || r.text().map(str::to_owned);
        let partition = text().unwrap_or_default();
        let offset = text().unwrap_or_default();
        let content_type = text();
        let cloud_event = CloudEventAttributes {
            id: text(),
            source: text(),
            event_type: text(),
            subject: text(),
        };
        let properties = r.pairs();
        let annotations = r.pairs();
        TailEvent {
            enqueued_time: self.enqueued_time(),
            partition,
            sequence: self.sequence,
            offset,
            cloud_event,
            content_type,
            properties,
            annotations,
            body: r.rest().to_vec(),
        }
    }

    /// Bytes this event occupies, counting the inline struct and its one heap buffer.
    pub fn footprint(&self) -> usize {
        std::mem::size_of::<Self>() + self.data.len()
    }
}

fn packed_len(event: &TailEvent) -> usize {
    // A length before each of the 9 fields and the 2 pair counts, two before each pair.
    let pairs = event.properties.len() + event.annotations.len();
    4 * 9 + 8 * pairs + event.payload_len()
}

fn put_len(data: &mut Vec<u8>, len: usize) {
    // Fields longer than 4 GiB cannot come from Event Hubs (1 MiB message limit).
    let len = u32::try_from(len).unwrap_or(NONE - 1);
    data.extend_from_slice(&len.to_le_bytes());
}

fn put(data: &mut Vec<u8>, text: Option<&str>) {
    match text {
        Some(text) => {
            put_len(data, text.len());
            data.extend_from_slice(text.as_bytes());
        }
        None => data.extend_from_slice(&NONE.to_le_bytes()),
    }
}

struct Reader<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn new(data: &'a [u8]) -> Self {
        Self { data, at: 0 }
    }

    fn len(&mut self) -> u32 {
        let bytes = self.data.get(self.at..self.at + 4).unwrap_or(&[0; 4]);
        self.at += 4;
        u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
    }

    fn text(&mut self) -> Option<&'a str> {
        let len = self.len();
        if len == NONE {
            return None;
        }
        let end = self.at + len as usize;
        let bytes = self.data.get(self.at..end).unwrap_or_default();
        self.at = end;
        // Packed from `String`s, so this is valid UTF-8.
        Some(std::str::from_utf8(bytes).unwrap_or_default())
    }

    fn skip_pairs(&mut self) {
        let count = self.len();
        for _ in 0..count * 2 {
            self.text();
        }
    }

    fn borrowed_pairs(&mut self) -> Vec<(&'a str, &'a str)> {
        let count = self.len();
        (0..count)
            .map(|_| {
                let key = self.text().unwrap_or_default();
                let value = self.text().unwrap_or_default();
                (key, value)
            })
            .collect()
    }

    fn pairs(&mut self) -> Vec<(String, String)> {
        self.borrowed_pairs()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }

    fn rest(&self) -> &'a [u8] {
        self.data.get(self.at..).unwrap_or_default()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn sample_event(sequence: i64, body_len: usize) -> TailEvent {
        TailEvent {
            enqueued_time: OffsetDateTime::from_unix_timestamp(1_714_564_800 + sequence)
                .expect("valid test time"),
            partition: (sequence % 4).to_string(),
            sequence,
            offset: (sequence * 512).to_string(),
            cloud_event: CloudEventAttributes {
                id: Some(format!("evt-{sequence:06}")),
                source: Some("/teams/customer/crm".into()),
                event_type: Some("com.example.customer.contact.purchased".into()),
                subject: Some(format!("contact-{}", sequence % 7)),
            },
            content_type: Some("avro/binary+3f2a".into()),
            properties: vec![("cloudEvents_specversion".into(), "1.0".into())],
            annotations: vec![(
                "x-opt-partition-key".into(),
                format!("contact-{}", sequence % 7),
            )],
            body: vec![b'x'; body_len],
        }
    }

    #[test]
    fn pack_round_trips() {
        let mut event = sample_event(42, 10);
        assert_eq!(PackedEvent::pack(&event).unpack(), event);
        event.cloud_event = CloudEventAttributes::default();
        event.content_type = None;
        event.properties.clear();
        assert_eq!(PackedEvent::pack(&event).unpack(), event);
    }

    #[test]
    fn decode_parts_borrow_what_unpack_copies() {
        let mut event = sample_event(7, 300);
        event.properties = vec![("ce_type".into(), "t".into())];
        event.content_type = Some("application/json".into());
        let packed = PackedEvent::pack(&event);
        let (content_type, properties, body) = packed.decode_parts();
        assert_eq!(content_type, Some("application/json"));
        assert_eq!(properties, [("ce_type", "t")]);
        assert_eq!(body, event.body.as_slice());
        assert!(std::ptr::eq(
            body.as_ptr(),
            packed.data[packed.data.len() - 300..].as_ptr()
        ));
    }

    #[test]
    fn summary_borrows_row_fields() {
        let packed = PackedEvent::pack(&sample_event(5, 300));
        let s = packed.summary();
        assert_eq!(s.partition, "1");
        assert_eq!(s.subject, Some("contact-5"));
        assert_eq!(s.event_type, Some("com.example.customer.contact.purchased"));
        assert_eq!(s.body_len, 300);
    }

    #[test]
    fn a_300_byte_event_costs_under_twice_its_bytes() {
        // A 300-byte event: metadata as the demo sends it, the rest body.
        let metadata = packed_len(&sample_event(123_456, 0));
        let event = sample_event(123_456, 300 - metadata);
        let packed = PackedEvent::pack(&event);
        // Allocator bookkeeping is about 16 bytes per allocation; there is exactly one.
        let cost = packed.footprint() + 16;
        assert!(cost < 2 * 300, "cost {cost} for a 300-byte event");
    }
}
