//! The demo organisation the embedded emulator runs by default (design notes DEMO-ORG.md).

pub mod avro;
pub mod schemas;

use std::path::Path;

use super::config::{ConfigError, EmulatorConfig};

const ORGANISATION: &str = include_str!("organisation.toml");

/// The demo organisation's namespaces, hubs, consumer groups, tags and team identities.
pub fn organisation() -> Result<EmulatorConfig, ConfigError> {
    EmulatorConfig::parse(ORGANISATION, Path::new("demo/organisation.toml"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_demo_organisation_parses_and_every_hub_has_an_owner() {
        let config = super::organisation().expect("shipped demo config parses");
        let namespace = &config.namespaces[0];
        assert!(namespace.hubs.len() >= 5);
        for hub in &namespace.hubs {
            assert!(
                hub.tags.contains_key("team"),
                "hub {} has no team tag",
                hub.name
            );
        }
    }
}
