//! What start-up tells the operator about damaged records: the file, where in it, and the
//! sequence numbers that can no longer be read. Reported once, at open; clients never see it.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

/// One damaged stretch of a segment file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DamageReport {
    pub file: PathBuf,
    /// Byte position in the file where the damage starts, and how many bytes it spans.
    pub position: u64,
    pub length: u64,
    /// The sequence numbers the damaged bytes held, at most: `first..=last`. None is ever
    /// handed out again.
    pub first_sequence: i64,
    pub last_sequence: i64,
    /// True when intact records follow in the same file (they stay readable); false when the
    /// damage runs to the end of the file, which was then closed and a new one started.
    pub followed_by_intact: bool,
}

impl DamageReport {
    pub fn sequence_numbers(&self) -> std::ops::RangeInclusive<i64> {
        self.first_sequence..=self.last_sequence
    }
}

impl fmt::Display for DamageReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lost = if self.first_sequence == self.last_sequence {
            format!("sequence number {}", self.first_sequence)
        } else if self.last_sequence < self.first_sequence {
            "no whole event".to_string()
        } else {
            format!(
                "sequence numbers {} to {}",
                self.first_sequence, self.last_sequence
            )
        };
        let after = if self.followed_by_intact {
            "the intact records after it stay readable"
        } else {
            "it runs to the end of the file"
        };
        write!(
            f,
            "damaged records in {} at byte {} ({} bytes): {lost} cannot be read and will not be handed out again; {after}",
            self.file.display(),
            self.position,
            self.length
        )
    }
}
