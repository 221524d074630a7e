//! Namespaces and hubs: who owns what, how busy it is. The signed-in team's hubs come first
//! and stand out.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, TableState};

use super::pane::{Pane, View};
use super::{format, header_style, list_area, pane_block};
use crate::model::{Hub, TeamCard};
use crate::protocol::Request;
use crate::tui::app::{App, ListArea, ListPane};
use crate::tui::state::ListState;
use crate::tui::theme::Slot;

impl View {
    pub const HUBS: View = View::named("hubs");
}

/// The hubs of the namespace, with the selected hub's owner card.
pub struct HubsPane;

impl Pane for HubsPane {
    fn beside_hubs(&self) -> bool {
        false
    }

    fn view(&self) -> View {
        View::HUBS
    }

    fn len(&self, app: &App) -> usize {
        app.visible_hubs().len()
    }

    fn list<'a>(&self, app: &'a mut App) -> Option<&'a mut ListState> {
        Some(&mut app.hubs_list)
    }

    fn open(&self, app: &mut App) -> Vec<Request> {
        app.show_partitions()
    }

    fn refresh(&self, app: &mut App) -> Vec<Request> {
        app.request_hubs()
    }

    fn render(
        &self,
        frame: &mut Frame<'_>,
        area: Rect,
        app: &App,
        _now: time::OffsetDateTime,
    ) -> Vec<ListArea> {
        vec![render_hubs(frame, area, app)]
    }
}

/// The cells of one hub row: name (as `label`), team, partitions, consumer groups, ingress.
pub fn hub_cells(hub: &Hub, label: String) -> [String; 5] {
    [
        label,
        hub.team.clone().unwrap_or_else(|| "(untagged)".to_owned()),
        hub.partition_count.to_string(),
        hub.consumer_groups.len().to_string(),
        format::rate(hub.ingress_per_sec),
    ]
}

fn hub_row<'a>(hub: &Hub, app: &App) -> Row<'a> {
    let theme = &app.theme;
    let style = if hub.is_owned_by(app.identity.team.as_deref()) {
        theme.get(Slot::OwnTeam)
    } else {
        theme.get(Slot::Text)
    };
    Row::new(hub_cells(hub, app.hub_label(hub)).map(Cell::from)).style(style)
}

fn render_hubs(frame: &mut Frame<'_>, area: Rect, app: &App) -> ListArea {
    let theme = &app.theme;
    let hubs = app.visible_hubs();
    let title = titled("hubs", hubs.len(), app.hubs.len(), &app.hubs_list);
    let rows = hubs.iter().map(|h| hub_row(h, app));
    let table = Table::new(
        rows,
        [
            Constraint::Fill(3),
            Constraint::Fill(2),
            Constraint::Length(10),
            Constraint::Length(9),
            Constraint::Length(10),
        ],
    )
    .header(Row::new(["HUB", "TEAM", "PARTITIONS", "GROUPS", "INGRESS"]).style(header_style(theme)))
    .row_highlight_style(theme.selected(true))
    .block(pane_block(app, &title, true));
    let card = app
        .selected_hub()
        .and_then(|h| h.team.as_deref())
        .and_then(|team| app.teams.get(team));
    let area = match card {
        Some(card) if area.height >= OWNER_CARD_MIN_HEIGHT => {
            let [table_area, card_area] =
                Layout::vertical([Constraint::Min(3), Constraint::Length(3)]).areas(area);
            render_owner_card(frame, card_area, app, card);
            table_area
        }
        _ => area,
    };
    let mut state = TableState::default().with_selected(Some(app.hubs_list.selected));
    frame.render_stateful_widget(table, area, &mut state);
    list_area(ListPane::Hubs, area, 1, state.offset())
}

/// Below this the hub table needs every row it has.
pub(super) const OWNER_CARD_MIN_HEIGHT: u16 = 12;

/// Who owns the selected hub and how to reach them.
pub(super) fn render_owner_card(frame: &mut Frame<'_>, area: Rect, app: &App, card: &TeamCard) {
    let theme = &app.theme;
    let block = Block::bordered()
        .border_style(theme.border(false))
        .title(Span::styled(" owner ", theme.title(false)));
    let line = Line::styled(card.summary(), theme.get(Slot::Text));
    frame.render_widget(Paragraph::new(line).block(block), area);
}

/// `hubs (3/7, filter "sal")`.
pub fn titled(name: &str, shown: usize, total: usize, list: &ListState) -> String {
    if list.filter.is_empty() {
        format!("{name} ({total})")
    } else {
        format!("{name} ({shown}/{total}, filter \"{}\")", list.filter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::sample;

    #[test]
    fn hub_row_cells() {
        let hub = &sample::hubs()[0];
        assert_eq!(
            hub_cells(hub, hub.name.clone()),
            ["sale", "conversions", "4", "2", "12.5/s"]
        );
    }

    #[test]
    fn the_selected_hub_shows_its_owner_card() {
        use ratatui::Terminal;
        use ratatui::backend::TestBackend;

        let mut app = sample::app_with_hubs();
        let teams = "[[team]]\nname = \"customer\"\nchannel = \"#team-customer\"\nbacklog = \"CUST\"\non_call = \"Priya Natarajan\"\n";
        app.teams = crate::model::Teams::parse(teams, "test").expect("teams parse");
        for (w, h) in [(120, 40), (80, 24)] {
            let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("backend");
            terminal
                .draw(|frame| {
                    crate::tui::views::render(frame, &app, sample::now());
                })
                .expect("draw");
            let screen = terminal.backend().to_string();
            insta::assert_snapshot!(format!("owner_card_{w}x{h}"), screen);
        }
    }

    #[test]
    fn title_mentions_filter() {
        let list = ListState {
            selected: 0,
            filter: "sal".into(),
        };
        assert_eq!(titled("hubs", 2, 7, &list), "hubs (2/7, filter \"sal\")");
    }
}
