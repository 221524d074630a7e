//! `:team NAME`: sign in as another team and start again from its hubs, so every team's view
//! of the demo can be seen (and what each may do, through the action menu).

use super::{App, Notice, View};
use crate::model::Identity;
use crate::protocol::{Request, RequestId};

impl App {
    pub(super) fn switch_team(&mut self, team: String) -> Vec<Request> {
        let request = self.issue();
        self.latest.team = Some(request);
        self.action_menu = None;
        vec![Request::SwitchTeam { request, team }]
    }

    pub(super) fn team_switched(
        &mut self,
        request: RequestId,
        team: &str,
        principal: &str,
    ) -> Vec<Request> {
        if self.latest.team != Some(request) {
            return Vec::new();
        }
        self.identity = Identity {
            name: principal.to_owned(),
            team: Some(team.to_owned()),
        };
        // The backend stopped whatever ran as the previous identity.
        self.tail = None;
        self.forget_incidents();
        self.stack = vec![View::OVERVIEW];
        self.board = std::sync::Arc::default();
        self.pane_lists.clear();
        self.hubs_list = crate::tui::state::ListState::default();
        self.notice = Some(Notice::Info(format!(
            "signed in as team {team} ({principal})"
        )));
        // The backend reads the home namespace again, and lists what the team sees.
        self.namespace = self.home_namespace.clone();
        let home = self.home_namespace.clone();
        self.hubs.retain(|h| h.namespace == home);
        self.start()
    }
}

#[cfg(test)]
mod tests {
    use crate::protocol::{ReadRequest, Reply, Request};
    use crate::tui::action::Action;
    use crate::tui::app::{ConsoleCommand, parse_command_line};
    use crate::tui::sample;

    #[test]
    fn team_switch_asks_the_backend_then_lists_the_new_teams_hubs() {
        assert_eq!(
            parse_command_line("team conversions"),
            Ok(ConsoleCommand::Team("conversions".into()))
        );
        let mut app = sample::app_with_hubs();
        let commands = app.switch_team("conversions".into());
        let [Request::SwitchTeam { request, team }] = commands.as_slice() else {
            panic!("{commands:?}");
        };
        assert_eq!(team, "conversions");
        let next = app.update(Action::Reply(Reply::TeamSwitched {
            request: *request,
            team: team.clone(),
            principal: "team-conversions".into(),
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
        assert_eq!(app.identity.team.as_deref(), Some("conversions"));
        // A failure to switch reaches the status bar.
        let again = app.switch_team("marketing".into());
        let [Request::SwitchTeam { request, .. }] = again.as_slice() else {
            panic!("{again:?}");
        };
        app.update(Action::Reply(Reply::RequestFailed {
            request: *request,
            message: "no team \"marketing\"".into(),
        }));
        assert!(matches!(
            app.notice,
            Some(crate::tui::app::Notice::Error(_))
        ));
    }
}

#[cfg(test)]
mod hiding_tests {
    use crate::tui::sample;

    #[test]
    fn own_team_only_hides_other_teams_hubs() {
        let mut app = sample::app_with_hubs();
        assert!(app.visible_hubs().iter().any(|h| h.name == "sale"));
        app.own_team_only = true;
        let names: Vec<&str> = app.visible_hubs().iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["account", "contact"]);
    }
}
