//! The demo organisation the embedded emulator runs by default (docs/demo-organisation.md):
//! its namespace, hubs and team identities ([`organisation`]), and, when the emulator runs it
//! live ([`start`]), its teams' traffic ([`traffic`]) and consumer deployments ([`consumers`]),
//! including one consumer stuck on a poison event.

pub mod avro;
pub mod cloudevents;
pub mod consumers;
pub mod events;
pub mod random;
mod records;
pub mod schemas;
#[cfg(test)]
mod team_rules_tests;
pub mod traffic;

use std::path::Path;
use std::sync::Arc;

use tokio::task::JoinHandle;

use self::consumers::ConsumerSettings;
use self::random::Rng;
use self::traffic::{Publisher, TrafficSettings};
use super::checkpoints::CheckpointLayout;
use super::config::{ConfigError, EmulatorConfig};
use super::store::Store;

const ORGANISATION: &str = include_str!("organisation.toml");
/// The demo's teams file (owner cards: channel, backlog, on-call), for the console.
pub const TEAMS: &str = include_str!("teams.toml");

/// The demo organisation's namespaces, hubs, consumer groups, tags and team identities.
pub fn organisation() -> Result<EmulatorConfig, ConfigError> {
    EmulatorConfig::parse(ORGANISATION, Path::new("demo/organisation.toml"))
}

/// The demo with every capture window shortened to `window`, as the emulator-only `window`
/// key does in a config file: for test suites, which cannot wait a minute for a file.
pub fn with_capture_window(
    mut config: EmulatorConfig,
    window: std::time::Duration,
) -> EmulatorConfig {
    for hub in config
        .namespaces
        .iter_mut()
        .flat_map(|ns| ns.hubs.iter_mut())
    {
        if let Some(capture) = &mut hub.capture {
            capture.window = window.min(capture.window);
        }
    }
    config
}

/// How lively the demo is.
#[derive(Debug, Clone, Default)]
pub struct Activity {
    pub traffic: TrafficSettings,
    pub consumers: ConsumerSettings,
}

/// Starts the demo's producers and consumers in the first namespace that has any of its
/// business hubs; nothing when none has. The tasks run until aborted.
pub fn start(
    config: &EmulatorConfig,
    store: &Arc<Store>,
    layout: CheckpointLayout,
    activity: &Activity,
) -> Vec<JoinHandle<()>> {
    let hubs = events::business_hubs();
    let Some(namespace) = config
        .namespaces
        .iter()
        .find(|ns| hubs.iter().any(|h| ns.hub(h).is_some()))
    else {
        return Vec::new();
    };
    let mut rng = Rng::from_clock();
    let publisher = Publisher::new(Arc::clone(store), namespace);
    let mut tasks = traffic::start(publisher, activity.traffic.clone(), &mut rng);
    let target = consumers::Target {
        store: Arc::clone(store),
        layout,
        namespace: namespace.name.clone(),
    };
    tasks.extend(consumers::start(
        &target,
        namespace,
        &activity.consumers,
        &mut rng,
    ));
    tasks
}

fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

#[cfg(test)]
mod live_tests;

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
