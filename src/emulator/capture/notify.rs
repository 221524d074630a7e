//! `Microsoft.EventHub.CaptureFileCreated`, one per file, as Event Grid delivers it in the
//! CloudEvents schema (learn.microsoft.com/azure/event-grid/event-schema-event-hubs), sent to
//! a hub of the same namespace in structured mode, so the seed's event-triggered processes
//! can react to a file as they would to Event Grid.

use std::sync::Arc;

use bytes::Bytes;
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::emulator::amqp::message::encode;
use crate::emulator::amqp::partition_key::partition_for_key;
use crate::emulator::catalog::SUBSCRIPTION_ID;
use crate::emulator::demo::cloudevents::build;
use crate::emulator::store::{NewEvent, Store};

/// What Event Grid's `data` says of a file.
pub struct FileCreated<'a> {
    pub file_url: &'a str,
    pub partition: &'a str,
    pub size: usize,
    pub event_count: usize,
    pub first_sequence: i64,
    pub last_sequence: i64,
    pub first_enqueued_ms: i64,
    pub last_enqueued_ms: i64,
}

pub struct Notifier {
    pub store: Arc<Store>,
    pub namespace: String,
    pub hub: String,
    /// The hub that receives the events, and its partition count.
    pub target: String,
    pub target_partitions: u32,
}

impl Notifier {
    pub async fn file_created(&self, file: &FileCreated<'_>) -> Result<(), String> {
        let rfc = |ms: i64| {
            OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
                .ok()
                .and_then(|t| t.format(&Rfc3339).ok())
        };
        let now = OffsetDateTime::now_utc();
        let id = format!(
            "{}-{}-{}-{}",
            self.hub, file.partition, file.first_sequence, file.last_sequence
        );
        let event = json!({
            "specversion": "1.0",
            "type": "Microsoft.EventHub.CaptureFileCreated",
            "source": format!(
                "/subscriptions/{SUBSCRIPTION_ID}/resourcegroups/{}/providers/Microsoft.EventHub/namespaces/{}",
                crate::emulator::catalog::RESOURCE_GROUP,
                self.namespace
            ),
            "subject": format!("eventhubs/{}", self.hub),
            "id": id,
            "time": now.format(&Rfc3339).ok(),
            "data": {
                "fileUrl": file.file_url,
                "fileType": "AzureBlockBlob",
                "partitionId": file.partition,
                "sizeInBytes": file.size,
                "eventCount": file.event_count,
                "firstSequenceNumber": file.first_sequence,
                "lastSequenceNumber": file.last_sequence,
                "firstEnqueueTime": rfc(file.first_enqueued_ms),
                "lastEnqueueTime": rfc(file.last_enqueued_ms),
            },
        });
        let key = format!("{}/{}", self.hub, file.partition);
        let message = build(
            &key,
            "application/cloudevents+json; charset=utf-8",
            event.to_string().into_bytes(),
            None,
        );
        let bytes = encode(&message).map_err(|e| e.to_string())?;
        let partition = partition_for_key(&key, self.target_partitions).to_string();
        let log = self
            .store
            .partition(&self.namespace, &self.target, &partition)
            .ok_or_else(|| format!("hub {} has no partition {partition}", self.target))?;
        log.append(vec![NewEvent {
            partition_key: Some(key),
            message: Bytes::from(bytes),
        }])
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
    }
}
