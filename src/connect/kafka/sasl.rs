//! The SASL client messages the Kafka endpoint takes (DOCS-KAFKA in docs/kafka.md): PLAIN
//! with the connection string, and OAUTHBEARER's initial client response with a bearer token
//! (RFC 7628 section 3.1, as librdkafka and the Java client send it).

/// PLAIN (RFC 4616): no authzid, username `$ConnectionString`, the connection string.
pub fn plain(connection_string: &str) -> Vec<u8> {
    let mut token = Vec::new();
    token.push(0);
    token.extend_from_slice(b"$ConnectionString");
    token.push(0);
    token.extend_from_slice(connection_string.as_bytes());
    token
}

/// OAUTHBEARER: the GS2 header without channel binding or authzid (`n,,`), then
/// `auth=Bearer TOKEN` between the 0x01 separators, and the closing 0x01.
pub fn oauth_bearer(token: &str) -> Vec<u8> {
    format!("n,,\x01auth=Bearer {token}\x01\x01").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bearer_message_is_framed_as_rfc_7628_says() {
        assert_eq!(
            oauth_bearer("eyJ0.e30.c2ln"),
            b"n,,\x01auth=Bearer eyJ0.e30.c2ln\x01\x01"
        );
        assert_eq!(
            plain("Endpoint=sb://x/"),
            b"\0$ConnectionString\0Endpoint=sb://x/"
        );
    }
}
