//! The console's state machine: `update(Action) -> Vec<Request>`.
//!
//! No terminal I/O and no async here, so every behaviour can be tested by feeding actions.
//! Each backend request gets a fresh [`RequestId`]; a reply is applied only if its id is
//! still the latest for its kind, which drops answers for views the user has left.

mod action_menu;
mod capture;
mod command_line;
mod context;
mod dead_letters;
mod incident_replies;
mod incidents;
mod keys;
mod mouse;
mod namespaces;
mod navigate;
mod replay;
mod replies;
mod search;
mod team;

use std::collections::BTreeMap;
use std::sync::Arc;

use super::action::{Action, ConnectionState};
use super::keymap::{Context, Key, Keymap};
use super::state::{
    CaptureState, ConsumerGroupsState, DeadLettersState, Decoding, DetailState, IncidentDialog,
    InputLine, ListState, PaneLists, PartitionsState, SchemasState, SearchState, TailState,
};
use super::theme::{Theme, ThemeCatalog};
pub use super::views::View;
use crate::model::{Hub, Identity, LagBoard, Namespace, Teams};
use crate::ops::audit_read::Trail;
use crate::protocol::{Request, RequestId};
pub use action_menu::ActionMenuState;
pub use command_line::{ConsoleCommand, parse_command_line};
pub use mouse::{ListArea, ListPane, ScreenLayout};

/// A one-line message for the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    Info(String),
    Error(String),
}

/// The latest request of each kind; anything else is stale.
#[derive(Debug, Clone, Default)]
struct Latest {
    namespaces: Option<RequestId>,
    /// Per namespace, its latest hub listing.
    hub_lists: BTreeMap<String, RequestId>,
    /// The latest switch of the namespace the backend reads.
    use_namespace: Option<RequestId>,
    search: Option<RequestId>,
    partitions: Option<RequestId>,
    lag: Option<RequestId>,
    lag_board: Option<RequestId>,
    tail: Option<RequestId>,
    team: Option<RequestId>,
    context: Option<RequestId>,
    schemas: Option<RequestId>,
    audit: Option<RequestId>,
    dead_letters: Option<RequestId>,
    capture_files: Option<RequestId>,
    /// The page being read, and the partition its file holds.
    capture_page: Option<(RequestId, String)>,
}

/// Settings fixed at start-up.
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub identity: Identity,
    pub namespace: String,
    pub keymap: Keymap,
    pub themes: ThemeCatalog,
    pub theme: String,
    pub tail_capacity: usize,
    /// Warnings from loading config files, shown until the user acts.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct App {
    pub keymap: Keymap,
    pub themes: ThemeCatalog,
    pub theme: Theme,
    pub identity: Identity,
    pub connection: ConnectionState,
    /// The namespace the backend reads now: the one of the hub last chosen. Panes opened on
    /// a hub (partitions, tail, groups) are about a hub of this namespace.
    pub namespace: String,
    /// The namespace the console was started on (or the context switched to).
    pub home_namespace: String,
    pub namespaces: Vec<Namespace>,
    pub namespaces_list: ListState,
    /// Hubs of every listed namespace, the signed-in team's first.
    pub hubs: Vec<Hub>,
    pub hubs_list: ListState,
    pub partitions: PartitionsState,
    pub groups: ConsumerGroupsState,
    pub tail: Option<TailState>,
    pub detail: DetailState,
    /// Schemas for decoding tail events, fetched as events name them.
    pub decoding: Decoding,
    pub schemas: SchemasState,
    pub input: Option<InputLine>,
    pub help_open: bool,
    pub help_scroll: usize,
    /// The action menu, while open.
    pub action_menu: Option<ActionMenuState>,
    /// The incident action being walked through (reset, dead-letter, redrive), while open.
    pub incident: Option<IncidentDialog>,
    /// The audit trail's newest records, as the audit pane last read them.
    pub audit: Arc<Trail>,
    /// Every consumer group of the listed hubs, as the latest sampling round found them.
    pub board: Arc<LagBoard>,
    /// The signed-in team's dead-letter hub, as the dead-letter pane last read it.
    pub dead_letters: DeadLettersState,
    /// The capture pane's hub, files and page of events.
    pub capture: CaptureState,
    /// The search pane's question, matches and progress.
    pub search: SearchState,
    /// A mutating key waiting for the permissions that decide it.
    gated: Option<(RequestId, dead_letters::Gated)>,
    /// A read-only context: the action menu leaves mutating actions out.
    pub read_only: bool,
    /// The named context the console is connected through, once `:ctx` picked one.
    pub context_name: Option<String>,
    /// The organisation's teams, for the owner card of the selected hub.
    pub teams: Teams,
    /// List only the signed-in team's hubs, not those of other teams it may read.
    pub own_team_only: bool,
    /// The pane in focus fills the screen (on the overview: its list in focus).
    pub zoomed: bool,
    /// Keys of a chord typed so far (for the which-key hint).
    pub pending_keys: Vec<Key>,
    pub notice: Option<Notice>,
    /// Selections of the panes that keep no other state in the app.
    pane_lists: BTreeMap<View, PaneLists>,
    stack: Vec<View>,
    /// Where the last frame drew its lists, for mouse clicks.
    layout: Option<ScreenLayout>,
    latest: Latest,
    next_request: u64,
    tail_capacity: usize,
    rows: u16,
    columns: u16,
    redraw: Redraw,
    /// Whether the action being applied changes what is on screen. Handlers clear it when
    /// theirs does not (a stale reply, a tail batch off screen); it decides only whether this
    /// action asks for a redraw, never whether an earlier one's is still wanted.
    action_shows: bool,
    quit: bool,
}

/// A redraw asked for and not yet drawn. Asked for by any action that changes the screen and
/// cleared only by the draw: nothing else can take it back, so a key press is drawn even when
/// a reply that changes nothing lands before the frame.
#[derive(Debug, Clone, Default)]
struct Redraw(bool);

impl Redraw {
    fn ask(&mut self) {
        self.0 = true;
    }

    fn take(&mut self) -> bool {
        std::mem::take(&mut self.0)
    }
}

impl App {
    pub fn new(config: AppConfig) -> Self {
        let theme = config
            .themes
            .get(&config.theme)
            .or_else(|| config.themes.get("dark"))
            .cloned()
            .or_else(|| Theme::builtin("dark", false))
            .expect("the dark theme is built in");
        let notice =
            (!config.warnings.is_empty()).then(|| Notice::Error(config.warnings.join("; ")));
        Self {
            keymap: config.keymap,
            themes: config.themes,
            theme,
            identity: config.identity,
            connection: ConnectionState::Connecting,
            home_namespace: config.namespace.clone(),
            namespace: config.namespace,
            namespaces: Vec::new(),
            namespaces_list: ListState::default(),
            hubs: Vec::new(),
            hubs_list: ListState::default(),
            partitions: PartitionsState::default(),
            groups: ConsumerGroupsState::default(),
            tail: None,
            detail: DetailState::default(),
            decoding: Decoding::default(),
            schemas: SchemasState::default(),
            input: None,
            help_open: false,
            help_scroll: 0,
            action_menu: None,
            incident: None,
            audit: Arc::default(),
            board: Arc::default(),
            dead_letters: DeadLettersState::default(),
            capture: CaptureState::default(),
            search: SearchState::default(),
            gated: None,
            read_only: false,
            context_name: None,
            teams: Teams::default(),
            own_team_only: false,
            zoomed: false,
            pending_keys: Vec::new(),
            notice,
            pane_lists: BTreeMap::new(),
            stack: vec![View::OVERVIEW],
            layout: None,
            latest: Latest::default(),
            next_request: 0,
            tail_capacity: config.tail_capacity,
            rows: 24,
            columns: 80,
            redraw: Redraw(true),
            action_shows: true,
            quit: false,
        }
    }

    pub fn view(&self) -> View {
        *self.stack.last().expect("the view stack is never empty")
    }

    pub fn stack(&self) -> &[View] {
        &self.stack
    }

    /// Where keys are interpreted now: an overlay, or the current view.
    pub fn context(&self) -> Context {
        if self.input.is_some() {
            Context::CommandLine
        } else if let Some(dialog) = &self.incident {
            dialog.key_context()
        } else if self.help_open {
            Context::Help
        } else {
            self.view().context()
        }
    }

    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// Whether something changed since the last [`App::take_dirty`].
    pub fn is_dirty(&self) -> bool {
        self.redraw.0
    }

    /// Returns and clears the dirty flag; call right before drawing.
    pub fn take_dirty(&mut self) -> bool {
        self.redraw.take()
    }

    /// Whether the screen shows relative times, so the slow tick is worth having.
    pub fn needs_tick(&self) -> bool {
        self.view().pane().shows_clock()
    }

    /// The lists of a pane that keeps no other state in the app.
    pub fn pane_lists(&mut self, view: View) -> &mut PaneLists {
        self.pane_lists.entry(view).or_default()
    }

    /// The same, to draw: `None` before the pane was first used.
    pub fn pane_lists_of(&self, view: View) -> Option<&PaneLists> {
        self.pane_lists.get(&view)
    }

    /// Whether the pane in front shows beside the overview's hubs (a wide terminal, not
    /// zoomed, a pane that is not a list of hubs itself), so a lag round changes the screen.
    pub fn shows_hub_rail(&self) -> bool {
        self.view().pane().beside_hubs()
            && !self.zoomed
            && self.columns >= crate::tui::views::layout::THREE_COLUMNS
    }

    /// Rows a page move covers: the terminal minus chrome.
    fn page(&self) -> usize {
        usize::from(self.rows.saturating_sub(8)).max(1)
    }

    /// The hubs passing the filter, in display order.
    pub fn visible_hubs(&self) -> Vec<&Hub> {
        self.hubs
            .iter()
            .filter(|h| !self.own_team_only || h.is_owned_by(self.identity.team.as_deref()))
            .filter(|h| {
                self.hubs_list
                    .matches([h.name.as_str(), h.team.as_deref().unwrap_or_default()])
            })
            .collect()
    }

    pub fn selected_hub(&self) -> Option<&Hub> {
        self.visible_hubs().get(self.hubs_list.selected).copied()
    }

    fn issue(&mut self) -> RequestId {
        self.next_request += 1;
        RequestId(self.next_request)
    }

    pub fn update(&mut self, action: Action) -> Vec<Request> {
        // Actions nest (a key runs its action, `:hubs` runs `show_hubs`): each decides for
        // itself whether it shows, and the outer one's answer is restored after.
        let outer = std::mem::replace(&mut self.action_shows, true);
        let chosen = self.view().pane().chosen_namespace(self);
        let switch = self.follow_namespace(chosen);
        let requests = self.apply(action);
        let requests = switch.into_iter().chain(requests).collect();
        if self.action_shows {
            self.redraw.ask();
        }
        self.action_shows = outer;
        requests
    }

    fn apply(&mut self, action: Action) -> Vec<Request> {
        // Any user action acknowledges an informational notice; errors stay until replaced.
        if !matches!(action, Action::Tick) && matches!(self.notice, Some(Notice::Info(_))) {
            self.notice = None;
        }
        let action = match action {
            Action::Reply(reply) => return self.receive(reply),
            other => other,
        };
        if let Some(requests) = self.route_dialog_key(&action) {
            return requests;
        }
        if self.action_menu.is_some() && Action::BINDABLE.contains(&action) {
            return self.action_menu_key(action);
        }
        match action {
            Action::ActionMenu => self.open_action_menu(),
            Action::Quit => {
                self.quit = true;
                self.stop_tail().into_iter().collect()
            }
            Action::Tick => {
                // Only relative times change with the clock.
                self.action_shows = self.needs_tick();
                Vec::new()
            }
            Action::Resize(columns, rows) => {
                self.columns = columns;
                self.rows = rows;
                Vec::new()
            }
            Action::Help => {
                self.help_open = !self.help_open;
                self.help_scroll = 0;
                Vec::new()
            }
            Action::NextTheme => {
                if let Some(next) = self.themes.next_after(&self.theme.name) {
                    self.theme = next.clone();
                }
                self.notice = Some(Notice::Info(format!("theme {}", self.theme.name)));
                Vec::new()
            }
            Action::CommandLine | Action::Filter | Action::Submit | Action::DeleteChar => {
                self.edit_input(&action)
            }
            Action::InsertChar(c) => self.insert_char(c),
            Action::EditInput(key) => self.edit_input_key(key),
            Action::Click { column, row } => self.click(column, row),
            other => self.navigate(other),
        }
    }
}

#[cfg(test)]
mod action_menu_tests;
#[cfg(test)]
mod capture_tests;
#[cfg(test)]
mod dead_letters_tests;
#[cfg(test)]
mod incidents_tests;
#[cfg(test)]
mod namespaces_tests;
#[cfg(test)]
mod replay_tests;
#[cfg(test)]
mod search_tests;
#[cfg(test)]
mod tests;
