//! One event in full: position, CloudEvents attributes, properties, annotations and the body
//! (pretty JSON, text, or hex).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::sanitize::sanitize;
use super::{format, pane_block};
use crate::codec::DecodedEvent;
use crate::model::TailEvent;
use crate::tui::app::App;
use crate::tui::theme::{Slot, Theme};

use time::OffsetDateTime;

use super::pane::{Move, Pane, View};
use crate::protocol::Request;
use crate::tui::app::ListArea;

impl View {
    pub const DETAIL: View = View::named("detail");
}

/// One event in full; it scrolls rather than selects.
pub struct DetailPane;

/// How far the detail scrolls at most.
const MAX_SCROLL: usize = 10_000;

impl Pane for DetailPane {
    fn view(&self) -> View {
        View::DETAIL
    }

    fn len(&self, _app: &App) -> usize {
        0
    }

    fn list<'a>(&self, _app: &'a mut App) -> Option<&'a mut crate::tui::state::ListState> {
        None
    }

    fn select(&self, app: &mut App, movement: &Move) -> Vec<Request> {
        app.detail.scroll = movement.apply(app.detail.scroll, MAX_SCROLL);
        Vec::new()
    }

    /// The detail of a tail event is about the tail's hub.
    fn hub(&self, app: &App) -> Option<String> {
        app.detail.hub.clone()
    }

    fn selected_event(&self, app: &App) -> Option<TailEvent> {
        app.detail.event.clone()
    }

    fn render(
        &self,
        frame: &mut Frame<'_>,
        area: Rect,
        app: &App,
        _now: OffsetDateTime,
    ) -> Vec<ListArea> {
        render(frame, area, app);
        Vec::new()
    }
}

/// The body as display lines: hex when asked or not text, else JSON pretty-printed if it
/// parses, else sanitised text.
pub fn body_lines(body: &[u8], hex: bool) -> Vec<String> {
    let text = std::str::from_utf8(body).ok();
    match text {
        Some(text) if !hex => match serde_json::from_str::<serde_json::Value>(text) {
            Ok(json) => serde_json::to_string_pretty(&json)
                .unwrap_or_else(|_| text.to_owned())
                .lines()
                .map(|l| sanitize(l, false))
                .collect(),
            Err(_) => sanitize(text, true).lines().map(str::to_owned).collect(),
        },
        _ => hex_lines(body),
    }
}

/// `00000010  7b 22 61 22 ...  |{"a"...|`, 16 bytes a line.
pub fn hex_lines(body: &[u8]) -> Vec<String> {
    body.chunks(16)
        .enumerate()
        .map(|(i, chunk)| {
            let hex: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
            let ascii: String = chunk
                .iter()
                .map(|b| {
                    if b.is_ascii_graphic() || *b == b' ' {
                        char::from(*b)
                    } else {
                        '.'
                    }
                })
                .collect();
            format!("{:08x}  {:<47}  |{ascii}|", i * 16, hex.join(" "))
        })
        .collect()
}

fn section<'a>(title: &str, theme: &Theme) -> Line<'a> {
    Line::styled(format!("── {title}"), theme.get(Slot::DetailSection))
}

fn field<'a>(key: &str, value: &str, theme: &Theme) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("  {key:<24} "), theme.get(Slot::DetailKey)),
        Span::styled(sanitize(value, false), theme.get(Slot::DetailValue)),
    ])
}

/// What decoding found: framing, schema, mandate violations, the reason it failed, and the
/// data (Avro records as JSON in field order).
fn decoded_lines<'a>(decoded: &DecodedEvent, theme: &Theme, lines: &mut Vec<Line<'a>>) {
    let none = "-";
    lines.push(section("Decoded", theme));
    let framing = serde_json::to_value(decoded.framing)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| none.to_owned());
    lines.push(field("framing", &framing, theme));
    lines.push(field(
        "schema id",
        decoded.schema_id.as_deref().unwrap_or(none),
        theme,
    ));
    lines.push(field(
        "schema",
        decoded.schema_name.as_deref().unwrap_or(none),
        theme,
    ));
    if let Some(error) = decoded.data.error() {
        lines.push(Line::styled(
            format!("  not decoded: {}", sanitize(&error.to_string(), false)),
            theme.get(Slot::StatusError),
        ));
    }
    for violation in &decoded.violations {
        lines.push(Line::styled(
            format!(
                "  breaks the mandate ({}): {}",
                violation.rule,
                sanitize(&violation.reason, false)
            ),
            theme.get(Slot::StatusWarn),
        ));
    }
    if decoded.data.error().is_none() {
        let json = serde_json::to_string_pretty(&decoded.data).unwrap_or_default();
        lines.extend(json.lines().map(|l| {
            Line::styled(
                format!("  {}", sanitize(l, false)),
                theme.get(Slot::JsonString),
            )
        }));
    }
}

pub fn detail_lines<'a>(
    event: &TailEvent,
    decoded: Option<&DecodedEvent>,
    hex: bool,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let ce = &event.cloud_event;
    let none = "-";
    let mut lines = vec![
        section("Event", theme),
        field("partition", &event.partition, theme),
        field("sequence", &event.sequence.to_string(), theme),
        field("offset", &event.offset, theme),
        field("enqueued", &format::timestamp(event.enqueued_time), theme),
        field("size", &format::bytes(event.size()), theme),
        field(
            "content type",
            event.content_type.as_deref().unwrap_or(none),
            theme,
        ),
        section("CloudEvent", theme),
        field("id", ce.id.as_deref().unwrap_or(none), theme),
        field("type", ce.event_type.as_deref().unwrap_or(none), theme),
        field("source", ce.source.as_deref().unwrap_or(none), theme),
        field("subject", ce.subject.as_deref().unwrap_or(none), theme),
        section("Application properties", theme),
    ];
    lines.extend(event.properties.iter().map(|(k, v)| field(k, v, theme)));
    lines.push(section("Annotations", theme));
    lines.extend(event.annotations.iter().map(|(k, v)| field(k, v, theme)));
    if let Some(decoded) = decoded {
        decoded_lines(decoded, theme, &mut lines);
    }
    lines.push(section(if hex { "Body (hex)" } else { "Body" }, theme));
    lines.extend(
        body_lines(&event.body, hex)
            .into_iter()
            .map(|l| Line::styled(format!("  {l}"), theme.get(Slot::JsonString))),
    );
    lines
}

pub fn render(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let Some(event) = &app.detail.event else {
        frame.render_widget(pane_block(app, "event (none)", true), area);
        return;
    };
    let title = format!(
        "event p{} #{}",
        sanitize(&event.partition, false),
        event.sequence
    );
    let decoded = app.decoding.decode(event);
    let lines = detail_lines(event, Some(&decoded), app.detail.hex, &app.theme);
    let scroll = u16::try_from(app.detail.scroll).unwrap_or(u16::MAX);
    let paragraph = Paragraph::new(lines)
        .block(pane_block(app, &title, true))
        .scroll((scroll, 0));
    frame.render_widget(paragraph, area);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_pretty_printed() {
        assert_eq!(body_lines(br#"{"a":1}"#, false), ["{", "  \"a\": 1", "}"]);
    }

    #[test]
    fn text_is_sanitised_and_binary_is_hex() {
        assert_eq!(
            body_lines(b"hi\x1b[31m there\nnext", false),
            ["hi there", "next"]
        );
        assert_eq!(
            body_lines(&[0xff, 0x00, 0x41], false),
            [format!("00000000  ff 00 41{}  |..A|", " ".repeat(39))]
        );
        assert_eq!(
            body_lines(b"AB", true)[0],
            format!("00000000  41 42{}  |AB|", " ".repeat(42))
        );
    }
}
