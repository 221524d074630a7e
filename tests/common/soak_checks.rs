//! What the soak test (`tests/soak.rs`) checks its readers against: the events they printed,
//! the events the store holds, and the checkpoint files of the emulator's store.

use std::collections::BTreeMap;
use std::path::Path;

/// Per partition, `(sequence, offset)` of each event, in order.
pub type Events = BTreeMap<String, Vec<(i64, String)>>;

/// The events of JSON lines with `partition`, `sequence` and `offset` fields.
pub fn events_of(text: &str) -> Events {
    let mut events = Events::new();
    for line in text.lines() {
        let Ok(event) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let (Some(partition), Some(sequence)) =
            (event["partition"].as_str(), event["sequence"].as_i64())
        else {
            continue;
        };
        let offset = event["offset"].as_str().unwrap_or_default().to_owned();
        events
            .entry(partition.to_owned())
            .or_default()
            .push((sequence, offset));
    }
    events
}

/// Per partition: consecutive sequence numbers from the first, none twice, and every stored
/// event at the offset the store has.
pub fn assert_every_event_once(hub: &str, printed: &Events, stored: &Events) {
    for (partition, events) in printed {
        for pair in events.windows(2) {
            assert_eq!(
                pair[1].0,
                pair[0].0 + 1,
                "{hub} partition {partition}: a gap or a duplicate after {}",
                pair[0].0
            );
        }
    }
    for (partition, wanted) in stored {
        let got = printed.get(partition).map_or(&[][..], Vec::as_slice);
        assert!(
            got.len() >= wanted.len() && got[..wanted.len()] == wanted[..],
            "{hub} partition {partition}: the tail printed {} events, the store holds {} from the first",
            got.len(),
            wanted.len()
        );
    }
    let total: usize = stored.values().map(Vec::len).sum();
    println!("{hub}: {total} stored events tailed exactly once");
}

/// `(hub, group, partition) -> sequence` of every checkpoint file under the emulator's store.
pub fn checkpoint_files(root: &Path) -> BTreeMap<(String, String, String), i64> {
    let mut found = BTreeMap::new();
    let Ok(namespaces) = std::fs::read_dir(root) else {
        return found;
    };
    for namespace in namespaces.flatten() {
        for hub in std::fs::read_dir(namespace.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            for group in std::fs::read_dir(hub.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                let checkpoints = group.path().join("checkpoint");
                for file in std::fs::read_dir(checkpoints)
                    .into_iter()
                    .flatten()
                    .flatten()
                {
                    let text = std::fs::read_to_string(file.path()).unwrap_or_default();
                    let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
                    let Some(sequence) =
                        json["sequencenumber"].as_str().and_then(|s| s.parse().ok())
                    else {
                        continue;
                    };
                    let name = |e: &std::fs::DirEntry| e.file_name().to_string_lossy().into_owned();
                    found.insert((name(&hub), name(&group), name(&file)), sequence);
                }
            }
        }
    }
    found
}
