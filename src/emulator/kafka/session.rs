//! What an authenticated connection may do: the namespace its connection string named and the
//! rights of the rule it proved (Listen to fetch and join groups, Send to produce).

use crate::emulator::config::{NamespaceConfig, Rights};
use crate::emulator::entity_path::EntityPath;
use crate::emulator::sas::Grant;

use super::Broker;

pub struct Session {
    pub namespace: String,
    pub grant: Grant,
    pub client_id: String,
    pub host: String,
}

fn now_seconds() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

impl Session {
    pub fn namespace<'a>(&self, broker: &'a Broker) -> Option<&'a NamespaceConfig> {
        broker.config.namespace(&self.namespace)
    }

    /// Whether the rule covers `hub` with the right `need`.
    pub fn may(&self, hub: &str, need: fn(Rights) -> bool) -> bool {
        self.grant
            .allows(&EntityPath::hub_only(hub), need, now_seconds())
    }

    /// Group APIs name no topic: a rule with Listen on anything may use them, as a consumer
    /// of one hub must be able to join its group.
    pub fn may_consume(&self) -> bool {
        now_seconds() < self.grant.expires_at && self.grant.rights.can_listen()
    }

    /// The hubs this rule lets the client see, in configuration order.
    pub fn visible_hubs<'a>(
        &self,
        broker: &'a Broker,
    ) -> Vec<&'a crate::emulator::config::HubConfig> {
        let Some(namespace) = self.namespace(broker) else {
            return Vec::new();
        };
        let now = now_seconds();
        namespace
            .hubs
            .iter()
            .filter(|hub| {
                self.grant.scope.covers(&EntityPath::hub_only(&hub.name))
                    && now < self.grant.expires_at
            })
            .collect()
    }
}
