//! Avro for the console: schemas, datum decoding against a writer schema, resolution to a
//! reader schema, object container files, and rendering as JSON. Written for this crate
//! rather than taken from `apache-avro` because decode throughput is a stated goal (see
//! `benches/decode.rs`) and the console only ever reads.

pub mod container;
pub mod decode;
pub mod json;
pub mod resolve;
pub mod schema;
#[cfg(test)]
mod tests;

pub use decode::{AvroError, Value, decode_datum};
pub use json::AvroJson;
pub use resolve::{ResolveError, resolve};
pub use schema::{Schema, SchemaError};
