//! SASL as Event Hubs' Kafka endpoint takes it: mechanism PLAIN, username `$ConnectionString`,
//! the password a connection string whose rule (and key) the emulator checks with the same
//! rules as AMQP's `$cbs` (`sas.rs`). A `SharedAccessSignature=` connection string is checked
//! as the token it carries. Mechanism OAUTHBEARER (RFC 7628) carries a bearer token: Azure
//! takes an Entra ID token there; the emulator takes what its `$cbs` takes, a
//! SharedAccessSignature token, checked the same way.

use kafka_protocol::ResponseError;
use kafka_protocol::messages::{SaslHandshakeRequest, SaslHandshakeResponse};
use kafka_protocol::protocol::StrBytes;

use crate::emulator::config::NamespaceConfig;
use crate::emulator::entity_path::EntityPath;
use crate::emulator::sas::{self, Grant};

use super::Broker;

pub const PLAIN: &str = "PLAIN";
pub const OAUTHBEARER: &str = "OAUTHBEARER";
const USERNAME: &str = "$ConnectionString";

/// Answers the handshake; the mechanism the client chose, when it is one served here.
pub fn handshake(request: &SaslHandshakeRequest) -> (SaslHandshakeResponse, Option<&'static str>) {
    let mut response = SaslHandshakeResponse::default();
    response.mechanisms = vec![
        StrBytes::from_static_str(PLAIN),
        StrBytes::from_static_str(OAUTHBEARER),
    ];
    let chosen = [PLAIN, OAUTHBEARER]
        .into_iter()
        .find(|m| request.mechanism.as_str() == *m);
    if chosen.is_none() {
        response.error_code = ResponseError::UnsupportedSaslMechanism.code();
    }
    (response, chosen)
}

/// The namespace and grant the client's SASL message proves under `mechanism`, or the reason
/// it proves nothing.
pub fn authenticate(
    broker: &Broker,
    mechanism: &str,
    token: &[u8],
) -> Result<(String, Grant), String> {
    if mechanism == OAUTHBEARER {
        return authenticate_bearer(broker, token);
    }
    authenticate_plain(broker, token)
}

/// OAUTHBEARER's initial client response (RFC 7628 section 3.1): a GS2 header, then
/// `key=value` pairs between 0x01 separators, one of them `auth=Bearer TOKEN`.
fn authenticate_bearer(broker: &Broker, message: &[u8]) -> Result<(String, Grant), String> {
    let text = std::str::from_utf8(message)
        .map_err(|_| "Invalid SASL/OAUTHBEARER message: not UTF-8".to_string())?;
    let token = text
        .split('\x01')
        .find_map(|pair| pair.strip_prefix("auth="))
        .and_then(|auth| {
            let (scheme, token) = auth.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .ok_or_else(|| {
            "Invalid SASL/OAUTHBEARER message: no 'auth=Bearer <token>' (RFC 7628)".to_string()
        })?;
    if !sas::is_sas(token) {
        return Err("Authentication failed: the emulator takes a SharedAccessSignature token as the bearer token (Azure takes an Entra ID token here)".into());
    }
    let resource = token
        .split('&')
        .find_map(|pair| pair.split_once("sr="))
        .map(|(_, uri)| {
            percent_encoding::percent_decode_str(uri)
                .decode_utf8_lossy()
                .into_owned()
        });
    let namespace = namespace_for(broker, resource.as_deref())
        .ok_or_else(|| "Authentication failed: no namespace is served here".to_string())?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let grant = sas::validate(token, namespace, &EntityPath::default(), now)
        .map_err(|e| format!("Authentication failed: {e}"))?;
    Ok((namespace.name.clone(), grant))
}

/// PLAIN (RFC 4616) with `$ConnectionString` and a connection string.
fn authenticate_plain(broker: &Broker, token: &[u8]) -> Result<(String, Grant), String> {
    // authzid NUL authcid NUL password (RFC 4616).
    let mut parts = token.split(|b| *b == 0);
    let (Some(_authzid), Some(user), Some(password), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("Invalid SASL/PLAIN token: expected authzid, username and password".into());
    };
    if user != USERNAME.as_bytes() {
        return Err(format!(
            "Authentication failed: the username must be {USERNAME} and the password a connection string"
        ));
    }
    let password = std::str::from_utf8(password)
        .map_err(|_| "Authentication failed: the connection string is not UTF-8".to_string())?;
    let fields = ConnectionString::parse(password);
    let namespace = namespace_for(broker, fields.endpoint.as_deref())
        .ok_or_else(|| "Authentication failed: no namespace is served here".to_string())?;
    let audience = match &fields.entity_path {
        Some(hub) => EntityPath::hub_only(hub),
        None => EntityPath::default(),
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let grant = match (&fields.signature, &fields.key_name, &fields.key) {
        (Some(token), _, _) => sas::validate(token, namespace, &audience, now)
            .map_err(|e| format!("Authentication failed: {e}"))?,
        (None, Some(name), Some(key)) => key_grant(namespace, &audience, name, key)?,
        _ => {
            return Err("Authentication failed: the connection string has neither SharedAccessKeyName and SharedAccessKey nor SharedAccessSignature".into());
        }
    };
    Ok((namespace.name.clone(), grant))
}

/// A rule proven by its key: namespace rules cover the namespace (or the EntityPath hub);
/// hub rules only their hub, and only when the connection string names it.
fn key_grant(
    namespace: &NamespaceConfig,
    audience: &EntityPath,
    name: &str,
    key: &str,
) -> Result<Grant, String> {
    let hub_rule = audience
        .hub()
        .and_then(|hub| namespace.hub(hub))
        .and_then(|hub| hub.rules.iter().find(|r| r.name == name));
    let rule = namespace
        .rules
        .iter()
        .find(|r| r.name == name)
        .or(hub_rule)
        .ok_or_else(|| {
            format!("Authentication failed: no shared access rule named '{name}' applies")
        })?;
    if !constant_time_eq(rule.key.as_bytes(), key.as_bytes()) {
        return Err(format!(
            "Authentication failed: the SharedAccessKey does not match rule '{name}'"
        ));
    }
    Ok(Grant {
        rule: rule.name.clone(),
        rights: rule.rights,
        scope: audience.clone(),
        expires_at: i64::MAX,
    })
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The namespace the endpoint's host names (its first DNS label), else the first configured.
fn namespace_for<'a>(broker: &'a Broker, endpoint: Option<&str>) -> Option<&'a NamespaceConfig> {
    let label = endpoint.and_then(|e| {
        let rest = e.split_once("://").map_or(e, |(_, r)| r);
        rest.split(['.', '/', ':'])
            .next()
            .map(str::to_ascii_lowercase)
    });
    label
        .and_then(|l| broker.config.namespace(&l))
        .or_else(|| broker.config.namespaces.first())
}

#[derive(Default)]
struct ConnectionString {
    endpoint: Option<String>,
    key_name: Option<String>,
    key: Option<String>,
    signature: Option<String>,
    entity_path: Option<String>,
}

impl ConnectionString {
    fn parse(text: &str) -> Self {
        let mut fields = ConnectionString::default();
        for pair in text.split(';') {
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            let value = Some(value.trim().to_string());
            match name.trim().to_ascii_lowercase().as_str() {
                "endpoint" => fields.endpoint = value,
                "sharedaccesskeyname" => fields.key_name = value,
                "sharedaccesskey" => fields.key = value,
                "sharedaccesssignature" => fields.signature = value,
                "entitypath" => fields.entity_path = value,
                _ => {}
            }
        }
        fields
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_string_keys_keep_their_padding() {
        let parsed = ConnectionString::parse(
            "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=abc=;EntityPath=orders",
        );
        assert_eq!(parsed.key.as_deref(), Some("abc="));
        assert_eq!(parsed.key_name.as_deref(), Some("root"));
        assert_eq!(parsed.entity_path.as_deref(), Some("orders"));
    }
}
