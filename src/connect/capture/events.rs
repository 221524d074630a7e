//! A captured record as the tail's event, so Capture is decoded by the very code that decodes
//! the live hub: CloudEvents attributes from the properties (binary mode) or the JSON body
//! (structured mode), the content type from the properties section.

use time::OffsetDateTime;

use crate::codec::capture::{CaptureRecord, CaptureValue};
use crate::connect::received::{cloud_event, structured_cloud_event};
use crate::model::{CloudEventAttributes, TailEvent};

pub fn tail_event(record: &CaptureRecord, partition: &str) -> TailEvent {
    let properties: Vec<(String, String)> = record
        .properties
        .iter()
        .map(|(k, v)| (k.clone(), v.to_text()))
        .collect();
    let content_type = match record.system_property("content-type") {
        Some(CaptureValue::String(s)) => Some(s.clone()),
        _ => None,
    };
    let body = record.body.clone().unwrap_or_default();
    let mut attributes = cloud_event(&properties);
    if attributes == CloudEventAttributes::default()
        && content_type.as_deref().is_some_and(|c| {
            c.to_ascii_lowercase()
                .starts_with("application/cloudevents")
        })
    {
        attributes = structured_cloud_event(&body);
    }
    let enqueued_time = record
        .enqueued_ms()
        .and_then(|ms| OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok())
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    TailEvent {
        enqueued_time,
        partition: partition.to_string(),
        sequence: record.sequence_number,
        offset: record.offset.clone(),
        cloud_event: attributes,
        content_type,
        properties,
        annotations: record
            .system_properties
            .iter()
            .map(|(k, v)| (k.clone(), v.to_text()))
            .collect(),
        body,
    }
}
