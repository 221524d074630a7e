//! Pure encodings and the reasoning over them, shared by the emulator and the console: no I/O.
//! - [`schema_compat`]: backward/forward/full compatibility between two Avro schemas.
//! - [`schema_diff`]: which fields two versions of an Avro schema add, remove or change.

pub mod schema_compat;
pub mod schema_diff;
