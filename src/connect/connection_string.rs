//! Event Hubs connection strings, as the portal and `ehops emulator` print them:
//! `Endpoint=sb://HOST[:PORT]/;SharedAccessKeyName=RULE;SharedAccessKey=KEY[;EntityPath=HUB]
//! [;UseDevelopmentEmulator=true]`, or `SharedAccessSignature=TOKEN` instead of the key.
//! The Rust SDK (0.15) has no parser of its own (docs/sdk-quirks.md).

use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct ConnectionString {
    /// Host, with its port when one was given.
    pub host: String,
    pub key_name: Option<String>,
    pub key: Option<String>,
    pub signature: Option<String>,
    pub entity_path: Option<String>,
    /// Plain AMQP without TLS, as local emulators serve it.
    pub development_emulator: bool,
}

impl fmt::Debug for ConnectionString {
    // Keys and signatures never reach logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionString")
            .field("host", &self.host)
            .field("key_name", &self.key_name)
            .field("entity_path", &self.entity_path)
            .field("development_emulator", &self.development_emulator)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectionStringError {
    #[error("the connection string has no Endpoint=sb://HOST")]
    MissingEndpoint,
    #[error("Endpoint {0:?} is not of the form sb://HOST[:PORT]/")]
    BadEndpoint(String),
    #[error(
        "the connection string needs SharedAccessKeyName and SharedAccessKey, or SharedAccessSignature"
    )]
    MissingCredential,
    #[error("part {0:?} is not KEY=VALUE")]
    BadPart(String),
}

impl ConnectionString {
    pub fn parse(text: &str) -> Result<Self, ConnectionStringError> {
        let mut endpoint = None;
        let mut parsed = ConnectionString {
            host: String::new(),
            key_name: None,
            key: None,
            signature: None,
            entity_path: None,
            development_emulator: false,
        };
        for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, value) = part
                .split_once('=')
                .ok_or_else(|| ConnectionStringError::BadPart(redact(part)))?;
            match name.to_ascii_lowercase().as_str() {
                "endpoint" => endpoint = Some(value.to_string()),
                "sharedaccesskeyname" => parsed.key_name = Some(value.to_string()),
                "sharedaccesskey" => parsed.key = Some(value.to_string()),
                "sharedaccesssignature" => parsed.signature = Some(value.to_string()),
                "entitypath" => parsed.entity_path = Some(value.to_string()),
                "usedevelopmentemulator" => {
                    parsed.development_emulator = value.eq_ignore_ascii_case("true")
                }
                _ => {} // as the SDKs do, ignore what is not ours
            }
        }
        let endpoint = endpoint.ok_or(ConnectionStringError::MissingEndpoint)?;
        let host = endpoint
            .split_once("://")
            .map(|(_, rest)| rest.trim_end_matches('/'))
            .filter(|h| !h.is_empty() && !h.contains('/'))
            .ok_or_else(|| ConnectionStringError::BadEndpoint(endpoint.clone()))?;
        parsed.host = host.to_string();
        let has_key = parsed.key_name.is_some() && parsed.key.is_some();
        if !has_key && parsed.signature.is_none() {
            return Err(ConnectionStringError::MissingCredential);
        }
        Ok(parsed)
    }

    /// The AMQP endpoint to give the SDK's `with_custom_endpoint`, when the target is a local
    /// emulator on plain AMQP. `None` means the SDK's default (TLS to the host).
    pub fn custom_endpoint(&self) -> Option<String> {
        self.development_emulator
            .then(|| format!("amqp://{}", self.host))
    }
}

/// A part of a connection string fit for an error message: never the value of a secret.
fn redact(part: &str) -> String {
    let lower = part.to_ascii_lowercase();
    if lower.starts_with("sharedaccesskey") || lower.starts_with("sharedaccesssignature") {
        "SharedAccess…".to_string()
    } else {
        part.chars().take(40).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_emulator_form() {
        let cs = ConnectionString::parse(
            "Endpoint=sb://127.0.0.1:5672;SharedAccessKeyName=root;SharedAccessKey=k=;EntityPath=orders;UseDevelopmentEmulator=true",
        )
        .expect("valid");
        assert_eq!(cs.host, "127.0.0.1:5672");
        assert_eq!(cs.key.as_deref(), Some("k="), "keys may end in '='");
        assert_eq!(cs.entity_path.as_deref(), Some("orders"));
        assert_eq!(
            cs.custom_endpoint().as_deref(),
            Some("amqp://127.0.0.1:5672")
        );
        assert!(!format!("{cs:?}").contains("k="));
    }

    #[test]
    fn azure_form_uses_tls_and_errors_are_clear() {
        let cs = ConnectionString::parse(
            "Endpoint=sb://contoso.servicebus.windows.net/;SharedAccessKeyName=r;SharedAccessKey=k",
        )
        .expect("valid");
        assert_eq!(cs.host, "contoso.servicebus.windows.net");
        assert_eq!(cs.custom_endpoint(), None);
        assert_eq!(
            ConnectionString::parse("SharedAccessKeyName=r"),
            Err(ConnectionStringError::MissingEndpoint)
        );
        assert_eq!(
            ConnectionString::parse("Endpoint=sb://h/;SharedAccessKeyName=r"),
            Err(ConnectionStringError::MissingCredential)
        );
        assert_eq!(
            ConnectionString::parse("Endpoint=sb://h/;SharedAccessKey"),
            Err(ConnectionStringError::BadPart("SharedAccess…".into()))
        );
    }
}
