//! `:ctx NAME`: connect to another named context of the user's config file (production,
//! staging, the demo as some team) without leaving the console. The backend connects; the app
//! takes on the context's identity, namespace, theme and read-only flag, and starts again from
//! the hubs, since nothing on screen belongs to the new connection.

use super::{App, Notice, View};
use crate::model::SwitchedContext;
use crate::protocol::{Request, RequestId};

impl App {
    pub(super) fn switch_context(&mut self, name: String) -> Vec<Request> {
        let request = self.issue();
        self.latest.context = Some(request);
        self.action_menu = None;
        self.notice = Some(Notice::Info(format!("connecting to context {name}…")));
        vec![Request::SwitchContext { request, name }]
    }

    pub(super) fn context_switched(
        &mut self,
        request: RequestId,
        switched: &SwitchedContext,
    ) -> Vec<Request> {
        if self.latest.context != Some(request) {
            return Vec::new();
        }
        self.identity = switched.identity.clone();
        self.namespace = switched.namespace.clone();
        self.home_namespace = switched.namespace.clone();
        self.namespaces.clear();
        self.read_only = switched.read_only;
        self.context_name = Some(switched.name.clone());
        self.own_team_only = switched.own_team_only;
        let mut notice = format!("context {}: {}", switched.name, switched.identity.name);
        if switched.read_only {
            notice.push_str(" (read-only)");
        }
        if let Some(name) = &switched.theme {
            match self.themes.get(name) {
                Some(theme) => self.theme = theme.clone(),
                None => notice.push_str(&format!("; no theme `{name}`, kept the current one")),
            }
        }
        // The backend stopped whatever ran on the previous connection.
        self.tail = None;
        self.forget_incidents();
        self.stack = vec![View::OVERVIEW];
        self.board = std::sync::Arc::default();
        self.pane_lists.clear();
        self.hubs = Vec::new();
        self.hubs_list = crate::tui::state::ListState::default();
        self.notice = Some(Notice::Info(notice));
        self.start()
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{Identity, SwitchedContext};
    use crate::protocol::{ReadRequest, Reply, Request};
    use crate::tui::action::Action;
    use crate::tui::app::{ConsoleCommand, parse_command_line};
    use crate::tui::sample;

    fn switched(name: &str) -> SwitchedContext {
        SwitchedContext {
            name: name.to_owned(),
            identity: Identity {
                name: "Entra ID sign-in".to_owned(),
                team: None,
            },
            namespace: "contoso-prod".to_owned(),
            read_only: true,
            theme: Some("high-contrast".to_owned()),
            own_team_only: false,
        }
    }

    #[test]
    fn ctx_connects_then_shows_the_new_namespace_read_only_in_its_theme() {
        assert_eq!(
            parse_command_line("ctx prod"),
            Ok(ConsoleCommand::Context("prod".into()))
        );
        assert!(parse_command_line("ctx").is_err());

        let mut app = sample::app_with_hubs();
        let commands = app.switch_context("prod".into());
        let [Request::SwitchContext { request, name }] = commands.as_slice() else {
            panic!("expected a context switch, got {commands:?}");
        };
        assert_eq!(name, "prod");
        let next = app.update(Action::Reply(Reply::ContextSwitched {
            request: *request,
            switched: switched("prod"),
        }));
        assert!(
            matches!(
                next.as_slice(),
                [
                    Request::Read(ReadRequest::ListHubs { .. }),
                    Request::Read(ReadRequest::ListNamespaces { .. })
                ]
            ),
            "{next:?}"
        );
        assert_eq!(app.namespace, "contoso-prod");
        assert!(app.read_only);
        assert_eq!(app.context_name.as_deref(), Some("prod"));
        assert_eq!(app.theme.name, "high-contrast");
        assert!(app.hubs.is_empty(), "the old connection's hubs are gone");
    }

    #[test]
    fn an_answer_to_an_older_switch_is_ignored() {
        let mut app = sample::app_with_hubs();
        let first = app.switch_context("staging".into());
        let _second = app.switch_context("prod".into());
        let [Request::SwitchContext { request, .. }] = first.as_slice() else {
            panic!("expected a context switch");
        };
        let namespace = app.namespace.clone();
        app.update(Action::Reply(Reply::ContextSwitched {
            request: *request,
            switched: switched("staging"),
        }));
        assert_eq!(app.namespace, namespace);
        assert!(!app.read_only);
    }
}
