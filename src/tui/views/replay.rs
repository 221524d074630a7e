//! The replay dialog's form and dry run (the shared stages, progress and result, are the
//! incident dialog's). Event text shown here comes from producers: it is sanitised.

use ratatui::text::Line;

use super::incident::{error_line, field, heading, input, muted};
use crate::ops::replay::SendPlan;
use crate::tui::state::{ReplayField, ReplayForm};
use crate::tui::theme::Theme;

pub fn replay_form<'a>(form: &ReplayForm, theme: &Theme) -> Vec<Line<'a>> {
    let mut lines = vec![heading("Which events should be published again?", theme)];
    for f in ReplayField::ORDER {
        lines.push(input(f.label(), form.field(f), form.field == f, theme));
        let hint = match f {
            ReplayField::From => "earliest, seq:N, offset:X or time:2026-01-31T09:00:00Z",
            ReplayField::To => "the last sequence number, included; empty: the newest",
            ReplayField::Filter => "CloudEvents type, subject, source or id contains; empty: all",
            ReplayField::Rate => "events a second at most; empty: no limit",
            _ => continue,
        };
        lines.push(muted(&format!("{:17}{hint}", ""), theme));
    }
    lines.extend(error_line(form.error.as_deref(), theme));
    lines.push(Line::raw(""));
    lines
}

pub fn replay_dry_run<'a>(
    plan: &SendPlan,
    hub: &str,
    rate: Option<u32>,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let summary = plan.summary();
    let count = match summary.len() {
        1 => "1 event".to_owned(),
        n => format!("{n} events"),
    };
    let mut lines = vec![heading(
        &format!("DRY RUN: {count} to publish again, nothing sent yet"),
        theme,
    )];
    let describe = |i: usize| {
        summary.get(i).map_or_else(
            || "-".to_owned(),
            |e| {
                format!(
                    "partition {} sequence {}  type {}",
                    e.partition,
                    e.sequence,
                    e.event_type.as_deref().unwrap_or("-")
                )
            },
        )
    };
    lines.push(field("source hub", hub.to_owned(), theme));
    lines.push(field(
        "left out",
        format!("{} by the filter", plan.filtered_out),
        theme,
    ));
    lines.push(field("first", describe(0), theme));
    lines.push(field(
        "last",
        describe(summary.len().saturating_sub(1)),
        theme,
    ));
    let target = summary.first().map_or_else(
        || "-".to_owned(),
        |e| match &e.target_partition {
            Some(p) => format!("{} partition {p}", e.target_hub),
            None => format!("{} (partition by key or by the service)", e.target_hub),
        },
    );
    lines.push(field("target", target, theme));
    lines.push(field(
        "rate",
        rate.map_or_else(|| "no limit".to_owned(), |r| format!("{r} events a second")),
        theme,
    ));
    lines.push(muted(
        "each copy keeps its CloudEvent id and carries its provenance (hub, partition, sequence)",
        theme,
    ));
    lines.push(Line::raw(""));
    if summary.is_empty() {
        lines.push(muted("nothing to replay", theme));
    }
    lines
}
