//! The classifier on SDK error values built as the SDK builds them (the chains below are the
//! ones the Event Hubs SDK 0.15 returned against the emulator, link by link).

use std::borrow::Cow;

use azure_core::error::ErrorKind as CoreKind;
use azure_core::http::StatusCode;
use azure_core_amqp::{
    AmqpDescribedError, AmqpError, AmqpErrorCondition, AmqpErrorKind, AmqpOrderedMap,
};
use azure_messaging_eventhubs::EventHubsError;
use azure_messaging_eventhubs::error::ErrorKind as HubsKind;

use super::{Cause, read};
use crate::connect::error::{ConnectError, Failure};

/// `get_eventhub_properties` with a wrong key: the management link's put-token answered 401,
/// wrapped by the SDK in "Error ensuring connection".
fn wrong_key() -> EventHubsError {
    let refused = AmqpError::from(AmqpErrorKind::ManagementStatusCode(
        StatusCode::Unauthorized,
        Some("Unauthorized: signature does not match rule \"Root\": wrong key".to_owned()),
    ));
    let wrapped =
        azure_core::Error::with_error(CoreKind::Other, refused, "Error ensuring connection");
    EventHubsError::from(AmqpError::from(wrapped))
}

fn described(condition: AmqpErrorCondition, description: &str) -> EventHubsError {
    EventHubsError::from(AmqpError::from(AmqpErrorKind::AmqpDescribedError(
        AmqpDescribedError::new(
            condition,
            Some(description.to_owned()),
            AmqpOrderedMap::new(),
        ),
    )))
}

fn management(status: StatusCode, description: &str) -> EventHubsError {
    EventHubsError::from(AmqpError::from(AmqpErrorKind::ManagementStatusCode(
        status,
        Some(description.to_owned()),
    )))
}

/// Opening a client on an address nobody listens on.
fn refused_connection() -> EventHubsError {
    let io = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
    EventHubsError::from(AmqpError::from(azure_core::Error::from(io)))
}

#[test]
fn a_wrong_key_is_read_from_the_wrapped_status_code() {
    let error = wrong_key();
    assert!(
        !error.to_string().contains("401"),
        "the SDK's own text hides the answer: {error}"
    );
    let reading = read(&error);
    assert_eq!(reading.cause, Cause::CredentialRefused);
    let message = ConnectError::from_sdk("hub orders", &error);
    assert_eq!(message.failure, Failure::Auth);
    assert!(message.message.starts_with("hub orders: the service refused the key or token (Unauthorized: signature does not match"), "{message}");
    assert!(
        message.message.contains("SharedAccessKey"),
        "says what to do: {message}"
    );
    assert!(!message.message.contains("AMQP Error"), "{message}");
    assert!(
        !message.message.contains("Error ensuring connection"),
        "{message}"
    );
}

#[test]
fn a_missing_hub_is_not_found_from_management_and_from_a_link() {
    let from_management = management(
        StatusCode::NotFound,
        "The messaging entity 'console:eventhub:nosuch' could not be found.",
    );
    assert_eq!(read(&from_management).cause, Cause::NotFound);
    let from_link = described(
        AmqpErrorCondition::NotFound,
        "The messaging entity 'console:eventhub:nosuch' could not be found.",
    );
    let error = ConnectError::from_sdk("partition 0", &from_link);
    assert_eq!(error.failure, Failure::NotFound);
    assert_eq!(
        error.message,
        "partition 0: not found (The messaging entity 'console:eventhub:nosuch' could not be \
         found.); check the hub, consumer group and partition names (`ehops hubs` lists them)"
    );
}

#[test]
fn numbers_in_a_description_do_not_decide() {
    // A tracking id or a name may hold "404" or "401"; the condition decides.
    let refused = described(
        AmqpErrorCondition::UnauthorizedAccess,
        "Unauthorized access. 'Listen' claim(s) are required. TrackingId:4040404-401, Resource: 'sb://ns/hub-404'.",
    );
    assert_eq!(read(&refused).cause, Cause::NotPermitted);
    let busy = described(
        AmqpErrorCondition::ServerBusyError,
        "entity not-found-404 busy",
    );
    assert_eq!(read(&busy).cause, Cause::Busy);
}

#[test]
fn a_refused_connection_is_unreachable_with_the_system_words() {
    let error = ConnectError::from_sdk("cannot open hub orders", &refused_connection());
    assert_eq!(error.failure, Failure::Unreachable);
    assert!(
        error
            .message
            .starts_with("cannot open hub orders: cannot reach the namespace (connection refused)"),
        "{error}"
    );
    assert!(
        error
            .message
            .ends_with("that the service or emulator is running"),
        "{error}"
    );
}

#[test]
fn microsoft_conditions_unknown_to_the_sdk_stay_other() {
    let error = described(
        AmqpErrorCondition::UnknownValue("com.example:odd".to_owned()),
        "something odd",
    );
    let reading = read(&error);
    assert_eq!(reading.cause, Cause::Other);
    assert_eq!(reading.detail.as_deref(), Some("something odd"));
}

#[test]
fn a_stolen_partition_and_a_rejected_send_are_told_apart() {
    let stolen = EventHubsError::from(HubsKind::ConsumerDisconnected(None));
    assert_eq!(read(&stolen).cause, Cause::Displaced);
    let too_large = EventHubsError::from(HubsKind::SendRejected(Some(AmqpDescribedError::new(
        AmqpErrorCondition::LinkPayloadSizeExceeded,
        None,
        AmqpOrderedMap::new(),
    ))));
    let reading = read(&too_large);
    assert_eq!(reading.cause, Cause::Rejected);
    assert_eq!(
        reading.detail.as_deref(),
        Some("amqp:link:message-size-exceeded"),
        "without a description the condition's symbol is the detail"
    );
}

#[test]
fn a_plain_message_with_nothing_typed_is_other_with_its_own_words() {
    let error = EventHubsError::from(HubsKind::SimpleMessage(Cow::Borrowed("Missing Connection")));
    let reading = read(&error);
    assert_eq!(reading.cause, Cause::Other);
    assert_eq!(reading.detail.as_deref(), Some("Missing Connection"));
}

#[test]
fn a_credential_that_gives_no_token_is_auth() {
    let error = azure_core::Error::with_message(CoreKind::Credential, "no sign-in found");
    let wrapped = EventHubsError::from(AmqpError::from(error));
    assert_eq!(read(&wrapped).cause, Cause::NoToken);
    assert_eq!(Cause::NoToken.failure(), Failure::Auth);
}
