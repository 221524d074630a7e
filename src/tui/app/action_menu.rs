//! The action menu as app state: opened on the current hub, filled when the backend answers
//! with the identity's permissions there, and modal while open (moves, run, refresh, close).

use super::{App, Notice, View};
use crate::model::permissions::ConsoleAction;
use crate::ops::permissions::HubPermissions;
use crate::protocol::{ReadRequest, Request, RequestId};
use crate::tui::action::Action;
use crate::tui::views::action_menu::{ItemState, MenuItem, menu_items};

/// The open menu: for which hub, and its items once the permissions are known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionMenuState {
    pub hub: String,
    /// `None` while the permissions are being asked for.
    pub items: Option<Vec<MenuItem>>,
    pub selected: usize,
    request: RequestId,
}

impl App {
    pub(super) fn open_action_menu(&mut self) -> Vec<Request> {
        let Some(hub) = self.current_hub() else {
            self.notice = Some(Notice::Error("select a hub first".into()));
            return Vec::new();
        };
        self.view().pane().hold_selection(self);
        let request = self.issue();
        self.action_menu = Some(ActionMenuState {
            hub: hub.clone(),
            items: None,
            selected: 0,
            request,
        });
        vec![Request::Read(ReadRequest::Permissions {
            request,
            hub,
            dead_letter_hub: self.quiet_dead_letter_hub(),
            fresh: false,
        })]
    }

    pub(super) fn permissions_loaded(
        &mut self,
        request: RequestId,
        permissions: &HubPermissions,
    ) -> Vec<Request> {
        if let Some(commands) = self.gate_answered(request, permissions) {
            return commands;
        }
        let read_only = self.read_only;
        if let Some(menu) = &mut self.action_menu
            && menu.request == request
        {
            menu.items = Some(menu_items(|a| permissions.verdict(a), read_only));
            menu.selected = menu
                .selected
                .min(menu.items.as_ref().map_or(0, Vec::len).saturating_sub(1));
        }
        Vec::new()
    }

    /// Handles `action` while the menu is open; every other action is swallowed so a key
    /// meant for the pane below does not act behind the popup.
    pub(super) fn action_menu_key(&mut self, action: Action) -> Vec<Request> {
        let Some(menu) = &mut self.action_menu else {
            return Vec::new();
        };
        let count = menu.items.as_ref().map_or(0, Vec::len);
        match action {
            Action::SelectUp => menu.selected = menu.selected.saturating_sub(1),
            Action::SelectDown => {
                menu.selected = (menu.selected + 1).min(count.saturating_sub(1));
            }
            Action::SelectFirst => menu.selected = 0,
            Action::SelectLast => menu.selected = count.saturating_sub(1),
            Action::Refresh => {
                let request = self.issue();
                let dead_letter_hub = self.quiet_dead_letter_hub();
                if let Some(menu) = &mut self.action_menu {
                    menu.request = request;
                    menu.items = None;
                    return vec![Request::Read(ReadRequest::Permissions {
                        request,
                        hub: menu.hub.clone(),
                        dead_letter_hub,
                        fresh: true,
                    })];
                }
            }
            Action::Open | Action::Submit => {
                let item = menu
                    .items
                    .as_ref()
                    .and_then(|items| items.get(menu.selected))
                    .cloned();
                if let Some(item) = item {
                    return self.run_menu_item(&item);
                }
            }
            Action::Back | Action::ActionMenu => self.action_menu = None,
            Action::Quit => return self.update_closed(Action::Quit),
            _ => {}
        }
        Vec::new()
    }

    fn run_menu_item(&mut self, item: &MenuItem) -> Vec<Request> {
        let hub = self
            .action_menu
            .as_ref()
            .map(|m| m.hub.clone())
            .unwrap_or_default();
        if item.state != ItemState::Ready {
            // The menu stays open: the user may pick another item.
            let reason = item.refusal().unwrap_or_default();
            let group = self.menu_group().map(|(g, _)| g);
            return self.refuse(item.action.name(), &hub, group.as_deref(), reason);
        }
        self.action_menu = None;
        match item.action {
            ConsoleAction::Tail => self.update(Action::ShowTail),
            ConsoleAction::Lag => self.update(Action::ShowConsumerGroups),
            ConsoleAction::ViewSchemas => self.update(Action::ShowSchemas),
            ConsoleAction::ResetCheckpoints if self.menu_kafka_group().is_some() => {
                if let Some((id, label, partition)) = self.menu_kafka_group() {
                    self.open_reset(hub, label, partition, Some(id));
                }
                Vec::new()
            }
            ConsoleAction::ResetCheckpoints => match self.menu_group() {
                Some((group, partition)) => {
                    self.open_reset(hub, group, partition, None);
                    Vec::new()
                }
                None => self.needs_group("reset checkpoints"),
            },
            ConsoleAction::DeadLetter => {
                if matches!(self.view(), View::TAIL | View::DETAIL) {
                    return self.dead_letter_tail_event();
                }
                if let Some((id, label, Some(partition))) = self.menu_kafka_group() {
                    return self.open_dead_letter(hub, partition, Some(label), None, Some(id));
                }
                match self.menu_group() {
                    Some((group, Some(partition))) => {
                        self.open_dead_letter(hub, partition, Some(group), None, None)
                    }
                    _ => self.needs_group("dead-letter the group's next event"),
                }
            }
            // The dead-letter pane's redrive stays on `:dlq` and `D`.
            ConsoleAction::Replay => self.open_replay_from_menu(hub),
            other => {
                self.notice = Some(Notice::Error(format!(
                    "{}: not available in the console",
                    other.name()
                )));
                Vec::new()
            }
        }
    }

    /// The consumer group selected in the consumer-groups pane, and the lag table's
    /// selected partition; on another pane, the group its selection is about.
    pub(super) fn menu_group(&self) -> Option<(String, Option<String>)> {
        if self.view() != View::CONSUMER_GROUPS {
            return self.view().pane().group_partition(self);
        }
        let group = self.groups.selected_group()?.to_owned();
        let partition = self
            .groups
            .lag
            .as_ref()
            .filter(|lag| lag.consumer_group == group)
            .and_then(|lag| lag.partitions.get(self.groups.lag_list.selected))
            .map(|row| row.partition.clone());
        Some((group, partition))
    }

    /// The Kafka group selected in the consumer-groups pane: its id, the label actions record
    /// (`G (kafka)`), and the lag table's selected partition.
    pub(super) fn menu_kafka_group(&self) -> Option<(String, String, Option<String>)> {
        if self.view() != View::CONSUMER_GROUPS {
            return None;
        }
        let id = self.groups.selected_kafka_group()?.to_owned();
        let partition = (self.groups_lag())
            .and_then(|lag| lag.partitions.get(self.groups.lag_list.selected))
            .map(|row| row.partition.clone());
        Some((id.clone(), format!("{id} (kafka)"), partition))
    }

    fn needs_group(&mut self, what: &str) -> Vec<Request> {
        self.notice = Some(Notice::Error(format!(
            "to {what}: open the hub's consumer groups (c), select a group and a partition row"
        )));
        Vec::new()
    }

    /// The team's dead-letter hub for the permission check; no notice when there is none
    /// (the dead-letter item then says what is missing).
    fn quiet_dead_letter_hub(&self) -> Option<String> {
        let team = self.identity.team.as_deref()?;
        crate::model::dead_letter_hub_for(&self.hubs_here(), team).map(|h| h.name.clone())
    }

    fn update_closed(&mut self, action: Action) -> Vec<Request> {
        self.action_menu = None;
        self.update(action)
    }
}
