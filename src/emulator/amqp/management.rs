//! `$management` READ of an event hub or a partition, with the exact AMQP types the SDKs
//! decode (docs/protocol-notes.md 1.4: the Rust SDK panics on a wrong type).

use fe2o3_amqp::types::primitives::{Array, Timestamp, Value};
use serde_amqp::primitives::OrderedMap;

use super::message::AmqpMessage;
use super::nodes::{application_string, now_seconds};
use super::server::ConnectionState;
use crate::emulator::config::Rights;
use crate::emulator::entity_path::EntityPath;
use crate::emulator::sas;

/// Returns status code, description and body.
pub fn handle(request: &AmqpMessage, state: &ConnectionState) -> (i32, String, Option<Value>) {
    if application_string(request, "operation").as_deref() != Some("READ") {
        return (400, "only READ is supported on $management".into(), None);
    }
    let Some(namespace) = state.current_namespace() else {
        return (404, "no namespace is served here".into(), None);
    };
    let Some(hub_name) = application_string(request, "name") else {
        return (400, "READ needs the event hub in 'name'".into(), None);
    };
    let hub_path = EntityPath::hub_only(&hub_name);
    let now = now_seconds();
    let any_right: fn(Rights) -> bool = |r| !r.is_empty();
    let authorized = match application_string(request, "security_token") {
        Some(token) => sas::validate(&token, namespace, &hub_path, now)
            .map(|grant| grant.allows(&hub_path, any_right, now))
            .unwrap_or(false),
        None => state
            .grants(&namespace.name)
            .iter()
            .any(|g| g.allows(&hub_path, any_right, now)),
    };
    if !authorized {
        return (
            401,
            format!("Unauthorized access to '{hub_name}': no valid token for it"),
            None,
        );
    }
    let Some(hub) = namespace.hub(&hub_name) else {
        return (
            404,
            format!(
                "The messaging entity '{}:eventhub:{hub_name}' could not be found.",
                namespace.name
            ),
            None,
        );
    };
    let mut body: OrderedMap<Value, Value> = OrderedMap::new();
    let mut put = |key: &str, value: Value| {
        body.insert(Value::String(key.into()), value);
    };
    match application_string(request, "type").as_deref() {
        Some("com.microsoft:eventhub") => {
            put("name", Value::String(hub.name.clone()));
            put("type", Value::String("com.microsoft:eventhub".into()));
            put(
                "created_at",
                Value::Timestamp(Timestamp::from_milliseconds(state.plane.created_ms)),
            );
            put("partition_count", Value::Int(hub.partitions as i32));
            let ids = (0..hub.partitions)
                .map(|p| Value::String(p.to_string()))
                .collect::<Vec<_>>();
            put("partition_ids", Value::Array(Array::from(ids)));
            put("georeplication_factor", Value::Int(1));
        }
        Some("com.microsoft:partition") => {
            let Some(partition) = application_string(request, "partition") else {
                return (400, "READ of a partition needs 'partition'".into(), None);
            };
            let Some(log) = state
                .plane
                .store
                .partition(&namespace.name, &hub.name, &partition)
            else {
                return (
                    404,
                    format!("partition {partition:?} of '{}' does not exist", hub.name),
                    None,
                );
            };
            let stats = log.stats();
            put("name", Value::String(hub.name.clone()));
            put("type", Value::String("com.microsoft:partition".into()));
            put("partition", Value::String(partition));
            put(
                "begin_sequence_number",
                Value::Long(stats.begin_sequence_number),
            );
            put("begin_sequence_number_epoch", Value::Long(0));
            put(
                "last_enqueued_sequence_number",
                Value::Long(stats.last_sequence_number),
            );
            put("last_enqueued_sequence_number_epoch", Value::Long(0));
            put(
                "last_enqueued_offset",
                Value::String(stats.last_offset.to_string()),
            );
            put(
                "last_enqueued_time_utc",
                Value::Timestamp(Timestamp::from_milliseconds(stats.last_enqueued_ms)),
            );
            put("is_partition_empty", Value::Bool(stats.is_empty));
        }
        other => return (400, format!("unsupported READ type {other:?}"), None),
    }
    (200, "OK".into(), Some(Value::Map(body)))
}
