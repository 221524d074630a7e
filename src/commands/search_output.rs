//! How `ehops search` and `ehops trace` report: the matches they kept (the earliest by
//! enqueued time, at most `--limit`, the rest counted), progress on stderr while they run,
//! and the summary of what was read, per partition.

use std::collections::BinaryHeap;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use serde::Serialize;
use time::format_description::well_known::Rfc3339;

use crate::codec::Data;
use crate::ops::event_decoder::TailDecoder;
use crate::ops::search::{Found, PartitionReport, PartitionStatus, Progress, Summary};
use crate::tui::views::sanitize::sanitize;

/// The earliest `limit` matches (by enqueued time, then hub, partition and sequence), so the
/// answer does not depend on which partition was read fastest; memory stays at `limit`.
pub struct Kept {
    limit: usize,
    heap: BinaryHeap<Ordered>,
    pub found: u64,
}

struct Ordered(Found);

impl Ordered {
    fn key(&self) -> (time::OffsetDateTime, &str, &str, i64) {
        let e = &self.0.event;
        (e.enqueued_time, &self.0.hub, &e.partition, e.sequence)
    }
}

impl PartialEq for Ordered {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}
impl Eq for Ordered {}
impl PartialOrd for Ordered {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ordered {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

impl Kept {
    pub fn new(limit: usize) -> Self {
        Kept {
            limit,
            heap: BinaryHeap::new(),
            found: 0,
        }
    }

    pub fn add(&mut self, found: Found) {
        self.found += 1;
        self.heap.push(Ordered(found));
        if self.heap.len() > self.limit {
            self.heap.pop();
        }
    }

    /// The kept matches, earliest first.
    pub fn into_sorted(self) -> Vec<Found> {
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|o| o.0)
            .collect()
    }
}

/// Progress on stderr: rewritten in place on a terminal, a line every few seconds otherwise.
pub struct ProgressLine {
    terminal: bool,
    last: Option<Instant>,
}

impl ProgressLine {
    pub fn new() -> Self {
        ProgressLine {
            terminal: std::io::stderr().is_terminal(),
            last: None,
        }
    }

    pub fn show(&mut self, progress: &Progress) {
        let every = if self.terminal {
            Duration::ZERO
        } else {
            Duration::from_secs(2)
        };
        if self.last.is_some_and(|at| at.elapsed() < every) {
            return;
        }
        self.last = Some(Instant::now());
        self.print(progress);
    }

    /// A line of its own (a warning), not overwritten by the next progress.
    pub fn note(&mut self, line: &str) {
        let mut err = std::io::stderr().lock();
        let _ = if self.terminal {
            writeln!(err, "\r\x1b[2K{line}")
        } else {
            writeln!(err, "{line}")
        };
    }

    /// The final figures, always.
    pub fn finish(&mut self, progress: &Progress) {
        self.print(progress);
        if self.terminal {
            eprintln!();
        }
    }

    fn print(&self, progress: &Progress) {
        let mut err = std::io::stderr().lock();
        let _ = if self.terminal {
            write!(err, "\r\x1b[2K{progress}")
        } else {
            writeln!(err, "{progress}")
        };
        let _ = err.flush();
    }
}

#[derive(Serialize)]
struct MatchLine<'a> {
    hub: &'a str,
    partition: &'a str,
    sequence: i64,
    offset: &'a str,
    enqueued_time: Option<String>,
    id: Option<&'a str>,
    source: Option<&'a str>,
    #[serde(rename = "type")]
    event_type: Option<&'a str>,
    subject: Option<&'a str>,
    schema: Option<&'a str>,
    data: &'a Data,
    #[serde(skip_serializing_if = "Option::is_none")]
    undecodable: Option<String>,
}

/// Prints the kept matches, each decoded for display (a handful, whatever the hub's size).
pub async fn print_matches(kept: Vec<Found>, decoder: &mut TailDecoder, json: bool) {
    let mut out = std::io::stdout().lock();
    for found in kept {
        let event = &found.event;
        let decoded = decoder.decode(event).await;
        let ce = &event.cloud_event;
        let line = MatchLine {
            hub: &found.hub,
            partition: &event.partition,
            sequence: event.sequence,
            offset: &event.offset,
            enqueued_time: event.enqueued_time.format(&Rfc3339).ok(),
            id: ce.id.as_deref(),
            source: ce.source.as_deref(),
            event_type: ce.event_type.as_deref(),
            subject: ce.subject.as_deref(),
            schema: decoded.schema_name.as_deref(),
            data: &decoded.data,
            undecodable: decoded.data.error().map(ToString::to_string),
        };
        let written = if json {
            serde_json::to_writer(&mut out, &line)
                .map_err(std::io::Error::from)
                .and_then(|()| out.write_all(b"\n"))
        } else {
            let data = match &line.undecodable {
                Some(reason) => format!("[undecodable: {reason}]"),
                None => serde_json::to_string(line.data).unwrap_or_default(),
            };
            writeln!(
                out,
                "{}  {}  p{}  #{}  {}  {}  {}  {}",
                line.enqueued_time.as_deref().unwrap_or("-"),
                sanitize(line.hub, false),
                sanitize(line.partition, false),
                line.sequence,
                sanitize(line.event_type.unwrap_or("-"), false),
                sanitize(line.subject.unwrap_or("-"), false),
                sanitize(line.id.unwrap_or("-"), false),
                sanitize(&data, false)
            )
        };
        // A closed pipe (`| head`) ends the listing; it is not an error.
        if written.is_err() {
            return;
        }
    }
}

/// The summary: one JSON line (`{"summary": ...}`) or lines for people.
pub fn print_summary(summary: &Summary, kept: usize, json: bool) {
    if json {
        #[derive(Serialize)]
        struct Line<'a> {
            summary: &'a Summary,
            kept: usize,
        }
        super::output::json_line(&Line { summary, kept });
        return;
    }
    println!(
        "{} events scanned in {:.1} s, {} matched ({} shown), {} undecodable{}",
        summary.scanned,
        summary.seconds,
        summary.matched,
        kept,
        summary.undecodable,
        if summary.cancelled { ", cancelled" } else { "" }
    );
    for p in &summary.partitions {
        println!("  {}", partition_line(p));
    }
    for s in &summary.skipped {
        println!(
            "  {}: skipped: {}",
            sanitize(&s.hub, false),
            sanitize(&s.reason, false)
        );
    }
    for problem in &summary.capture_problems {
        println!("  Capture not read: {}", sanitize(problem, false));
    }
}

fn partition_line(p: &PartitionReport) -> String {
    let range = |r: Option<(i64, i64)>| r.map_or("-".to_owned(), |(a, b)| format!("{a}..{b}"));
    let status = match &p.status {
        PartitionStatus::Complete => "complete".to_owned(),
        PartitionStatus::Until => "complete up to --until".to_owned(),
        PartitionStatus::NotKeyed => "not read: the key hashes to another partition".to_owned(),
        PartitionStatus::Cancelled => "cancelled".to_owned(),
        PartitionStatus::Failed(reason) => format!("FAILED: {}", sanitize(reason, false)),
    };
    let lost = if p.lost_to_retention > 0 {
        format!(
            ", {} lost to retention during the scan",
            p.lost_to_retention
        )
    } else {
        String::new()
    };
    let captured = match p.capture_read {
        None => String::new(),
        Some(_) => format!(
            ", {} from Capture ({}){}",
            p.from_capture,
            range(p.capture_read),
            if p.missing_from_capture > 0 {
                format!(", {} missing from Capture", p.missing_from_capture)
            } else {
                String::new()
            }
        ),
    };
    format!(
        "{} p{}: planned {}, read {}, {} scanned{captured}, {} matched, {} undecodable{lost}; {status}",
        sanitize(&p.hub, false),
        sanitize(&p.partition, false),
        range(p.planned),
        range(p.read),
        p.scanned,
        p.matched,
        p.undecodable
    )
}
