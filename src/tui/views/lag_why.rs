//! Why a partition needs attention, under the overview's lag table: since when its
//! checkpoint stands still, how long the next event has waited, where that leads, and the
//! keys (from the keymap) that reach the incident actions that would unstick it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::pane::View;
use super::{format, pane_block};
use crate::model::PartitionLag;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::keymap::Context;
use crate::tui::theme::Slot;

pub fn render(frame: &mut Frame<'_>, area: Rect, app: &App, p: &PartitionLag) {
    let title = format!("why partition {} is {}", p.partition, p.status.label());
    let block = pane_block(app, &title, false);
    let text = Paragraph::new(why_lines(app, p))
        .wrap(Wrap { trim: true })
        .block(block);
    frame.render_widget(text, area);
}

/// Since when the checkpoint stands still, what waits behind it, and the key to act.
fn why_lines<'a>(app: &App, p: &PartitionLag) -> Vec<Line<'a>> {
    let theme = &app.theme;
    let checkpoint = match (p.checkpoint_sequence, p.checkpoint_age) {
        (Some(seq), Some(age)) => format!(
            "checkpoint at seq {seq} has not moved for {}; the next event (seq {}) has waited {}",
            format::short_duration(age),
            seq + 1,
            format::maybe_duration(p.time_behind)
        ),
        _ => "no checkpoint: the group has never recorded progress here".to_owned(),
    };
    let key = |action: &Action| {
        app.keymap
            .key_for(Context::Pane(View::OVERVIEW.name()), action)
            .map_or_else(|| "?".to_owned(), |b| b.keys_label())
    };
    let act = format!(
        "{}: {} on this partition, then {} for dead-letter or checkpoint-on-error",
        p.forecast.sentence(),
        key(&Action::Open),
        key(&Action::ActionMenu),
    );
    vec![
        Line::styled(checkpoint, theme.get(Slot::Text)),
        Line::styled(act, theme.get(Slot::Muted)),
    ]
}
