//! Pure encodings and the reasoning over them, shared by the emulator and the console. No I/O
//! except [`schemas::load_dir`], which reads `.avsc` files. Every function here takes bytes
//! from anyone: none panics, none allocates by a length it has not checked, and every failure
//! is a value with a reason a person can read.
//!
//! - Decoding events: [`decode_event`] with an [`EventInput`] and [`DecodeOptions`] (Avro
//!   framings and schemas, CloudEvents in each binding, JSON/text/hex bodies, the mandate
//!   check); wire it to a tail with [`tail::decode_tail_event`].
//! - [`query`]: search expressions (CEL or a bare word) over one event.
//! - [`schema_compat`]: backward/forward/full compatibility between two Avro schemas.
//! - [`schema_diff`]: which fields two versions of an Avro schema add, remove or change.

pub mod avro;
pub mod capture;
pub mod cloudevents;
pub mod error;
pub mod event;
#[cfg(test)]
mod event_tests;
pub mod framing;
pub mod mandate;
pub mod query;
pub mod report;
pub mod schema_compat;
pub mod schema_diff;
pub mod schemas;
pub mod tail;

pub use error::DecodeError;
pub use event::{Data, DecodeOptions, DecodedEvent, EventInput, Headers, decode_event};
pub use schemas::{Lookup, SchemaCache, SchemaLookup};
