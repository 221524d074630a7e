//! A Kafka group's state and members (client id, host, assigned partitions), under its lag
//! table in the overview and the consumer-groups pane. Kafka consumers keep their offsets in
//! the service, so this is what there is to know of who reads (docs/kafka.md).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::pane_block;
use super::sanitize::sanitize;
use crate::model::KafkaGroup;
use crate::tui::app::App;
use crate::tui::theme::Slot;

/// Rows this block wants: its borders, and a line per member (one when there are none).
pub fn height(group: &KafkaGroup) -> u16 {
    u16::try_from(group.members.len().max(1) + 2).unwrap_or(u16::MAX)
}

pub fn render(frame: &mut Frame<'_>, area: Rect, app: &App, group: &KafkaGroup) {
    let title = format!(
        "{} [kafka] · {} · {} member{}",
        sanitize(&group.group_id, false),
        sanitize(&group.state, false),
        group.members.len(),
        if group.members.len() == 1 { "" } else { "s" }
    );
    let block = pane_block(app, &title, false);
    let text = Paragraph::new(member_lines(app, group))
        .wrap(Wrap { trim: true })
        .block(block);
    frame.render_widget(text, area);
}

/// One line per member: client id, host, and the partitions assigned to it per hub.
pub fn member_lines<'a>(app: &App, group: &KafkaGroup) -> Vec<Line<'a>> {
    let theme = &app.theme;
    if group.members.is_empty() {
        return vec![Line::styled(
            "no members: nobody reads; the committed offsets stay, and offsets may be set now",
            theme.get(Slot::Muted),
        )];
    }
    group
        .members
        .iter()
        .map(|member| {
            let mut hubs: Vec<(String, Vec<i32>)> = Vec::new();
            for (topic, partition) in &member.partitions {
                match hubs.iter_mut().find(|(t, _)| t == topic) {
                    Some((_, partitions)) => partitions.push(*partition),
                    None => hubs.push((topic.clone(), vec![*partition])),
                }
            }
            let assigned: Vec<String> = hubs
                .into_iter()
                .map(|(topic, mut partitions)| {
                    partitions.sort_unstable();
                    let list: Vec<String> = partitions.iter().map(i32::to_string).collect();
                    format!("{}:{}", sanitize(&topic, false), list.join(","))
                })
                .collect();
            let assigned = if assigned.is_empty() {
                "no partitions".to_owned()
            } else {
                assigned.join(" ")
            };
            Line::styled(
                format!(
                    "{}  {}  {}",
                    sanitize(&member.client_id, false),
                    sanitize(member.host.trim_start_matches('/'), false),
                    assigned
                ),
                theme.get(Slot::Text),
            )
        })
        .collect()
}
