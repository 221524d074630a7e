//! What the emulator does to the bytes a client sends before fe2o3 decodes them (the ingress
//! limits) and to every frame it sends (the padding): pure byte-level code.

#[path = "../../../src/emulator/amqp/frames.rs"]
pub mod frames;
#[path = "../../../src/emulator/amqp/ingress.rs"]
pub mod ingress;
#[path = "../../../src/emulator/amqp/sizes.rs"]
pub mod sizes;
