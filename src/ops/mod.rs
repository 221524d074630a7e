//! What an on-call engineer does, as orchestration over `connect`: which hubs there are, how
//! far a consumer group is behind, whether events keep the mandate, and the incident actions
//! (reset, dead-letter, replay, redrive) with their audit trail. Used by the console's
//! backend and the headless commands alike.

pub mod audit;
pub mod audit_read;
pub mod audited;
pub mod capture;
pub mod capture_export;
pub mod capture_replay;
pub mod dead_letter;
pub mod event_decoder;
pub mod hubs;
pub mod kafka_groups;
pub mod kafka_reset;
pub mod lag;
pub mod lag_history;
pub mod lag_sampler;
pub mod lint;
pub mod namespaces;
pub mod next_event;
pub mod permissions;
pub mod provenance;
pub mod redrive;
pub mod replay;
pub mod reset;
pub mod search;
pub mod trace;
