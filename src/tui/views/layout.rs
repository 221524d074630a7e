//! How a screen of several panes adapts to the terminal: three columns from about 160
//! columns, two from 100, stacked below that (80x24 included).

use ratatui::layout::{Constraint, Layout, Rect};

/// From this width the three columns stand side by side.
pub const THREE_COLUMNS: u16 = 160;
/// From this width a side column stands beside the rest.
pub const TWO_COLUMNS: u16 = 100;

/// The parts of a dashboard: a side list (navigation), a short list on top of the rest, an
/// extra part shown only when three columns fit, and the main part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dashboard {
    pub side: Rect,
    pub top: Rect,
    pub extra: Option<Rect>,
    pub main: Rect,
}

/// Splits `area`: the side as wide as `side_width` (its content) within bounds, the top list
/// as tall as its `top_rows` plus borders and header, up to half the height.
pub fn dashboard(area: Rect, side_width: u16, top_rows: usize) -> Dashboard {
    let top_height = u16::try_from(top_rows + 3).unwrap_or(u16::MAX);
    if area.width >= THREE_COLUMNS {
        let [side, middle, main] = Layout::horizontal([
            Constraint::Length(side_width.min(area.width / 3)),
            Constraint::Fill(1),
            Constraint::Fill(1),
        ])
        .areas(area);
        let [top, extra] = Layout::vertical([
            Constraint::Length(top_height.min(middle.height / 2)),
            Constraint::Fill(1),
        ])
        .areas(middle);
        return Dashboard {
            side,
            top,
            extra: Some(extra),
            main,
        };
    }
    let [side, rest] = if area.width >= TWO_COLUMNS {
        Layout::horizontal([
            Constraint::Length(side_width.min(area.width * 2 / 5)),
            Constraint::Fill(1),
        ])
        .areas(area)
    } else {
        Layout::vertical([Constraint::Length(area.height / 3), Constraint::Fill(1)]).areas(area)
    };
    let [top, main] = Layout::vertical([
        Constraint::Length(top_height.min(rest.height / 2)),
        Constraint::Fill(1),
    ])
    .areas(rest);
    Dashboard {
        side,
        top,
        extra: None,
        main,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_columns_when_wide_stacked_when_narrow() {
        let wide = dashboard(Rect::new(0, 0, 200, 60), 50, 4);
        assert_eq!(wide.side.width, 50);
        assert!(wide.extra.is_some());
        assert_eq!(wide.top.height, 7);
        assert!(wide.main.x > wide.top.x);

        let medium = dashboard(Rect::new(0, 0, 120, 40), 50, 4);
        assert_eq!(medium.side.width, 48, "two fifths at most");
        assert!(medium.extra.is_none());
        assert_eq!(medium.top.x, medium.main.x, "top over main");

        let narrow = dashboard(Rect::new(0, 0, 80, 22), 50, 4);
        assert_eq!(narrow.side.width, 80, "stacked");
        assert_eq!(narrow.side.height, 7);
        assert!(narrow.top.y > narrow.side.y);
    }
}
