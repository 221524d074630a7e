use std::time::Duration;

/// One event hub (one per aggregate), as the catalog describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Hub {
    /// The namespace holding it: the console lists the hubs of every namespace it reaches,
    /// and two namespaces may each have a hub of the same name.
    pub namespace: String,
    pub name: String,
    pub partition_count: u32,
    /// The owning team, from the resource's `team` tag; `None` when the tag is missing.
    pub team: Option<String>,
    /// How long the service keeps events; checkpoints older than this point at purged data.
    pub retention: Duration,
    /// Incoming events per second over the last sample, when the catalog reports it.
    pub ingress_per_sec: Option<f64>,
    /// For a dead-letter hub, the team whose poison events it keeps (`deadletter_for` tag).
    pub dead_letter_for: Option<String>,
    /// Consumer groups defined on the hub (one per consuming deployment).
    pub consumer_groups: Vec<String>,
}

impl Hub {
    /// Whether this hub belongs to `team` (used to list the signed-in team's hubs first).
    pub fn is_owned_by(&self, team: Option<&str>) -> bool {
        matches!((self.team.as_deref(), team), (Some(a), Some(b)) if a == b)
    }
}

/// The hub that keeps `team`'s dead-lettered events: the one tagged `deadletter_for` with
/// the team's name, else one named `deadletter-{team}`.
pub fn dead_letter_hub_for<'a>(hubs: &'a [Hub], team: &str) -> Option<&'a Hub> {
    hubs.iter()
        .find(|h| {
            h.dead_letter_for
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case(team))
        })
        .or_else(|| {
            let name = format!("deadletter-{team}");
            hubs.iter().find(|h| h.name.eq_ignore_ascii_case(&name))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ownership_needs_both_sides() {
        let hub = Hub {
            namespace: "ns".into(),
            name: "sale".into(),
            partition_count: 4,
            team: Some("conversions".into()),
            retention: Duration::from_secs(86_400),
            ingress_per_sec: None,
            dead_letter_for: None,
            consumer_groups: vec![],
        };
        assert!(hub.is_owned_by(Some("conversions")));
        assert!(!hub.is_owned_by(Some("customer")));
        assert!(!hub.is_owned_by(None));
    }
}
