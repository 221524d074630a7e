//! Decoding what the business publishes, without I/O (except [`schemas::load_dir`], which
//! reads `.avsc` files): Avro framings and schemas, CloudEvents in each binding, JSON, text
//! and hex bodies, and the mandate check. Every function here takes bytes from anyone: none
//! panics, none allocates by a length it has not checked, and every failure is a value with
//! a reason a person can read.
//!
//! Entry point: [`decode_event`] with an [`EventInput`] and [`DecodeOptions`]; wire it to a
//! tail with [`tail::decode_tail_event`].

pub mod avro;
pub mod cloudevents;
pub mod error;
pub mod event;
#[cfg(test)]
mod event_tests;
pub mod framing;
pub mod mandate;
pub mod schemas;
pub mod tail;

pub use error::DecodeError;
pub use event::{Data, DecodeOptions, DecodedEvent, EventInput, Headers, decode_event};
pub use schemas::{Lookup, SchemaCache, SchemaLookup};
