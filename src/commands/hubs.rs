//! `ehops hubs`: the hubs of the namespace, their owners and consumer groups.

use clap::Args;
use serde::Serialize;

use super::target::{self, DEFAULT_CONSUMER_GROUP, TargetArgs};
use super::{exit, fail, output};
use crate::model::Hub;
use crate::ops;

#[derive(Debug, Clone, Args)]
pub struct HubsArgs {
    /// One JSON object per hub and line.
    #[arg(long)]
    pub json: bool,
}

/// The JSON form; field names are a promise to scripts.
#[derive(Serialize)]
struct HubLine<'a> {
    namespace: &'a str,
    hub: &'a str,
    team: Option<&'a str>,
    partition_count: u32,
    retention_hours: Option<u64>,
    consumer_groups: &'a [String],
}

pub async fn run(target_args: &TargetArgs, args: &HubsArgs) -> u8 {
    let target = match target::open(target_args, DEFAULT_CONSUMER_GROUP).await {
        Ok(target) => target,
        Err(error) => return fail(&error),
    };
    let namespace = target.plane.connection().namespace.clone();
    let mut hubs = match ops::hubs::list(&target.plane, &namespace).await {
        Ok(hubs) => hubs,
        Err(error) => return fail(&error),
    };
    hubs.sort_by(|a, b| a.name.cmp(&b.name));
    if args.json {
        for hub in &hubs {
            output::json_line(&line(&namespace, hub));
        }
    } else {
        let mut table =
            output::Table::new(&["HUB", "TEAM", "PARTITIONS", "RETENTION", "CONSUMER GROUPS"]);
        for hub in &hubs {
            let l = line(&namespace, hub);
            table.row(vec![
                hub.name.clone(),
                hub.team.clone().unwrap_or_else(|| "(untagged)".to_owned()),
                hub.partition_count.to_string(),
                l.retention_hours
                    .map_or_else(|| "?".to_owned(), |h| format!("{h}h")),
                hub.consumer_groups.join(", "),
            ]);
        }
        table.print();
    }
    exit::OK
}

fn line<'a>(namespace: &'a str, hub: &'a Hub) -> HubLine<'a> {
    HubLine {
        namespace,
        hub: &hub.name,
        team: hub.team.as_deref(),
        partition_count: hub.partition_count,
        retention_hours: (hub.retention != std::time::Duration::MAX)
            .then_some(hub.retention.as_secs() / 3600),
        consumer_groups: &hub.consumer_groups,
    }
}
