//! What the ingress guard keeps of one client session: its links, the delivery arriving on
//! each, and the deliveries the emulator has not settled yet.

use std::collections::{BTreeMap, HashMap, HashSet};

/// A delivery whose transfers are still arriving on one link.
#[derive(Debug, Default, Clone)]
pub(super) struct Arriving {
    pub(super) delivery_id: Option<u32>,
    pub(super) bytes: usize,
    pub(super) settled: bool,
    /// The payload so far, bounded by the delivery limit: fe2o3 decodes the reassembled
    /// message, so its sizes are checked here before the last transfer goes on.
    pub(super) payload: Vec<u8>,
}

/// One session, by the channel the client numbers it with.
#[derive(Debug, Default)]
pub(super) struct Session {
    /// The client's link handles attached on it, with the delivery arriving on each.
    pub(super) links: HashMap<u32, Option<Arriving>>,
    /// Whole deliveries the emulator has not settled yet: delivery id to (handle, bytes).
    pub(super) unsettled: BTreeMap<u32, (u32, usize)>,
    /// Its links that receive replies from `$cbs` or `$management` (`reply_links.rs`).
    pub(super) reply_links: HashSet<u32>,
}

/// Removes the deliveries `first..=last` (serial numbers, which may wrap) from a session's
/// unsettled ones; returns their bytes.
pub(super) fn release(session: &mut Session, first: u32, last: u32) -> usize {
    let ids: Vec<u32> = if first <= last {
        session
            .unsettled
            .range(first..=last)
            .map(|(id, _)| *id)
            .collect()
    } else {
        session
            .unsettled
            .range(first..)
            .chain(session.unsettled.range(..=last))
            .map(|(id, _)| *id)
            .collect()
    };
    ids.iter()
        .filter_map(|id| session.unsettled.remove(id))
        .map(|(_, bytes)| bytes)
        .sum()
}
