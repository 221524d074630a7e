use time::OffsetDateTime;

/// Runtime information of one partition, as the management node reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionInfo {
    /// Partition ids are strings on the wire (`"0"`, `"1"`, ...).
    pub id: String,
    /// Oldest sequence number still retained.
    pub begin_sequence: i64,
    /// Sequence number of the newest event.
    pub last_sequence: i64,
    /// Offsets are opaque strings in current Event Hubs APIs; never do arithmetic on them.
    pub last_offset: String,
    pub last_enqueued: Option<OffsetDateTime>,
    /// True when the partition holds no events at all.
    pub is_empty: bool,
}

impl PartitionInfo {
    /// Number of events currently retained in the partition.
    pub fn retained_events(&self) -> u64 {
        if self.is_empty {
            return 0;
        }
        u64::try_from(self.last_sequence - self.begin_sequence + 1).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retained_counts_inclusive_range_and_empty() {
        let mut p = PartitionInfo {
            id: "0".into(),
            begin_sequence: 10,
            last_sequence: 19,
            last_offset: "4096".into(),
            last_enqueued: None,
            is_empty: false,
        };
        assert_eq!(p.retained_events(), 10);
        p.is_empty = true;
        assert_eq!(p.retained_events(), 0);
    }
}
