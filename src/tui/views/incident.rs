//! The incident dialog: a popup that shows the form, the dry run (what would change, and
//! the warnings), the confirmation, the progress and the result of a reset, dead-letter or
//! redrive. Event text shown here comes from producers: it is sanitised.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::sanitize::sanitize;
use crate::ops::dead_letter::{DeadLetterPlan, Mode};
use crate::ops::replay::SendPlan;
use crate::ops::reset::ResetPlan;
use crate::tui::action::Action;
use crate::tui::keymap::{Binding, Context, Keymap};
use crate::tui::state::{DeadLetterFocus, IncidentDialog, ResetField, ResetForm, Stage, TextField};
use crate::tui::theme::{Slot, Theme};

const DIALOG_WIDTH: u16 = 96;

/// Events of a redrive listed in the dry run; the rest are counted.
const REDRIVE_LISTED: usize = 12;

pub fn render(
    frame: &mut Frame<'_>,
    area: Rect,
    dialog: &IncidentDialog,
    keymap: &Keymap,
    theme: &Theme,
) {
    let mut lines = dialog_lines(dialog, theme);
    let hint = key_hint(keymap, dialog.key_context(), &stage_keys(dialog));
    if !hint.is_empty() {
        lines.push(muted(&hint, theme));
    }
    // As tall as its text once wrapped (plus borders), never taller than the pane.
    let inner_width = usize::from(area.width.min(DIALOG_WIDTH).saturating_sub(2)).max(1);
    let rows: usize = lines
        .iter()
        .map(|l| l.width().div_ceil(inner_width).max(1))
        .sum();
    // Word wrapping can take a row more than the width alone says: two rows of slack.
    let height = u16::try_from(rows + 4).unwrap_or(u16::MAX);
    let popup = area.centered(Constraint::Max(DIALOG_WIDTH), Constraint::Max(height));
    let body = Paragraph::new(lines).wrap(Wrap { trim: false });
    super::overlay(frame, popup, &dialog.title(), body, theme);
}

/// The dialog's text for its current stage.
pub fn dialog_lines<'a>(dialog: &IncidentDialog, theme: &Theme) -> Vec<Line<'a>> {
    match &dialog.stage {
        Stage::ResetForm(form) => reset_form(form, theme),
        Stage::Planning => vec![muted("dry run: reading checkpoints and events…", theme)],
        Stage::ResetDryRun { plan, typed, error } => {
            reset_dry_run(plan, typed, error.as_deref(), theme)
        }
        Stage::DeadLetterDryRun {
            plan,
            reason,
            decode_error,
            focus,
            ..
        } => dead_letter_dry_run(
            plan,
            reason,
            decode_error.as_deref(),
            *focus,
            dialog.consumer_group.is_some(),
            theme,
        ),
        Stage::RedriveDryRun { plan } => redrive_dry_run(plan, theme),
        Stage::ReplayForm(form) => super::replay::replay_form(form, theme),
        Stage::ReplayPlanning { .. } => vec![muted("dry run: reading the range…", theme)],
        Stage::ReplayDryRun { plan, rate } => {
            super::replay::replay_dry_run(plan, &dialog.hub, *rate, theme)
        }
        Stage::Running { progress } => {
            let text = match progress {
                Some(p) => format!(
                    "sending… {} of {} {}",
                    p.sent,
                    p.total,
                    bar(p.sent, p.total)
                ),
                None => "working…".to_owned(),
            };
            vec![Line::styled(text, theme.get(Slot::StatusWarn))]
        }
        Stage::Finished { lines } => {
            let mut out = vec![Line::styled("done", theme.get(Slot::StatusOk))];
            out.extend(lines.iter().map(|l| Line::raw(sanitize(l, false))));
            out.push(Line::raw(""));
            out
        }
        Stage::Failed { message } => vec![
            Line::styled(
                "failed: nothing more was done",
                theme.get(Slot::StatusError),
            ),
            Line::raw(sanitize(message, false)),
            Line::raw(""),
        ],
    }
}

const CONFIRM: &[Action] = &[Action::Confirm, Action::Submit];
const SUBMIT: &[Action] = &[Action::Submit];
const CANCEL: &[Action] = &[Action::Back];
const CLOSE: &[Action] = &[Action::Confirm, Action::Submit, Action::Back];
const NEXT: &[Action] = &[Action::FocusNext];
const NEXT_FIELD: &[Action] = &[Action::FocusNext, Action::SelectUp, Action::SelectDown];
const UP_DOWN: &[Action] = &[Action::SelectUp, Action::SelectDown];

/// What the keys do at the dialog's stage, in the dialog's words.
fn stage_keys(dialog: &IncidentDialog) -> Vec<(&'static [Action], &'static str)> {
    match &dialog.stage {
        Stage::ResetForm(_) => vec![
            (SUBMIT, "dry run"),
            (NEXT, "next field"),
            (UP_DOWN, "partitions"),
            (CANCEL, "cancel"),
        ],
        Stage::ResetDryRun { .. } => vec![(SUBMIT, "reset"), (CANCEL, "cancel")],
        Stage::DeadLetterDryRun { .. } => vec![
            (NEXT, "reason and buttons"),
            (CONFIRM, "run the focused button"),
            (CANCEL, "cancel"),
        ],
        Stage::RedriveDryRun { .. } => vec![(CONFIRM, "redrive"), (CANCEL, "cancel")],
        Stage::ReplayForm(_) => vec![
            (SUBMIT, "dry run"),
            (NEXT_FIELD, "next field"),
            (CANCEL, "cancel"),
        ],
        Stage::ReplayDryRun { plan, .. } if plan.events.is_empty() => {
            vec![(CONFIRM, "close"), (CANCEL, "cancel")]
        }
        Stage::ReplayDryRun { .. } => vec![(CONFIRM, "replay"), (CANCEL, "cancel")],
        Stage::Finished { .. } | Stage::Failed { .. } => vec![(CLOSE, "close")],
        Stage::Planning | Stage::ReplayPlanning { .. } | Stage::Running { .. } => Vec::new(),
    }
}

/// `y or <Enter>: redrive   <Esc>: cancel`: the words are the dialog's, the keys whatever the
/// keymap binds in `context` (a part with no key bound is left out), so the hint cannot
/// drift from the bindings.
pub fn key_hint(keymap: &Keymap, context: Context, parts: &[(&[Action], &str)]) -> String {
    let bindings = keymap.bindings(context);
    parts
        .iter()
        .filter_map(|(actions, what)| {
            let keys: Vec<String> = actions
                .iter()
                .flat_map(|action| bindings.iter().filter(move |b| &b.action == action))
                .map(Binding::keys_label)
                .collect();
            (!keys.is_empty()).then(|| format!("{}: {what}", keys.join(" or ")))
        })
        .collect::<Vec<_>>()
        .join("   ")
}

pub(super) fn muted<'a>(text: &str, theme: &Theme) -> Line<'a> {
    Line::styled(text.to_owned(), theme.get(Slot::Muted))
}

pub(super) fn heading<'a>(text: &str, theme: &Theme) -> Line<'a> {
    Line::styled(text.to_owned(), theme.get(Slot::DetailSection))
}

pub(super) fn field<'a>(key: &str, value: String, theme: &Theme) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{key:<17}"), theme.get(Slot::DetailKey)),
        Span::styled(sanitize(&value, false), theme.get(Slot::DetailValue)),
    ])
}

/// A text field: `> text_` when focused, the cursor drawn where it is.
pub(super) fn input<'a>(label: &str, field: &TextField, focused: bool, theme: &Theme) -> Line<'a> {
    let label = Span::styled(format!("{label:<17}"), theme.get(Slot::DetailKey));
    if !focused {
        let text = format!("> {}", sanitize(field.text(), false));
        return Line::from(vec![label, Span::styled(text, theme.get(Slot::Text))]);
    }
    let style = theme.get(Slot::Input);
    let (before, after) = field.split_at_cursor();
    let mut rest = after.chars();
    // At the end, an underscore; on a character, that character reversed.
    let cursor = rest.next().map_or_else(|| "_".to_owned(), String::from);
    vec![
        label,
        Span::styled(format!("> {}", sanitize(before, false)), style),
        Span::styled(
            sanitize(&cursor, false),
            if after.is_empty() {
                style
            } else {
                style.add_modifier(Modifier::REVERSED)
            },
        ),
        Span::styled(sanitize(rest.as_str(), false), style),
    ]
    .into()
}

fn button<'a>(label: &str, focused: bool, theme: &Theme) -> Span<'a> {
    let style: Style = if focused {
        theme.get(Slot::Selected)
    } else {
        theme.get(Slot::Text)
    };
    Span::styled(format!("[ {label} ]"), style)
}

pub(super) fn error_line<'a>(error: Option<&str>, theme: &Theme) -> Option<Line<'a>> {
    error.map(|e| Line::styled(sanitize(e, false), theme.get(Slot::StatusError)))
}

fn bar(done: usize, total: usize) -> String {
    const WIDTH: usize = 20;
    let filled = (done * WIDTH).checked_div(total).unwrap_or(WIDTH);
    format!("[{}{}]", "#".repeat(filled), ".".repeat(WIDTH - filled))
}

fn reset_form<'a>(form: &ResetForm, theme: &Theme) -> Vec<Line<'a>> {
    let radio = |on: bool| if on { "(•)" } else { "( )" };
    let scope_style = if form.field == ResetField::Scope {
        theme.get(Slot::Input)
    } else {
        theme.get(Slot::Text)
    };
    let selected = match &form.selected_partition {
        Some(p) => format!("{} partition {p}", radio(!form.all)),
        None => "( ) no partition selected".to_owned(),
    };
    let mut lines = vec![
        heading("Where should the group resume?", theme),
        Line::from(vec![
            Span::styled(format!("{:<17}", "partitions"), theme.get(Slot::DetailKey)),
            Span::styled(
                format!("{selected}   {} all partitions", radio(form.all)),
                scope_style,
            ),
        ]),
        input(
            "position",
            &form.position,
            form.field == ResetField::Position,
            theme,
        ),
        muted(
            "                 earliest, latest, seq:N, offset:X or time:2026-01-31T09:00:00Z",
            theme,
        ),
    ];
    lines.extend(error_line(form.error.as_deref(), theme));
    lines.push(Line::raw(""));
    lines
}

fn reset_dry_run<'a>(
    plan: &ResetPlan,
    typed: &TextField,
    error: Option<&str>,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let group = &plan.request.consumer_group;
    let mut lines = vec![
        heading(
            &format!("DRY RUN: reset to {}, nothing written yet", plan.request.to),
            theme,
        ),
        Line::styled(
            format!(
                "{:<10} {:>14} {:>10} {:>16} {:>10}  {}",
                "PARTITION", "CURRENT NEXT", "NEW NEXT", "PROCESSED AGAIN", "SKIPPED", "LIVE OWNER"
            ),
            theme.get(Slot::TableHeader),
        ),
    ];
    for p in &plan.partitions {
        lines.push(Line::raw(format!(
            "{:<10} {:>14} {:>10} {:>16} {:>10}  {}",
            p.partition,
            p.current_next,
            p.new_next,
            p.replayed,
            p.skipped,
            sanitize(p.live_owner.as_deref().unwrap_or("-"), false)
        )));
    }
    let owners = plan.live_owners();
    if !owners.is_empty() {
        lines.push(Line::styled(
            format!(
                "! a live owner ({}) holds the group: it may overwrite the new checkpoint; stop it first",
                sanitize(&owners.join(", "), false)
            ),
            theme.get(Slot::StatusWarn),
        ));
    }
    if !plan.partitions.iter().any(|p| p.changes_anything()) {
        lines.push(muted("the group is already there: nothing changes", theme));
    }
    lines.push(Line::raw(""));
    lines.push(input("confirm", typed, true, theme));
    lines.push(muted(
        &format!(
            "                 type the consumer group's name ({}) to confirm",
            sanitize(group, false)
        ),
        theme,
    ));
    lines.extend(error_line(error, theme));
    lines
}

fn dead_letter_dry_run<'a>(
    plan: &DeadLetterPlan,
    reason: &TextField,
    decode_error: Option<&str>,
    focus: DeadLetterFocus,
    with_group: bool,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let request = &plan.request;
    let event = &plan.event.event;
    let ce = &event.cloud_event;
    let or_dash = |v: Option<&String>| v.cloned().unwrap_or_else(|| "-".to_owned());
    let mut lines = vec![
        heading("DRY RUN: nothing copied or moved yet", theme),
        field(
            "event",
            format!(
                "{} partition {} sequence {} (offset {})",
                request.hub, request.partition, event.sequence, event.offset
            ),
            theme,
        ),
        field(
            "cloudevent",
            format!(
                "type {}  id {}",
                or_dash(ce.event_type.as_ref()),
                or_dash(ce.id.as_ref())
            ),
            theme,
        ),
        field(
            "why poison",
            decode_error.map_or_else(
                || "the decoder finds nothing wrong".to_owned(),
                str::to_owned,
            ),
            theme,
        ),
        field("dead-letter hub", request.dead_letter_hub.clone(), theme),
        field(
            "earlier copy",
            match &plan.existing_copy {
                Some((p, s)) => format!("found at partition {p} sequence {s}: not copied again"),
                None => "none".to_owned(),
            },
            theme,
        ),
        field(
            "checkpoint",
            match (
                &request.consumer_group,
                plan.current_next,
                &plan.new_checkpoint,
            ) {
                (Some(group), Some(next), Some(position)) => format!(
                    "{group}: next event {next} -> {}{}",
                    position.sequence + 1,
                    if plan.skipped_before > 0 {
                        format!(" (also skips {} events before it)", plan.skipped_before)
                    } else {
                        String::new()
                    }
                ),
                (Some(group), _, None) => format!("{group} is already past this event"),
                _ => "no consumer group: no checkpoint moves".to_owned(),
            },
            theme,
        ),
        Line::raw(""),
        input("reason", reason, focus == DeadLetterFocus::Reason, theme),
        Line::raw(""),
    ];
    let mut buttons = vec![
        Span::raw(" ".repeat(17)),
        button(
            "Dead-letter",
            focus == DeadLetterFocus::Button(Mode::DeadLetter),
            theme,
        ),
    ];
    if with_group {
        buttons.push(Span::raw("  "));
        buttons.push(button(
            "Checkpoint on error (no copy)",
            focus == DeadLetterFocus::Button(Mode::CheckpointOnError),
            theme,
        ));
    }
    lines.push(Line::from(buttons));
    lines
}

fn redrive_dry_run<'a>(plan: &SendPlan, theme: &Theme) -> Vec<Line<'a>> {
    let summary = plan.summary();
    let mut lines = vec![heading(
        &format!(
            "DRY RUN: {} back to their hub, nothing sent yet",
            match summary.len() {
                1 => "1 event".to_owned(),
                n => format!("{n} events"),
            }
        ),
        theme,
    )];
    for event in summary.iter().take(REDRIVE_LISTED) {
        lines.push(Line::raw(sanitize(
            &format!(
                "{}/{}#{}  {}  {}  -> {} partition {}",
                event.source_hub,
                event.partition,
                event.sequence,
                event.event_type.as_deref().unwrap_or("-"),
                event.id.as_deref().unwrap_or("-"),
                event.target_hub,
                event.target_partition.as_deref().unwrap_or("by key")
            ),
            false,
        )));
    }
    if summary.len() > REDRIVE_LISTED {
        lines.push(muted(
            &format!("… and {} more", summary.len() - REDRIVE_LISTED),
            theme,
        ));
    }
    lines.push(Line::raw(""));
    lines
}
