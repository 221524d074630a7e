//! Reading the audit trail back, for the console's audit pane: the newest records of
//! `{data}/audit.jsonl`, newest first. A line that does not parse (a record cut short by a
//! crash, a hand edit) is skipped and counted, never fatal.

use std::io::{BufRead, BufReader};
use std::path::Path;

use super::audit::AuditRecord;
use crate::connect::error::ConnectError;

/// Records kept for the pane: the newest ones of a long trail.
pub const MOST: usize = 10_000;

/// The trail, newest first, with how many lines could not be read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Trail {
    pub records: Vec<AuditRecord>,
    pub unreadable: usize,
}

pub fn read(file: &Path) -> Result<Trail, ConnectError> {
    let opened = match std::fs::File::open(file) {
        Ok(opened) => opened,
        // No action has been audited yet: an empty trail, not an error.
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Trail::default()),
        Err(error) => {
            return Err(ConnectError::usage(format!(
                "the audit trail {} could not be read ({error}); check its permissions",
                file.display()
            )));
        }
    };
    let mut trail = Trail::default();
    for line in BufReader::new(opened).lines() {
        let Ok(line) = line else {
            trail.unreadable += 1;
            continue;
        };
        match serde_json::from_str::<AuditRecord>(&line) {
            Ok(record) => trail.records.push(record),
            Err(_) if !line.trim().is_empty() => trail.unreadable += 1,
            Err(_) => {}
        }
        if trail.records.len() > 2 * MOST {
            trail.records.drain(..MOST);
        }
    }
    let keep = trail.records.len().saturating_sub(MOST);
    trail.records.drain(..keep);
    trail.records.reverse();
    Ok(trail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::audit::{AuditLog, Outcome};

    #[test]
    fn reads_back_what_was_appended_newest_first_and_skips_broken_lines() {
        let dir = tempfile::tempdir().expect("temp dir");
        let log = AuditLog::new(dir.path().join("audit.jsonl"), None);
        let mut first = AuditRecord::new("oncall", "reset", "ns", "sale");
        first.outcome = Outcome::Refused;
        log.append(&first).expect("append");
        std::fs::OpenOptions::new()
            .append(true)
            .open(log.file())
            .and_then(|mut f| std::io::Write::write_all(&mut f, b"{\"cut short\n"))
            .expect("a broken line");
        let second = AuditRecord::new("oncall", "dead-letter", "ns", "sale");
        log.append(&second).expect("append");
        let trail = read(log.file()).expect("readable");
        let actions: Vec<&str> = trail.records.iter().map(|r| r.action.as_str()).collect();
        assert_eq!(actions, ["dead-letter", "reset"]);
        assert_eq!(trail.records[1].outcome, Outcome::Refused);
        assert_eq!(trail.unreadable, 1);
        assert!(
            read(&dir.path().join("none.jsonl"))
                .expect("empty")
                .records
                .is_empty()
        );
    }
}
