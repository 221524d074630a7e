//! Which consumer groups `ehops watch` and `ehops lag` sample: the named hubs (each checked to
//! exist and to be readable), or every hub the identity may read (with `ehops lag --all`, in
//! every namespace it reads); every application group of each, or the one named. `$Default`
//! that nobody has used is left out of listings.

use std::time::Duration;

use super::target::{DEFAULT_CONSUMER_GROUP, Target};
use super::{exit, fail, permission_gate};
use crate::connect::data_plane::DataPlane;
use crate::connect::error::{ConnectError, Failure};
use crate::model::Hub;
use crate::model::permissions::ConsoleAction;
use crate::ops;
use crate::ops::lag_sampler::HubGroups;

/// The groups to sample, hub by hub; `Err(exit code)` after saying why there are none.
pub async fn hubs_to_watch(
    target: &Target,
    named: &[String],
    group: Option<&str>,
) -> Result<Vec<HubGroups>, u8> {
    let plane = &target.plane;
    let connection = plane.connection();
    let catalog_hubs = match ops::hubs::list(plane, &connection.namespace).await {
        Ok(hubs) => Some(hubs),
        Err(error) if named.is_empty() => return Err(fail(&error)),
        Err(error) => {
            tracing::info!(%error, "no catalog; watching the named hubs as they are");
            None
        }
    };
    let mut chosen = Vec::new();
    if named.is_empty() {
        chosen = readable(plane, catalog_hubs.iter().flatten()).await;
    } else {
        for name in named {
            let hub = match &catalog_hubs {
                Some(hubs) => match hubs.iter().find(|h| h.name.eq_ignore_ascii_case(name)) {
                    Some(hub) => hub.clone(),
                    None => {
                        return Err(fail(&ConnectError::new(
                            Failure::NotFound,
                            format!("hub {name} not found in namespace {}", connection.namespace),
                        )));
                    }
                },
                None => Hub {
                    namespace: connection.namespace.clone(),
                    name: name.clone(),
                    partition_count: 0,
                    team: None,
                    retention: Duration::MAX,
                    ingress_per_sec: None,
                    dead_letter_for: None,
                    consumer_groups: Vec::new(),
                },
            };
            permission_gate::check(plane, &hub.name, ConsoleAction::Lag).await?;
            chosen.push(hub);
        }
    }
    if catalog_hubs.is_none() && group.is_none() {
        eprintln!("error: no catalog lists the hubs' consumer groups; give --consumer-group CG");
        return Err(exit::USAGE);
    }
    let mut hubs = Vec::new();
    for hub in chosen {
        if let Some(group) = group
            && catalog_hubs.is_some()
            && !has_group(&hub, group)
            && !named.is_empty()
        {
            return Err(fail(&ConnectError::not_found(format!(
                "hub {} has no consumer group {group} (it has: {})",
                hub.name,
                hub.consumer_groups.join(", ")
            ))));
        }
        hubs.extend(groups_of(&hub, group, catalog_hubs.is_some()));
    }
    if hubs.is_empty() {
        eprintln!("error: no consumer group to watch");
        return Err(exit::NOT_FOUND);
    }
    Ok(hubs)
}

/// Every group to sample in another namespace `plane` reads (`ehops lag --all`): its hubs the
/// identity may read, every application group of each or the one named; none when the
/// namespace's hubs cannot be listed (said on the log, not as an error: the home namespace's
/// groups are the ones asked for by name).
pub async fn every_group_in(plane: &DataPlane, group: Option<&str>) -> Vec<HubGroups> {
    let namespace = &plane.connection().namespace;
    let hubs = match ops::hubs::list(plane, namespace).await {
        Ok(hubs) => hubs,
        Err(error) => {
            tracing::info!(%error, namespace, "hubs not listed; its groups are left out");
            return Vec::new();
        }
    };
    let readable = readable(plane, hubs.iter()).await;
    (readable.iter())
        .filter_map(|hub| groups_of(hub, group, true))
        .collect()
}

/// The hubs this identity may read lag of, as the console leaves the others out.
async fn readable<'a>(plane: &DataPlane, hubs: impl Iterator<Item = &'a Hub>) -> Vec<Hub> {
    let mut chosen = Vec::new();
    for hub in hubs {
        let verdict = ops::permissions::for_hub(plane.connection(), &hub.name)
            .await
            .verdict(ConsoleAction::Lag);
        if verdict.reason(ConsoleAction::Lag).is_none() {
            chosen.push(hub.clone());
        }
    }
    chosen
}

fn has_group(hub: &Hub, group: &str) -> bool {
    (hub.consumer_groups.iter()).any(|g| g.eq_ignore_ascii_case(group))
}

/// The hub's groups to sample: the one named (when the catalog lists it on the hub, or there
/// is no catalog to ask), else every application group (the console's own left out); `None`
/// when that leaves none.
fn groups_of(hub: &Hub, group: Option<&str>, listed: bool) -> Option<HubGroups> {
    let groups: Vec<String> = match group {
        Some(group) if listed && !has_group(hub, group) => return None,
        Some(group) => vec![group.to_owned()],
        None => (hub.consumer_groups.iter())
            .filter(|g| !g.eq_ignore_ascii_case(DEFAULT_CONSUMER_GROUP))
            .cloned()
            .collect(),
    };
    (!groups.is_empty()).then(|| HubGroups {
        namespace: hub.namespace.clone(),
        hub: hub.name.clone(),
        retention: hub.retention,
        consumer_groups: groups,
    })
}
