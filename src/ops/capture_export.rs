//! `ehops export`: a range of one partition written as a Capture file (Azure's record and
//! container format), a portable file any Avro tool reads and `ehops import` replays.

use std::time::Duration;

use time::OffsetDateTime;

use super::replay::MAX_EVENTS;
use crate::codec::capture::{CaptureCodec, CaptureRecord, write_capture_file};
use crate::connect::capture::export::capture_record;
use crate::connect::data_plane::DataPlane;
use crate::connect::error::ConnectError;
use crate::connect::read::{self, ReadRange};
use crate::model::StartPosition;

#[derive(Debug, Clone)]
pub struct ExportRequest {
    pub hub: String,
    pub partition: String,
    pub from: StartPosition,
    /// Only events enqueued at or before this instant.
    pub until: Option<OffsetDateTime>,
    pub codec: CaptureCodec,
}

/// The file's bytes and the records in it.
pub async fn export(
    plane: &DataPlane,
    request: &ExportRequest,
) -> Result<(Vec<u8>, Vec<CaptureRecord>), ConnectError> {
    let info = plane.partition(&request.hub, &request.partition).await?;
    let mut records = Vec::new();
    if !info.is_empty {
        let range = ReadRange {
            hub: request.hub.clone(),
            partition: request.partition.clone(),
            from: request.from.clone(),
            to_sequence: info.last_sequence,
            max: MAX_EVENTS,
            idle: Duration::from_secs(5),
        };
        for raw in read::read(plane, &range).await? {
            if request
                .until
                .is_some_and(|until| raw.event.enqueued_time > until)
            {
                break;
            }
            records.push(capture_record(&raw));
        }
    }
    let bytes = write_capture_file(&records, request.codec).map_err(ConnectError::usage)?;
    Ok((bytes, records))
}
