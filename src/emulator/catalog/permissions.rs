//! `GET {scope}/providers/Microsoft.Authorization/permissions`: what the caller may do at a
//! scope, in the Azure role vocabulary, so the console decides what to offer with the same
//! code on Azure and locally.
//!
//! The caller is a shared-access rule, so its rights are translated into the built-in role
//! each one corresponds to (docs/protocol-notes.md section 8):
//! - Listen = Azure Event Hubs Data Receiver;
//! - Send = Azure Event Hubs Data Sender;
//! - Manage = Azure Event Hubs Data Owner.
//!
//! A rule answers where it applies: a namespace rule at the namespace and everything under it
//! (and at the resource group and subscription, as a role assigned on the namespace would
//! not, but the emulator has one namespace per rule set and no other resources); a hub rule
//! at its hubs. At the namespace every caller also gets what the emulator's Schema Registry
//! grants it: Schema Registry Contributor when it may register in some group of the namespace
//! (a namespace rule with Send or Manage, or a rule a group names as contributor), Reader
//! otherwise (`registry/mod.rs`, docs/schema-registry.md).
//! These are exactly the rights the AMQP side checks, so the console's view and the
//! service's refusal agree.

use serde_json::{Value, json};

use super::auth::Caller;
use super::error::ArmError;
use super::path::Resource;
use super::{Catalog, visible_hub, visible_ns};
use crate::emulator::config::Rights;

/// One permissions entry, as the response lists it.
fn entry(actions: &[&str], data_actions: &[&str]) -> Value {
    json!({
        "actions": actions,
        "notActions": [],
        "dataActions": data_actions,
        "notDataActions": [],
    })
}

/// The entries for a rule's rights: one per built-in role the rights correspond to.
fn role_entries(rights: Rights) -> Vec<Value> {
    if rights.manage {
        return vec![entry(&["Microsoft.EventHub/*"], &["Microsoft.EventHub/*"])];
    }
    let mut entries = Vec::new();
    if rights.listen {
        entries.push(entry(
            &["Microsoft.EventHub/*/eventhubs/consumergroups/read"],
            &["Microsoft.EventHub/*/receive/action"],
        ));
    }
    if rights.send {
        entries.push(entry(
            &["Microsoft.EventHub/*/eventhubs/read"],
            &["Microsoft.EventHub/*/send/action"],
        ));
    }
    entries
}

/// Schema Registry Reader, or Contributor when the registry lets the caller register.
fn schema_role(contributor: bool) -> Value {
    if contributor {
        entry(
            &["Microsoft.EventHub/namespaces/schemagroups/*"],
            &["Microsoft.EventHub/namespaces/schemas/*"],
        )
    } else {
        entry(
            &["Microsoft.EventHub/namespaces/schemagroups/read"],
            &["Microsoft.EventHub/namespaces/schemas/read"],
        )
    }
}

/// The permissions response for `scope`. A namespace or hub the caller cannot see is a 404,
/// as everywhere in the catalog.
pub fn at_scope(catalog: &Catalog, caller: &Caller, scope: &Resource) -> Result<Value, ArmError> {
    let namespaces = &catalog.config.namespaces;
    let entries = match scope {
        Resource::Subscription | Resource::Group => namespaces
            .iter()
            .filter_map(|ns| caller.namespace_rights(ns))
            .flat_map(role_entries)
            .collect(),
        Resource::Namespace { ns } => {
            let ns = visible_ns(catalog, caller, ns)?;
            let mut entries = caller
                .namespace_rights(ns)
                .map(role_entries)
                .unwrap_or_default();
            entries.push(schema_role(caller.may_register_somewhere_in(ns)));
            entries
        }
        Resource::Hub { ns, hub } => {
            let (ns, hub) = visible_hub(catalog, caller, ns, hub)?;
            caller
                .hub_rights(ns, hub)
                .map(role_entries)
                .unwrap_or_default()
        }
        other => {
            return Err(ArmError::not_found(format!(
                "No permissions are kept for {other:?}."
            )));
        }
    };
    Ok(json!({"value": entries, "nextLink": null}))
}
