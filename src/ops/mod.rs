//! What an on-call engineer does, as orchestration over `connect`: for now, how far a
//! consumer group is behind,
//! and which hubs there are. Used by the console's backend and the headless commands alike.

pub mod hubs;
pub mod lag;
pub mod lint;
pub mod permissions;
