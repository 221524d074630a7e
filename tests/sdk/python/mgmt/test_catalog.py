"""Microsoft's ARM client for Event Hubs (azure-mgmt-eventhub) against the emulator's catalog.

The client needs a TokenCredential; the emulator's catalog takes the namespace's shared-access
token, so the credential below hands one out (it arrives as `Bearer SharedAccessSignature ...`).
azure-core refuses bearer tokens over plain HTTP unless the request says `enforce_https=False`,
a per-request option of its BearerTokenCredentialPolicy: each call passes it, rather than the
emulator serving TLS with a made-up certificate.
"""

import base64
import hashlib
import hmac
import time
import urllib.parse

from azure.core.credentials import AccessToken
from azure.mgmt.eventhub import EventHubManagementClient

from ehtest import NAMESPACE, ROOT_RULE

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
RESOURCE_GROUP = "ehops-local"
PLAIN_HTTP = {"enforce_https": False}


class SasTokenCredential:
    """A TokenCredential whose tokens are shared-access signatures for one rule."""

    def __init__(self, resource: str, rule: str, key: str):
        self.resource, self.rule, self.key = resource, rule, key

    def get_token(self, *scopes, **kwargs) -> AccessToken:
        expires = int(time.time()) + 3600
        sr = urllib.parse.quote_plus(self.resource)
        signed = hmac.new(self.key.encode(), f"{sr}\n{expires}".encode(), hashlib.sha256)
        sig = urllib.parse.quote_plus(base64.b64encode(signed.digest()).decode())
        token = f"SharedAccessSignature sr={sr}&sig={sig}&se={expires}&skn={self.rule}"
        return AccessToken(token, expires)


def client(emulator, rule: str = ROOT_RULE) -> EventHubManagementClient:
    credential = SasTokenCredential(f"sb://{emulator.amqp}/", rule, emulator.rules[rule]["key"])
    return EventHubManagementClient(credential, SUBSCRIPTION, base_url=f"http://{emulator.http}")


def test_namespaces_hubs_and_consumer_groups_list_through_the_arm_client(emulator):
    arm = client(emulator)
    namespaces = list(arm.namespaces.list(**PLAIN_HTTP))
    assert [ns.name for ns in namespaces] == [NAMESPACE]
    by_group = list(arm.namespaces.list_by_resource_group(RESOURCE_GROUP, **PLAIN_HTTP))
    assert [ns.name for ns in by_group] == [NAMESPACE]

    hubs = {h.name: h for h in arm.event_hubs.list_by_namespace(RESOURCE_GROUP, NAMESPACE, **PLAIN_HTTP)}
    assert "orders" in hubs
    assert hubs["orders"].partition_count == 4
    assert hubs["orders"].partition_ids == ["0", "1", "2", "3"]

    groups = [g.name for g in arm.consumer_groups.list_by_event_hub(
        RESOURCE_GROUP, NAMESPACE, "orders", **PLAIN_HTTP)]
    assert groups == ["$Default", "billing", "audit"]

    one = arm.event_hubs.get(RESOURCE_GROUP, NAMESPACE, "orders", **PLAIN_HTTP)
    assert one.name == "orders"


def test_a_hub_rule_sees_only_its_hub(emulator):
    arm = client(emulator, "orders-listen")
    hubs = [h.name for h in arm.event_hubs.list_by_namespace(RESOURCE_GROUP, NAMESPACE, **PLAIN_HTTP)]
    assert hubs == ["orders"]
