//! Reading a bounded stretch of one partition, keeping each event's AMQP message as it
//! arrived: the incident actions copy events (dead-letter, replay, redrive) with their
//! properties, annotations and body intact, and need offsets to write checkpoints.
//!
//! A read ends at the sequence number it was asked to reach, after `max` events, or when
//! the partition has been quiet for `idle` (the end of what it holds).

use std::time::Duration;

use azure_core_amqp::AmqpMessage;
use azure_messaging_eventhubs::{ConsumerClient, EventReceiver, OpenReceiverOptions};
use futures_util::StreamExt;

use super::data_plane::DataPlane;
use super::error::{ConnectError, Failure};
use super::received::to_tail_event;
use super::sdk_error::{self, Cause};
use super::tail::sdk_position;
use crate::model::{StartPosition, TailEvent};

/// One event with the message it came in.
#[derive(Debug, Clone)]
pub struct RawEvent {
    pub event: TailEvent,
    pub message: AmqpMessage,
}

/// Which events a read returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadRange {
    pub hub: String,
    pub partition: String,
    /// Where the read starts (inclusive).
    pub from: StartPosition,
    /// The last sequence number wanted (inclusive); the read stops there.
    pub to_sequence: i64,
    /// At most this many events.
    pub max: usize,
    /// How long a quiet partition is waited on before the read counts as complete.
    pub idle: Duration,
}

impl ReadRange {
    /// Exactly one event.
    pub fn one(hub: &str, partition: &str, sequence: i64) -> Self {
        Self {
            hub: hub.to_owned(),
            partition: partition.to_owned(),
            from: StartPosition::Sequence(sequence),
            to_sequence: sequence,
            max: 1,
            idle: Duration::from_secs(5),
        }
    }
}

/// Events a receiver asks for ahead; reads are short, so a modest window.
const PREFETCH: u32 = 300;
/// How long a finished read's receiver and client are given to close politely.
const CLOSE_WITHIN: Duration = Duration::from_secs(10);

/// Reads `range` through the console's own consumer group.
pub async fn read(plane: &DataPlane, range: &ReadRange) -> Result<Vec<RawEvent>, ConnectError> {
    let empty = matches!(range.from, StartPosition::Sequence(n) if n > range.to_sequence);
    if empty || range.max == 0 {
        return Ok(Vec::new());
    }
    let client = plane.open_consumer(&range.hub).await?;
    let options = OpenReceiverOptions {
        start_position: Some(sdk_position(&range.from)),
        prefetch: Some(PREFETCH),
        ..Default::default()
    };
    let where_ = format!("hub {} partition {}", range.hub, range.partition);
    let receiver = client
        .open_receiver_on_partition(range.partition.clone(), Some(options))
        .await
        .map_err(|e| receive_error(plane.consumer_group(), &where_, &e))?;
    let mut events = Vec::new();
    let mut failure = None;
    {
        let stream = receiver.stream_events();
        futures_util::pin_mut!(stream);
        loop {
            let next = match tokio::time::timeout(range.idle, stream.next()).await {
                Ok(next) => next,
                Err(_) => break,
            };
            match next {
                Some(Ok(received)) => {
                    let event = to_tail_event(&range.partition, &received);
                    if event.sequence > range.to_sequence {
                        break;
                    }
                    let done = event.sequence == range.to_sequence;
                    events.push(RawEvent {
                        event,
                        message: received.raw_amqp_message().clone(),
                    });
                    if done || events.len() >= range.max {
                        break;
                    }
                }
                Some(Err(e)) => {
                    failure = Some(receive_error(plane.consumer_group(), &where_, &e));
                    break;
                }
                None => break,
            }
        }
    }
    close_in_background(receiver, client);
    match failure {
        Some(error) => Err(error),
        None => Ok(events),
    }
}

/// Closes the receiver and its client without holding up the caller, whose events are read:
/// under load the SDK's link close has been seen to hang (docs/sdk-quirks.md), and a dry run
/// waiting on it stayed at "reading checkpoints and events". A close that has not finished
/// within [`CLOSE_WITHIN`] is abandoned; dropping the client closes its connection anyway.
fn close_in_background(receiver: EventReceiver, client: ConsumerClient) {
    tokio::spawn(async move {
        let closing = async {
            let _ = receiver.close().await;
            let _ = client.close().await;
        };
        let _ = tokio::time::timeout(CLOSE_WITHIN, closing).await;
    });
}

/// An error from a receiver on `consumer_group`. A missing consumer group is most likely the
/// console's own, which every hub it reads needs: say so, and how to fix it. The service
/// names the missing entity only in its description.
pub(super) fn receive_error(
    consumer_group: &str,
    where_: &str,
    error: &(dyn std::error::Error + 'static),
) -> ConnectError {
    let reading = sdk_error::read(error);
    let entity = format!("consumergroups/{}", consumer_group.to_ascii_lowercase());
    // The whole name: `ehops` is not `ehops-archive`.
    let names_group = reading.detail.as_deref().is_some_and(|detail| {
        let detail = detail.to_ascii_lowercase();
        detail.match_indices(&entity).any(|(at, _)| {
            let mut after = detail[at + entity.len()..].chars();
            let name_char =
                |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || "-_".contains(c));
            // A name goes on with a name character, or a dot followed by one; a sentence's
            // full stop ends it.
            match after.next() {
                Some('.') => !name_char(after.next()),
                next => !name_char(next),
            }
        })
    });
    if reading.cause == Cause::NotFound && names_group {
        return ConnectError::new(
            Failure::NotFound,
            format!(
                "{where_}: the hub has no consumer group `{consumer_group}`, which ehops reads with; create it on the hub, or pass --consumer-group"
            ),
        );
    }
    ConnectError::from_reading(where_, &reading)
}

/// The first event at or after `from` (inclusive), if the partition holds one.
pub async fn first_at(
    plane: &DataPlane,
    hub: &str,
    partition: &str,
    from: StartPosition,
) -> Result<Option<RawEvent>, ConnectError> {
    let range = ReadRange {
        from,
        to_sequence: i64::MAX,
        ..ReadRange::one(hub, partition, 0)
    };
    Ok(read(plane, &range).await?.pop())
}

/// The one event at `sequence`, or a not-found error naming it.
pub async fn read_one(
    plane: &DataPlane,
    hub: &str,
    partition: &str,
    sequence: i64,
) -> Result<RawEvent, ConnectError> {
    let mut found = read(plane, &ReadRange::one(hub, partition, sequence)).await?;
    match found.pop() {
        Some(event) if event.event.sequence == sequence => Ok(event),
        _ => Err(ConnectError::new(
            Failure::NotFound,
            format!("hub {hub} partition {partition} holds no event {sequence}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use azure_core_amqp::{
        AmqpDescribedError, AmqpError, AmqpErrorCondition, AmqpErrorKind, AmqpOrderedMap,
    };
    use azure_messaging_eventhubs::EventHubsError;

    use super::*;

    /// What a receiver gets when the hub lacks its consumer group (the service names the
    /// entity in the description only).
    fn missing(entity: &str) -> EventHubsError {
        let description =
            format!("The messaging entity 'ns:eventhub:{entity}' could not be found.");
        EventHubsError::from(AmqpError::from(AmqpErrorKind::AmqpDescribedError(
            AmqpDescribedError::new(
                AmqpErrorCondition::NotFound,
                Some(description),
                AmqpOrderedMap::new(),
            ),
        )))
    }

    #[test]
    fn a_missing_reading_group_is_named_with_the_fix() {
        let error = receive_error(
            "ehops",
            "partition 0",
            &missing("orders/ConsumerGroups/ehops"),
        );
        assert_eq!(error.failure, Failure::NotFound);
        assert_eq!(
            error.message,
            "partition 0: the hub has no consumer group `ehops`, which ehops reads with; create it \
             on the hub, or pass --consumer-group"
        );
    }

    #[test]
    fn another_missing_entity_is_plain_not_found() {
        for entity in [
            "orders",
            "orders/ConsumerGroups/ehops-archive",
            "orders/ConsumerGroups/ehops.v2",
        ] {
            let error = receive_error("ehops", "partition 0", &missing(entity));
            assert_eq!(error.failure, Failure::NotFound);
            assert!(
                error.message.starts_with("partition 0: not found ("),
                "{error}"
            );
        }
    }
}
