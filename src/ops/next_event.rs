//! Reads and judges the next unprocessed event of each stuck partition: one read per event
//! (a stuck partition's next event stays the same round after round, so the verdict is
//! remembered), decoded through the Schema Registry like the tail, with the mandate's rules.

use std::collections::{BTreeMap, HashMap};

use crate::connect::data_plane::DataPlane;
use crate::connect::read;
use crate::model::{ConsumerGroupLag, LagStatus, NextEventOutcome, NextEventVerdict};
use crate::ops::event_decoder::TailDecoder;

/// Verdicts remembered before the memo starts over (a stuck partition is rare).
const MEMO_CAPACITY: usize = 4_096;

pub struct NextEventJudge {
    decoder: TailDecoder,
    /// By hub, partition and sequence number: an event never changes.
    memo: HashMap<(String, String, i64), NextEventVerdict>,
}

impl NextEventJudge {
    pub fn new(plane: &DataPlane) -> Self {
        Self {
            decoder: TailDecoder::new(plane.connection()),
            memo: HashMap::new(),
        }
    }

    /// The verdict on the next event of each of the group's stuck partitions, by partition.
    pub async fn stuck_partitions(
        &mut self,
        plane: &DataPlane,
        lag: &ConsumerGroupLag,
    ) -> BTreeMap<String, NextEventVerdict> {
        let mut verdicts = BTreeMap::new();
        for p in &lag.partitions {
            let (LagStatus::Stuck, Some(checkpoint)) = (p.status, p.checkpoint_sequence) else {
                continue;
            };
            let key = (lag.hub.clone(), p.partition.clone(), checkpoint + 1);
            let verdict = match self.memo.get(&key) {
                Some(known) => known.clone(),
                None => {
                    let verdict = self.judge(plane, &lag.hub, &p.partition, key.2).await;
                    // An unreadable event may be readable next round: only verdicts stay.
                    if matches!(verdict.outcome, NextEventOutcome::Judged { .. }) {
                        if self.memo.len() >= MEMO_CAPACITY {
                            self.memo.clear();
                        }
                        self.memo.insert(key, verdict.clone());
                    }
                    verdict
                }
            };
            verdicts.insert(p.partition.clone(), verdict);
        }
        verdicts
    }

    async fn judge(
        &mut self,
        plane: &DataPlane,
        hub: &str,
        partition: &str,
        sequence: i64,
    ) -> NextEventVerdict {
        let outcome = match read::read_one(plane, hub, partition, sequence).await {
            Err(error) => NextEventOutcome::Unreadable(error.message),
            Ok(raw) => {
                let decoded = self.decoder.decode(&raw.event).await;
                NextEventOutcome::Judged {
                    event_type: decoded
                        .cloud_event
                        .as_ref()
                        .and_then(|e| e.attributes.get("type"))
                        .and_then(|t| t.as_str())
                        .map(str::to_owned),
                    decode_error: decoded.data.error().map(ToString::to_string),
                    broken_rules: decoded
                        .violations
                        .iter()
                        .map(|v| (v.rule.to_owned(), v.reason.clone()))
                        .collect(),
                }
            }
        };
        NextEventVerdict { sequence, outcome }
    }
}
