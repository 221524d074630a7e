//! Shared Access Signature validation, as Event Hubs does it (docs/protocol-notes.md section 2):
//! `SharedAccessSignature sr=<enc(resource)>&sig=<enc(b64(HMAC-SHA256(key, sr + "\n" + se)))>
//! &se=<unix seconds>&skn=<rule>`, fields in any order. The HMAC key is the UTF-8 bytes of the
//! rule's key, and the signed text is `sr` exactly as it appears in the token (still encoded),
//! because each SDK percent-encodes differently (Rust lowercase hex, Python and JS uppercase).

use base64::Engine;
use hmac::{Hmac, Mac};
use percent_encoding::percent_decode_str;
use sha2::Sha256;

use super::config::{NamespaceConfig, Rights};
use super::entity_path::EntityPath;

const PREFIX: &str = "SharedAccessSignature ";

/// What a valid token allows: its rights on every entity under `scope`, until `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub rule: String,
    pub rights: Rights,
    pub scope: EntityPath,
    /// Unix seconds.
    pub expires_at: i64,
}

impl Grant {
    /// Whether this grant covers `path` with the right `need` at time `now` (unix seconds).
    pub fn allows(&self, path: &EntityPath, need: fn(Rights) -> bool, now: i64) -> bool {
        now < self.expires_at && need(self.rights) && self.scope.covers(path)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SasError {
    #[error("not a SharedAccessSignature token")]
    NotSas,
    #[error("token is missing the {0} field")]
    MissingField(&'static str),
    #[error("token expiry {0:?} is not a number")]
    BadExpiry(String),
    #[error("token expired")]
    Expired,
    #[error("no shared access rule named {0:?} applies to {1:?}")]
    UnknownRule(String, String),
    #[error("signature does not match rule {0:?}: wrong key or altered token")]
    BadSignature(String),
    #[error("token resource {0:?} is not in this namespace")]
    OtherNamespace(String),
}

/// Whether a token body is a SAS token. Clients label token types inconsistently (Python and
/// Rust 0.15 send SAS tokens with type `jwt`), so the body decides.
pub fn is_sas(token: &str) -> bool {
    token.starts_with(PREFIX)
}

/// Validates `token` against the namespace's rules. `audience` is the entity the client asked
/// to be authorized for; it picks the hub whose rules apply when the token itself names only
/// the namespace.
pub fn validate(
    token: &str,
    namespace: &NamespaceConfig,
    audience: &EntityPath,
    now: i64,
) -> Result<Grant, SasError> {
    let body = token.strip_prefix(PREFIX).ok_or(SasError::NotSas)?;
    let mut sr = None;
    let mut sig = None;
    let mut se = None;
    let mut skn = None;
    for pair in body.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "sr" => sr = Some(value),
            "sig" => sig = Some(value),
            "se" => se = Some(value),
            "skn" => skn = Some(value),
            _ => {}
        }
    }
    let sr_raw = sr.ok_or(SasError::MissingField("sr"))?;
    let sig_raw = sig.ok_or(SasError::MissingField("sig"))?;
    let se_raw = se.ok_or(SasError::MissingField("se"))?;
    let rule_name = decode(skn.ok_or(SasError::MissingField("skn"))?);

    let expires_at = parse_expiry(se_raw)?;
    if expires_at <= now {
        return Err(SasError::Expired);
    }
    let resource = decode(sr_raw);
    let scope = EntityPath::from_resource_uri(&resource);
    let hub = scope.hub().or(audience.hub());
    let rule = namespace
        .rules
        .iter()
        .find(|r| r.name == rule_name)
        .or_else(|| {
            hub.and_then(|h| namespace.hub(h))
                .and_then(|h| h.rules.iter().find(|r| r.name == rule_name))
        })
        .ok_or_else(|| SasError::UnknownRule(rule_name.clone(), hub.unwrap_or("").to_string()))?;

    let signature = base64::engine::general_purpose::STANDARD
        .decode(decode(sig_raw).as_bytes())
        .map_err(|_| SasError::BadSignature(rule_name.clone()))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(rule.key.as_bytes())
        .map_err(|_| SasError::BadSignature(rule_name.clone()))?;
    mac.update(sr_raw.as_bytes());
    mac.update(b"\n");
    mac.update(se_raw.as_bytes());
    mac.verify_slice(&signature)
        .map_err(|_| SasError::BadSignature(rule_name.clone()))?;

    let is_namespace_rule = namespace.rules.iter().any(|r| r.name == rule.name);
    // A hub-level rule never reaches beyond its hub, whatever resource the token names.
    let scope = match (is_namespace_rule, scope.hub(), hub) {
        (false, None, Some(h)) => EntityPath::hub_only(h),
        _ => scope,
    };
    Ok(Grant {
        rule: rule.name.clone(),
        rights: rule.rights,
        scope,
        expires_at,
    })
}

fn decode(text: &str) -> String {
    // Python's quote_plus encodes spaces as '+'.
    let text = text.replace('+', " ");
    percent_decode_str(&text).decode_utf8_lossy().into_owned()
}

fn parse_expiry(text: &str) -> Result<i64, SasError> {
    let decoded = decode(text);
    if let Ok(seconds) = decoded.parse::<i64>() {
        return Ok(seconds);
    }
    decoded
        .parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .map(|f| f as i64)
        .ok_or(SasError::BadExpiry(decoded))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::time::Duration;

    use super::*;
    use crate::connect::sas_credential::sign_token as sign;
    use crate::emulator::config::{AccessRule, HubConfig};

    fn namespace() -> NamespaceConfig {
        NamespaceConfig {
            name: "ns".into(),
            listen: None,
            schema_groups: Vec::new(),
            tags: BTreeMap::new(),
            rules: vec![AccessRule {
                name: "root".into(),
                key: "root-key".into(),
                rights: Rights::ALL,
            }],
            hubs: vec![HubConfig {
                name: "orders".into(),
                partitions: 2,
                retention: Duration::from_secs(60),
                consumer_groups: vec!["$Default".into()],
                tags: BTreeMap::new(),
                rules: vec![AccessRule {
                    name: "orders-send".into(),
                    key: "send-key".into(),
                    rights: Rights {
                        send: true,
                        ..Rights::default()
                    },
                }],
                capture: None,
            }],
        }
    }

    fn path(text: &str) -> EntityPath {
        EntityPath::from_resource_uri(text)
    }

    #[test]
    fn namespace_rule_token_covers_every_hub() {
        let token = sign("sb://localhost/", "root", "root-key", 2_000);
        let grant = validate(&token, &namespace(), &path("sb://localhost/orders"), 1_000)
            .expect("valid token");
        assert!(grant.allows(
            &path("orders/ConsumerGroups/$default/Partitions/0"),
            Rights::can_listen,
            1_000
        ));
        assert!(
            !grant.allows(&path("orders"), Rights::can_listen, 2_000),
            "expired"
        );
    }

    #[test]
    fn wrong_key_is_refused() {
        let token = sign("sb://localhost/orders", "root", "not-the-key", 2_000);
        let error = validate(&token, &namespace(), &path("orders"), 1_000).expect_err("wrong key");
        assert_eq!(error, SasError::BadSignature("root".into()));
    }

    #[test]
    fn expired_token_is_refused() {
        let token = sign("sb://localhost/orders", "root", "root-key", 999);
        assert_eq!(
            validate(&token, &namespace(), &path("orders"), 1_000),
            Err(SasError::Expired)
        );
    }

    #[test]
    fn hub_rule_stays_on_its_hub_and_rights() {
        let token = sign("sb://localhost/", "orders-send", "send-key", 2_000);
        let grant = validate(
            &token,
            &namespace(),
            &path("amqps://localhost/orders"),
            1_000,
        )
        .expect("hub rule with namespace resource");
        assert!(grant.allows(&path("orders/Partitions/1"), Rights::can_send, 1_000));
        assert!(
            !grant.allows(&path("orders"), Rights::can_listen, 1_000),
            "send only"
        );
        assert!(
            !grant.allows(&path("other"), Rights::can_send, 1_000),
            "other hub"
        );
    }

    #[test]
    fn tokens_signed_over_lowercase_encoding_validate() {
        // The Rust SDK percent-encodes with lowercase hex; the signature covers that text.
        let encoded = "amqps%3a%2f%2flocalhost%2forders";
        let se = 2_000;
        let mut mac = Hmac::<Sha256>::new_from_slice(b"root-key").expect("any key length");
        mac.update(format!("{encoded}\n{se}").as_bytes());
        let sig = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        let sig: String =
            percent_encoding::utf8_percent_encode(&sig, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        let token = format!("SharedAccessSignature sr={encoded}&sig={sig}&se={se}&skn=root");
        let grant = validate(&token, &namespace(), &path("orders"), 1_000).expect("valid");
        assert_eq!(grant.scope, path("orders"));
    }
}
