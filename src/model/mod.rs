//! Plain domain types shared by every layer of ehops. No I/O lives here.
//!
//! One concept per file: where events live ([`Namespace`], [`Hub`], [`PartitionInfo`]), how far
//! a consumer is behind ([`ConsumerGroupLag`]), what a tail shows ([`TailEvent`]), where a
//! read starts ([`StartPosition`]), who is looking ([`Identity`]) and what schema an event
//! was written with ([`RegisteredSchema`]).

pub mod blob_layout;
mod capture;
mod capture_format;
mod event;
mod hub;
mod identity;
mod kafka_group;
mod lag;
mod lag_board;
mod lag_forecast;
mod lag_history;
mod namespace;
mod next_event;
mod partition;
mod partition_key;
pub mod permissions;
mod position;
mod schema;
mod team;

pub use capture::{CaptureFailure, CaptureFileInfo, CaptureName};
pub use capture_format::{ARCHIVE_NAME_TOKENS, ArchiveNameFormat};
pub use event::{CloudEventAttributes, TailEvent};
pub use hub::{Hub, dead_letter_hub_for};
pub use identity::{Identity, SwitchedContext};
pub use kafka_group::{KafkaGroup, KafkaMember};
pub use lag::{
    BEHIND_AFTER, Checkpoint, ConsumerGroupLag, LOSING_SOON, LagPolicy, LagSnapshot, LagStatus,
    OWNER_EXPIRES_AFTER, Ownership, PartitionLag, PartitionLagSample,
};
pub use lag_board::{GroupBoard, GroupFailure, HubBoard, LagBoard};
pub use lag_forecast::{Forecast, duration_text};
pub use lag_history::{
    GROUP_TREND_POINTS, GroupHistory, PARTITION_TREND_POINTS, PartitionPoint, RATE_WINDOW, Rates,
    Ring, TREND_BUCKET, TrendPoint,
};
pub use namespace::Namespace;
pub use next_event::{NextEventOutcome, NextEventVerdict};
pub use partition::PartitionInfo;
pub use partition_key::partition_for_key;
pub use position::{StartPosition, StartPositionError};
pub use schema::{RegisteredSchema, SchemaFetch, schema_id_of_content_type};
pub use team::{TeamCard, Teams};
