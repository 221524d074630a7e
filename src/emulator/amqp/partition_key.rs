//! Which partition a keyed send lands in. The hash is pure and lives in `model/`, so the
//! console predicts the same partition the emulator (and the service) picks: `ehops trace`
//! reads only the partition a subject's key hashes to.

pub(crate) use crate::model::partition_for_key;
