//! The embedded Event Hubs-compatible emulator.
