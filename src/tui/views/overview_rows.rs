//! What the overview lists and in which order: where the user is in its three lists, the
//! hubs (the most alarming first, then the signed-in team's own) and a hub's consumer groups
//! (the most alarming first), from the latest lag round.

use std::cmp::Reverse;

use super::pane::View;
use crate::model::{GroupBoard, Hub, HubBoard, LagStatus};
use crate::tui::app::App;
use crate::tui::state::ListState;

/// The overview's lists, in `Tab` order.
pub(super) const HUBS: usize = 0;
pub(super) const GROUPS: usize = 1;
pub(super) const LAG: usize = 2;

/// Where the user is in the overview's three lists.
pub(super) struct Selection {
    pub(super) focus: usize,
    pub(super) hub: usize,
    pub(super) group: usize,
    pub(super) lag: usize,
    hub_filter: ListState,
}

impl Selection {
    pub(super) fn of(app: &App) -> Self {
        let lists = app.pane_lists_of(View::OVERVIEW);
        let selected = |i| lists.map_or(0, |l| l.selected(i));
        Self {
            focus: lists.map_or(HUBS, |l| l.focus),
            hub: selected(HUBS),
            group: selected(GROUPS),
            lag: selected(LAG),
            hub_filter: ListState {
                selected: 0,
                filter: lists.map_or("", |l| l.filter(HUBS)).to_owned(),
            },
        }
    }

    pub(super) fn hub<'a>(&self, app: &'a App) -> Option<&'a Hub> {
        ordered_hubs(app).get(self.hub).copied()
    }

    pub(super) fn group<'a>(&self, app: &'a App) -> Option<&'a GroupBoard> {
        let hub = self.hub(app)?;
        let rows = group_rows(hub, app.board.hub(&hub.namespace, &hub.name));
        rows.get(self.group).and_then(|r| r.board)
    }
}

/// Hubs needing attention first, the worst on top (equally bad: behind longest first), then
/// the signed-in team's, then by name.
pub(crate) fn ordered_hubs(app: &App) -> Vec<&Hub> {
    let filter = Selection::of(app).hub_filter;
    let team = app.identity.team.as_deref();
    let mut hubs: Vec<&Hub> = app
        .visible_hubs()
        .into_iter()
        .filter(|h| {
            let team = h.team.as_deref().unwrap_or_default();
            filter.matches([h.name.as_str(), team, h.namespace.as_str()])
        })
        .collect();
    // The most alarming first (a stuck group above one merely behind); among the calm, the
    // team's own.
    hubs.sort_by_cached_key(|h| {
        let board = app.board.hub(&h.namespace, &h.name);
        let worst = board.and_then(HubBoard::worst_status);
        let alarm = worst.filter(|s| s.needs_attention());
        let failed = board.is_some_and(|b| !b.failures.is_empty());
        let longest = board.and_then(HubBoard::worst_time_behind);
        (
            Reverse((alarm, failed)),
            Reverse(alarm.and(longest)),
            !h.is_owned_by(team),
            h.name.clone(),
            h.namespace != app.home_namespace,
            h.namespace.clone(),
        )
    });
    hubs
}

/// One consumer group of the hub, sampled or not (yet).
pub(super) struct GroupRow<'a> {
    /// As lists show it: a Kafka group marked `[kafka]`.
    pub(super) name: String,
    pub(super) board: Option<&'a GroupBoard>,
    pub(super) failure: Option<&'a str>,
}

impl GroupRow<'_> {
    fn status(&self) -> Option<LagStatus> {
        self.board.map(GroupBoard::status)
    }
}

/// The hub's groups, the most alarming first: those the last round sampled (AMQP and Kafka)
/// or failed to read, or every AMQP group of the hub before its first round.
pub(super) fn group_rows<'a>(hub: &'a Hub, board: Option<&'a HubBoard>) -> Vec<GroupRow<'a>> {
    let mut rows: Vec<GroupRow<'a>> = match board {
        Some(b) => (b.groups.iter())
            .map(|g| GroupRow {
                name: g.display_name(),
                board: Some(g),
                failure: None,
            })
            .chain(b.failures.iter().map(|f| GroupRow {
                name: f.consumer_group.clone(),
                board: None,
                failure: Some(f.message.as_str()),
            }))
            .collect(),
        None => (hub.consumer_groups.iter())
            .map(|name| GroupRow {
                name: name.clone(),
                board: None,
                failure: None,
            })
            .collect(),
    };
    // Equally alarming groups: the one behind longest first.
    let behind = |r: &GroupRow| r.board.and_then(|b| b.lag.max_time_behind());
    rows.sort_by(|a, b| {
        b.status()
            .cmp(&a.status())
            .then_with(|| behind(b).cmp(&behind(a)))
            .then(a.name.cmp(&b.name))
    });
    rows
}

/// Selects the first hub of `namespace` in the overview, as if the user had chosen it.
pub(crate) fn select_first_hub_of(app: &mut App, namespace: &str) {
    let Some(at) = ordered_hubs(app)
        .iter()
        .position(|h| h.namespace == namespace)
    else {
        return;
    };
    let lists = app.pane_lists(View::OVERVIEW);
    lists.list(HUBS).selected = at;
    lists.chosen = true;
}

/// The selected hub and group, by name, once the user chose them: until then the top row
/// (the worst hub of the latest round) is the selection, whatever it is.
pub(super) fn selected_names(app: &App) -> Option<Vec<String>> {
    if !app.pane_lists_of(View::OVERVIEW)?.chosen {
        return None;
    }
    let at = Selection::of(app);
    let hub = at.hub(app)?;
    let groups = group_rows(hub, app.board.hub(&hub.namespace, &hub.name));
    let group = groups.get(at.group).map_or("", |g| g.name.as_str());
    Some(vec![
        hub.namespace.clone(),
        hub.name.clone(),
        group.to_owned(),
    ])
}

/// Selects the hub and group named, wherever the latest round sorted them.
pub(super) fn reselect(app: &mut App, names: &[String]) {
    let [namespace, hub_name, group_name] = names else {
        return;
    };
    let Some((hub_at, hub)) = ordered_hubs(app)
        .into_iter()
        .enumerate()
        .find(|(_, h)| h.namespace == *namespace && h.name == *hub_name)
    else {
        return;
    };
    let group_at = group_rows(hub, app.board.hub(&hub.namespace, &hub.name))
        .iter()
        .position(|g| g.name == *group_name);
    let lists = app.pane_lists(View::OVERVIEW);
    lists.list(HUBS).selected = hub_at;
    if let Some(group_at) = group_at {
        lists.list(GROUPS).selected = group_at;
    }
}
