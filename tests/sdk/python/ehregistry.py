"""Microsoft's Schema Registry client against the emulator, configured only through its public
options (the SDK is not patched):

- Credential: the client only sends `Authorization: Bearer <token>` from a TokenCredential. The
  emulator takes a shared-access token in that place, so `SasTokenCredential` hands out one
  signed with a rule's key (docs/sdk-quirks.md, "Schema Registry clients").
- Scheme: azure-schemaregistry 1.3.0 always builds `https://{fully_qualified_namespace}`, and
  azure-core's BearerTokenCredentialPolicy refuses bearer tokens on non-https URLs unless told
  `enforce_https=False`. The emulator serves the registry over plain HTTP, so the client gets
  azure-core's `raw_request_hook` (run by CustomHookPolicy, which comes after the
  authentication policy in the client's pipeline): the URL is https while the token is added
  and the request is sent over http to the emulator. Against Azure none of this is needed.
"""

import base64
import hashlib
import hmac
import time
import urllib.parse

from azure.core.credentials import AccessToken
from azure.schemaregistry import SchemaRegistryClient

TOKEN_TTL_S = 3600


class SasTokenCredential:
    """A TokenCredential whose tokens are shared-access signatures for one rule."""

    def __init__(self, key_name: str, key: str, resource: str = "sb://127.0.0.1/"):
        self._key_name = key_name
        self._key = key
        self._resource = resource

    def get_token(self, *scopes, **kwargs) -> AccessToken:
        expiry = int(time.time()) + TOKEN_TTL_S
        sr = urllib.parse.quote_plus(self._resource)
        to_sign = f"{sr}\n{expiry}".encode()
        sig = base64.b64encode(hmac.new(self._key.encode(), to_sign, hashlib.sha256).digest())
        token = "SharedAccessSignature " + urllib.parse.urlencode(
            {"sr": self._resource, "sig": sig.decode(), "se": str(expiry), "skn": self._key_name})
        return AccessToken(token, expiry)

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass


def _plain_http(request):
    url = request.http_request.url
    if url.startswith("https://"):
        request.http_request.url = "http://" + url[len("https://"):]


def registry_client(emulator, rule: str = "RootManageSharedAccessKey", key: str = None,
                    **kwargs) -> SchemaRegistryClient:
    rule_config = emulator.rules[rule]
    credential = SasTokenCredential(rule, key if key is not None else rule_config["key"])
    return SchemaRegistryClient(emulator.http, credential, raw_request_hook=_plain_http,
                                **kwargs)
