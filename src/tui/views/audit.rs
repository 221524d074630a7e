//! The audit trail (`{data}/audit.jsonl`): every incident action executed, refused or failed,
//! newest first, with who did it as which team, where, and how it ended. `/` filters by
//! any of team, action, outcome, hub, who and time (`2026-12-06 04:`, `refused`, `customer`).

use ratatui::Frame;
use ratatui::layout::Rect;
use time::OffsetDateTime;

use super::format;
use super::pane::{Pane, View};
use super::sanitize::sanitize;
use super::table::{TableSpec, draw_table, fit_rows};
use crate::ops::audit::{AuditRecord, Outcome};
use crate::protocol::Request;
use crate::tui::app::{App, ListArea, ListPane};
use crate::tui::theme::Slot;

impl View {
    pub const AUDIT: View = View::named("audit");
}

const KEYS: &str = r#"
[audit]
keymap = [
	{ on = "r", run = "refresh", desc = "Read again" },
	{ on = "x", run = "clear_filter", desc = "Clear filter" },
]
"#;

pub struct AuditPane;

/// The words a record is filtered by.
fn fields(record: &AuditRecord) -> [String; 6] {
    [
        record.team.clone().unwrap_or_default(),
        record.action.clone(),
        outcome(record.outcome).to_owned(),
        record.hub.clone(),
        record.who.clone(),
        format::timestamp(record.time),
    ]
}

fn outcome(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Done => "done",
        Outcome::Refused => "refused",
        Outcome::Failed => "failed",
    }
}

/// The records passing the pane's filter, newest first.
fn visible(app: &App) -> Vec<&AuditRecord> {
    let filter = app
        .pane_lists_of(View::AUDIT)
        .map_or("", |l| l.filter(0))
        .to_lowercase();
    app.audit
        .records
        .iter()
        .filter(|r| {
            filter.is_empty() || fields(r).iter().any(|f| f.to_lowercase().contains(&filter))
        })
        .collect()
}

impl Pane for AuditPane {
    fn view(&self) -> View {
        View::AUDIT
    }

    fn default_keys(&self) -> Option<&'static str> {
        Some(KEYS)
    }

    fn len(&self, app: &App) -> usize {
        visible(app).len()
    }

    fn refresh(&self, app: &mut App) -> Vec<Request> {
        vec![app.request_audit()]
    }

    fn render(
        &self,
        frame: &mut Frame<'_>,
        area: Rect,
        app: &App,
        _now: OffsetDateTime,
    ) -> Vec<ListArea> {
        let theme = &app.theme;
        let records = visible(app);
        let rows = records.iter().map(|r| {
            let slot = match r.outcome {
                Outcome::Done => Slot::Text,
                Outcome::Refused => Slot::StatusWarn,
                Outcome::Failed => Slot::StatusError,
            };
            let [team, action, outcome, hub, who, time] = fields(r).map(|f| sanitize(&f, false));
            let group = r.consumer_group.as_deref().unwrap_or("-");
            let detail = sanitize(r.detail.as_deref().unwrap_or_default(), false);
            let cells = [
                time,
                who,
                team,
                action,
                hub,
                group.to_owned(),
                outcome,
                detail,
            ];
            (cells, theme.get(slot))
        });
        let header = [
            "TIME", "WHO", "TEAM", "ACTION", "HUB", "GROUP", "OUTCOME", "DETAIL",
        ];
        let fitted = fit_rows(&header, rows.collect(), area.width, 7, format::elide_end);
        let lists = app.pane_lists_of(View::AUDIT);
        let filter = lists.map_or("", |l| l.filter(0));
        let title = super::hubs::titled(
            "audit trail",
            records.len(),
            app.audit.records.len(),
            &crate::tui::state::ListState {
                selected: 0,
                filter: filter.to_owned(),
            },
        );
        let spec = TableSpec {
            title: &title,
            list: ListPane::Audit,
            header: &header,
            widths: &fitted.1,
            selected: lists.map_or(0, |l| l.selected(0)),
            focused: true,
        };
        vec![draw_table(frame, area, app, &spec, fitted.0)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_is_found_by_team_action_outcome_and_time() {
        let mut record = AuditRecord::new("oncall", "dead-letter", "ns", "sale");
        record.team = Some("customer".into());
        record.outcome = Outcome::Refused;
        let words = fields(&record);
        for wanted in ["customer", "dead-letter", "refused", "sale", "oncall"] {
            assert!(words.iter().any(|w| w == wanted), "{wanted}: {words:?}");
        }
        assert!(words[5].starts_with(&record.time.year().to_string()));
    }

    #[test]
    fn the_pane_reads_the_trail_and_filters_it() {
        use crate::protocol::{ReadRequest, Reply};
        use crate::tui::action::Action;
        use crate::tui::sample;

        let mut app = sample::app_with_hubs();
        let Some(Request::Read(ReadRequest::AuditTrail { request })) =
            app.update(Action::ShowAudit).pop()
        else {
            panic!("the pane asks for the trail");
        };
        let mut refused = AuditRecord::new("oncall", "reset", "ns", "sale");
        refused.outcome = Outcome::Refused;
        refused.team = Some("customer".into());
        let done = AuditRecord::new("oncall", "dead-letter", "ns", "orders");
        let trail = crate::ops::audit_read::Trail {
            records: vec![done, refused],
            unreadable: 0,
        };
        app.update(Action::Reply(Reply::AuditLoaded {
            request,
            trail: std::sync::Arc::new(trail),
        }));
        assert_eq!(app.view(), View::AUDIT);
        let screen = sample::screen(&app, 120, 20);
        assert!(
            screen.contains("audit trail (2)") && screen.contains("orders"),
            "{screen}"
        );
        app.update(Action::Filter);
        for c in "refused".chars() {
            app.update(Action::InsertChar(c));
        }
        let screen = sample::screen(&app, 120, 20);
        assert!(
            screen.contains("reset") && !screen.contains("orders"),
            "{screen}"
        );
    }
}
