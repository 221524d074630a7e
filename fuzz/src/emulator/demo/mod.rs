//! The parts of the demo the registry names (its schemas and event kinds).

#[path = "../../../../src/emulator/demo/avro.rs"]
pub mod avro;
#[path = "../../../../src/emulator/demo/events.rs"]
pub mod events;
#[path = "../../../../src/emulator/demo/random.rs"]
pub mod random;
#[path = "../../../../src/emulator/demo/records.rs"]
mod records;
#[path = "../../../../src/emulator/demo/schemas.rs"]
pub mod schemas;
