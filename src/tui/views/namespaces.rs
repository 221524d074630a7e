//! The namespaces the identity can reach; `Enter` lists one's hubs.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::Row;

use super::pane::{Pane, View};
use super::table::{TableSpec, draw_table};
use crate::protocol::Request;
use crate::tui::app::{App, ListArea, ListPane};
use crate::tui::state::ListState;
use crate::tui::theme::Slot;

impl View {
    pub const NAMESPACES: View = View::named("namespaces");
}

pub struct NamespacesPane;

impl Pane for NamespacesPane {
    fn beside_hubs(&self) -> bool {
        false
    }

    fn view(&self) -> View {
        View::NAMESPACES
    }

    fn len(&self, app: &App) -> usize {
        app.namespaces.len()
    }

    fn list<'a>(&self, app: &'a mut App) -> Option<&'a mut ListState> {
        Some(&mut app.namespaces_list)
    }

    fn open(&self, app: &mut App) -> Vec<Request> {
        app.open_namespace()
    }

    fn refresh(&self, app: &mut App) -> Vec<Request> {
        app.show_namespaces()
    }

    fn render(
        &self,
        frame: &mut Frame<'_>,
        area: Rect,
        app: &App,
        _now: time::OffsetDateTime,
    ) -> Vec<ListArea> {
        vec![render_namespaces(frame, area, app)]
    }
}

fn render_namespaces(frame: &mut Frame<'_>, area: Rect, app: &App) -> ListArea {
    let theme = &app.theme;
    let rows = app
        .namespaces
        .iter()
        .map(|ns| Row::new([ns.name.clone(), ns.host.clone()]).style(theme.get(Slot::Text)));
    let spec = TableSpec {
        title: "namespaces",
        list: ListPane::Namespaces,
        header: &["NAMESPACE", "HOST"],
        widths: &[Constraint::Fill(1), Constraint::Fill(2)],
        selected: app.namespaces_list.selected,
        focused: true,
    };
    draw_table(frame, area, app, &spec, rows.collect())
}
