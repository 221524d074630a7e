//! The audit trail of every mutating action, executed or refused (dry runs change nothing
//! and are not recorded): who, what, where, before and after, and how it ended.
//!
//! Each record is one JSON line appended to `{data}/audit.jsonl`, written before the action
//! is reported done; when an audit hub is configured the same record is also sent there as
//! a structured-mode CloudEvent, so a team's trail outlives one engineer's laptop. The hub
//! is best effort (a refusal to send there is noted in the local record's `audit_hub`
//! field); the file is not: an action whose record cannot be written reports an error.
//! Records carry principals and resource names, never keys or tokens.

use std::io::Write;
use std::path::{Path, PathBuf};

use azure_core_amqp::AmqpMessage;
use azure_core_amqp::message::AmqpMessageProperties;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::connect::data_plane::DataPlane;
use crate::connect::error::ConnectError;

/// How an action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Done,
    /// Refused before anything was changed (permission, read-only, confirmation).
    Refused,
    /// Started and failed; `detail` says how far it got.
    Failed,
}

/// One audited action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    #[serde(serialize_with = "rfc3339", deserialize_with = "from_rfc3339")]
    pub time: OffsetDateTime,
    /// The signed-in principal (a SAS rule's name, an Entra identity).
    pub who: String,
    pub team: Option<String>,
    /// `reset`, `dead-letter`, `checkpoint-on-error`, `replay`, `redrive`.
    pub action: String,
    pub namespace: String,
    pub hub: String,
    pub consumer_group: Option<String>,
    pub partition: Option<String>,
    /// The state the action found (checkpoints, the event it moved past...).
    pub before: serde_json::Value,
    /// The state it left (or would have left, for a refusal).
    pub after: serde_json::Value,
    pub outcome: Outcome,
    pub detail: Option<String>,
    /// What became of the copy sent to the audit hub, when one is configured.
    pub audit_hub: Option<String>,
}

impl AuditRecord {
    /// A record of `action` by `who` at this moment, with nothing before or after yet.
    pub fn new(who: &str, action: &str, namespace: &str, hub: &str) -> Self {
        Self {
            time: OffsetDateTime::now_utc(),
            who: who.to_owned(),
            team: None,
            action: action.to_owned(),
            namespace: namespace.to_owned(),
            hub: hub.to_owned(),
            consumer_group: None,
            partition: None,
            before: serde_json::Value::Null,
            after: serde_json::Value::Null,
            outcome: Outcome::Done,
            detail: None,
            audit_hub: None,
        }
    }
}

/// Where records go.
#[derive(Debug, Clone)]
pub struct AuditLog {
    file: PathBuf,
    hub: Option<String>,
}

/// The audit file under a data directory.
pub fn file_in(data_dir: &Path) -> PathBuf {
    data_dir.join("audit.jsonl")
}

impl AuditLog {
    pub fn new(file: PathBuf, hub: Option<String>) -> Self {
        Self { file, hub }
    }

    pub fn file(&self) -> &Path {
        &self.file
    }

    pub fn hub(&self) -> Option<&str> {
        self.hub.as_deref()
    }

    /// Sends the record to the audit hub (if any), then appends it to the file.
    pub async fn record(
        &self,
        plane: &DataPlane,
        mut record: AuditRecord,
    ) -> Result<AuditRecord, ConnectError> {
        if let Some(hub) = &self.hub {
            record.audit_hub = Some(match send_to_hub(plane, hub, &record).await {
                Ok(()) => format!("sent to {hub}"),
                Err(error) => {
                    tracing::warn!(%error, "audit record not sent to the audit hub");
                    format!("not sent to {hub}: {error}")
                }
            });
        }
        self.append(&record)?;
        Ok(record)
    }

    /// Appends one line. One `write` of a whole line to a file opened for appending, so
    /// concurrent ehops processes never interleave records.
    pub fn append(&self, record: &AuditRecord) -> Result<(), ConnectError> {
        let cannot = |e: std::io::Error| {
            ConnectError::usage(format!(
                "cannot write the audit log {}: {e}",
                self.file.display()
            ))
        };
        if let Some(dir) = self.file.parent() {
            std::fs::create_dir_all(dir).map_err(cannot)?;
        }
        let mut line = serde_json::to_vec(record)
            .map_err(|e| ConnectError::usage(format!("audit record: {e}")))?;
        line.push(b'\n');
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.file)
            .map_err(cannot)?;
        file.write_all(&line).map_err(cannot)?;
        file.sync_data().map_err(cannot)
    }
}

/// The record as a CloudEvent (structured mode): type `com.ehops.audit.{action}`, source
/// the principal, subject the hub.
pub fn cloud_event(record: &AuditRecord) -> serde_json::Value {
    let data = serde_json::to_value(record).unwrap_or(serde_json::Value::Null);
    let id = hex_digest(data.to_string().as_bytes());
    serde_json::json!({
        "specversion": "1.0",
        "id": id,
        "source": format!("/ehops/{}", record.who),
        "type": format!("com.ehops.audit.{}", record.action),
        "subject": format!("{}/{}", record.namespace, record.hub),
        "time": record.time.format(&Rfc3339).unwrap_or_default(),
        "datacontenttype": "application/json",
        "data": data,
    })
}

fn rfc3339<S: serde::Serializer>(time: &OffsetDateTime, out: S) -> Result<S::Ok, S::Error> {
    let text = time.format(&Rfc3339).map_err(serde::ser::Error::custom)?;
    out.serialize_str(&text)
}

fn from_rfc3339<'de, D: serde::Deserializer<'de>>(input: D) -> Result<OffsetDateTime, D::Error> {
    let text = String::deserialize(input)?;
    OffsetDateTime::parse(&text, &Rfc3339).map_err(serde::de::Error::custom)
}

fn hex_digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn send_to_hub(
    plane: &DataPlane,
    hub: &str,
    record: &AuditRecord,
) -> Result<(), ConnectError> {
    let body = serde_json::to_vec(&cloud_event(record))
        .map_err(|e| ConnectError::usage(format!("audit event: {e}")))?;
    let message = AmqpMessage::builder()
        .with_body(body)
        .with_properties(AmqpMessageProperties {
            content_type: Some("application/cloudevents+json; charset=utf-8".into()),
            ..Default::default()
        })
        .build();
    let producer = plane.open_producer(hub).await?;
    let sent = producer
        .send_message(message, None)
        .await
        .map_err(|e| ConnectError::from_sdk(&format!("audit hub {hub}"), &e));
    let _ = producer.close().await;
    sent
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_appended_as_json_lines_and_become_cloud_events() {
        let dir = tempfile::tempdir().expect("temp dir");
        let log = AuditLog::new(file_in(dir.path()), None);
        let mut record = AuditRecord::new("team-customer", "reset", "ehops-demo", "sale");
        record.consumer_group = Some("crm-sync".into());
        log.append(&record).expect("first");
        record.outcome = Outcome::Refused;
        log.append(&record).expect("second");
        let text = std::fs::read_to_string(log.file()).expect("written");
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("json line"))
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["outcome"], "done");
        assert_eq!(lines[1]["outcome"], "refused");
        assert_eq!(lines[1]["consumer_group"], "crm-sync");
        let event = cloud_event(&record);
        assert_eq!(event["type"], "com.ehops.audit.reset");
        assert_eq!(event["source"], "/ehops/team-customer");
        assert_eq!(event["data"]["who"], "team-customer");
    }
}
