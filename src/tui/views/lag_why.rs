//! Why a partition needs attention, under the overview's lag table: since when its
//! checkpoint stands still, how long the next event has waited, where that leads, and the
//! keys (from the keymap) that reach the incident actions that would unstick it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::pane::View;
use super::{format, pane_block};
use crate::model::{GroupBoard, NextEventVerdict, PartitionLag, dead_letter_hub_for};
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::keymap::Context;
use crate::tui::theme::Slot;

pub fn render(frame: &mut Frame<'_>, area: Rect, app: &App, group: &GroupBoard, p: &PartitionLag) {
    let title = format!("why partition {} is {}", p.partition, p.status.label());
    let block = pane_block(app, &title, false);
    let text = Paragraph::new(why_lines(app, group.next_events.get(&p.partition), p))
        .wrap(Wrap { trim: true })
        .block(block);
    frame.render_widget(text, area);
}

/// The rows the box needs at `width` (its lines wrapped, and its borders), so that the
/// verdict and the key to act are never cut.
pub fn height(app: &App, group: &GroupBoard, p: &PartitionLag, width: u16) -> u16 {
    let inner = usize::from(width.saturating_sub(2)).max(1);
    let lines = why_lines(app, group.next_events.get(&p.partition), p);
    let rows: usize = lines.iter().map(|l| l.width().div_ceil(inner)).sum();
    // Wrapping breaks at words, so the wrapped lines may take a row more than widths say.
    let slack = usize::from(lines.iter().any(|l| l.width() > inner));
    u16::try_from(rows + slack + 2).unwrap_or(u16::MAX)
}

/// Since when the checkpoint stands still, what waits behind it (the next event's verdict,
/// once the backend has read it), and the key to act.
fn why_lines<'a>(app: &App, next: Option<&NextEventVerdict>, p: &PartitionLag) -> Vec<Line<'a>> {
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
    // The menu checks the identity's rights before it offers an item.
    // The dead-letter hub of the selected hub's namespace: a send never crosses namespaces.
    let namespace =
        (app.view().pane().chosen_namespace(app)).unwrap_or_else(|| app.namespace.clone());
    let hubs = app.hubs_in(&namespace);
    let dead_letter_to = app
        .identity
        .team
        .as_deref()
        .and_then(|team| dead_letter_hub_for(&hubs, team))
        .map_or_else(String::new, |h| format!(" to {}", h.name));
    let act = format!(
        "{}. {}: dead-letter it{dead_letter_to} or checkpoint-on-error",
        p.forecast.sentence(),
        key(&Action::ActionMenu),
    );
    let mut lines = vec![Line::styled(checkpoint, theme.get(Slot::Text))];
    if let Some(next) = next {
        let slot = if next.is_poison() {
            Slot::StatusWarn
        } else {
            Slot::Text
        };
        lines.push(Line::styled(next.sentence(), theme.get(slot)));
    }
    lines.push(Line::styled(act, theme.get(Slot::Muted)));
    lines
}
