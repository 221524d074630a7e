//! ApiVersions: which APIs and versions the endpoint serves. The ranges are what librdkafka
//! 2.x, kafkajs 2, kafka-python and the Java client negotiate, capped below the versions that
//! need topic ids or the new consumer protocol (KIP-848), which Event Hubs does not offer
//! either; each is within what the `kafka-protocol` crate encodes.

use kafka_protocol::messages::api_versions_response::ApiVersion;
use kafka_protocol::messages::{ApiKey, ApiVersionsResponse};

const SERVED: &[(ApiKey, i16, i16)] = &[
    (ApiKey::Produce, 3, 9),
    (ApiKey::Fetch, 4, 12),
    (ApiKey::ListOffsets, 1, 7),
    (ApiKey::Metadata, 0, 12),
    (ApiKey::OffsetCommit, 2, 8),
    (ApiKey::OffsetFetch, 1, 7),
    (ApiKey::FindCoordinator, 0, 3),
    (ApiKey::JoinGroup, 0, 7),
    (ApiKey::Heartbeat, 0, 4),
    (ApiKey::LeaveGroup, 0, 4),
    (ApiKey::SyncGroup, 0, 5),
    (ApiKey::DescribeGroups, 0, 5),
    (ApiKey::ListGroups, 0, 4),
    (ApiKey::SaslHandshake, 0, 1),
    (ApiKey::ApiVersions, 0, 3),
    (ApiKey::SaslAuthenticate, 0, 2),
    (ApiKey::DeleteGroups, 0, 2),
    (ApiKey::InitProducerId, 0, 4),
];

pub fn supports(key: ApiKey, version: i16) -> bool {
    SERVED
        .iter()
        .any(|(k, min, max)| *k == key && (*min..=*max).contains(&version))
}

/// The ApiVersions answer; `error_code` is UNSUPPORTED_VERSION when the client asked with a
/// version newer than ours (it then retries with v0, as KIP-511 describes).
pub fn response(error_code: i16) -> ApiVersionsResponse {
    let mut response = ApiVersionsResponse::default();
    response.error_code = error_code;
    response.api_keys = SERVED
        .iter()
        .map(|(key, min, max)| {
            let mut version = ApiVersion::default();
            version.api_key = *key as i16;
            version.min_version = *min;
            version.max_version = *max;
            version
        })
        .collect();
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_served_range_is_one_the_crate_encodes() {
        for (key, min, max) in SERVED {
            let crate_range = key.valid_versions();
            assert!(
                crate_range.min <= *min && *max <= crate_range.max,
                "{key:?} {min}..={max} is outside {crate_range:?}"
            );
        }
    }
}
