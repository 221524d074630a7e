//! Which consumer groups `ehops watch` and `ehops lag` sample: the named hubs (each checked to
//! exist and to be readable), or every hub the identity may read; every application group of
//! each, or the one named. `$Default` that nobody has used is left out of listings.

use std::time::Duration;

use super::target::{DEFAULT_CONSUMER_GROUP, Target};
use super::{exit, fail, permission_gate};
use crate::connect::error::{ConnectError, Failure};
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
        for hub in catalog_hubs.iter().flatten() {
            // Hubs this identity may not read are left out, as the console leaves them out.
            if ops::permissions::for_hub(connection, &hub.name)
                .await
                .verdict(ConsoleAction::Lag)
                .reason(ConsoleAction::Lag)
                .is_none()
            {
                chosen.push(hub.clone());
            }
        }
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
                None => crate::model::Hub {
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
        let groups: Vec<String> = match group {
            Some(group) => {
                if catalog_hubs.is_some()
                    && !hub
                        .consumer_groups
                        .iter()
                        .any(|g| g.eq_ignore_ascii_case(group))
                {
                    if named.is_empty() {
                        continue;
                    }
                    return Err(fail(&ConnectError::not_found(format!(
                        "hub {} has no consumer group {group} (it has: {})",
                        hub.name,
                        hub.consumer_groups.join(", ")
                    ))));
                }
                vec![group.to_owned()]
            }
            // The console's own group is not an application's; leave it out.
            None => hub
                .consumer_groups
                .iter()
                .filter(|g| !g.eq_ignore_ascii_case(DEFAULT_CONSUMER_GROUP))
                .cloned()
                .collect(),
        };
        if groups.is_empty() {
            continue;
        }
        hubs.push(HubGroups {
            namespace: hub.namespace.clone(),
            hub: hub.name.clone(),
            retention: hub.retention,
            consumer_groups: groups,
        });
    }
    if hubs.is_empty() {
        eprintln!("error: no consumer group to watch");
        return Err(exit::NOT_FOUND);
    }
    Ok(hubs)
}
