//! ehops: a terminal operations console for Azure Event Hubs, and the Event Hubs-compatible
//! emulator it carries so that it runs with no cloud account.
//!
//! Module map (see `docs/architecture.md` for the rules between them):
//! - [`backend`]: the console's backend task: runs the console's requests with [`connect`]
//!   and [`ops`], answers with replies; messages only.
//! - [`protocol`]: the requests and replies between console and backend, owned by neither.
//! - [`codec`]: pure and fuzzable: decoding events (Avro framings and schemas, CloudEvents
//!   bindings, JSON/text/hex bodies, the mandate check) and Avro schema compatibility and diff,
//!   shared by emulator and console.
//! - [`commands`]: the headless subcommands (`ehops emulator`, ...), one file each.
//! - [`connect`]: everything that talks to a service (Event Hubs SDK, ARM catalog, checkpoint
//!   stores, credentials).
//! - [`ops`]: what an on-call engineer does (lag), over [`connect`].
//! - [`model`]: plain domain types shared by every layer; no I/O.
//! - [`emulator`]: the local Event Hubs: AMQP 1.0 data plane, partition log store, SAS/CBS
//!   auth, management node, HTTP surface (health, ARM-shaped catalog), checkpoint store in the
//!   blob layout, demo organisation with live traffic and consumers. The console never imports
//!   it; it reaches it through the same wire protocols it uses against Azure. The one public
//!   entry is [`emulator::launch`].
//! - [`tui`]: the terminal console: actions, keymap and theme files, pane state, views and
//!   the app state machine; talks to a backend only through [`protocol`].
#![forbid(unsafe_code)]

pub mod backend;
pub mod codec;
pub mod commands;
pub mod connect;
pub mod emulator;
pub mod model;
pub mod ops;
pub mod protocol;
pub mod tui;
