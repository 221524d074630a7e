"""Assertions on how the SDK reports a refusal, shared by the sync and aio suites."""

from azure.eventhub.exceptions import EventDataSendError, EventHubError


def assert_not_found(error, what):
    text = f"{getattr(error, 'error', '')} {error}".lower()
    assert "not-found" in text or "not found" in text or "404" in text, (
        f"{what}: expected a not-found error, got {type(error).__name__}: {error}")


def assert_unauthorized(error, what):
    # A valid token without the needed claim is refused at link attach with
    # amqp:unauthorized-access; the SDK exposes the condition as `error`.
    assert isinstance(error, EventHubError) and error.error == "unauthorized-access", (
        f"{what}: expected amqp:unauthorized-access, got {type(error).__name__}: {error}")


def assert_too_large(error):
    # A delivery the service rejects with amqp:link:message-size-exceeded becomes a
    # non-retryable EventDataSendError; the SDK may also refuse it itself with ValueError.
    assert isinstance(error, ValueError) or (
        isinstance(error, EventDataSendError) and error.error == "link:message-size-exceeded"), (
        f"expected ValueError or EventDataSendError(link:message-size-exceeded), got "
        f"{type(error).__name__}: {error}")
