//! The emulator's HTTP surface (health, ARM-shaped catalog, Schema Registry), its AMQP data
//! plane and store, and what they stand on (config, SAS, entity paths, the demo's schema list),
//! from the main crate's own files; the demo's traffic and consumers stay out.

#[path = "../../../src/emulator/amqp/mod.rs"]
pub mod amqp;
#[path = "../../../src/emulator/catalog/mod.rs"]
pub mod catalog;
#[path = "../../../src/emulator/config/mod.rs"]
pub mod config;
pub mod demo;
#[path = "../../../src/emulator/entity_path.rs"]
pub mod entity_path;
#[path = "../../../src/emulator/faults/mod.rs"]
pub mod faults;
#[path = "../../../src/emulator/http.rs"]
pub mod http;
pub mod kafka;
#[path = "../../../src/emulator/registry/mod.rs"]
pub mod registry;
#[path = "../../../src/emulator/sas.rs"]
pub mod sas;
#[path = "../../../src/emulator/store/mod.rs"]
pub mod store;
