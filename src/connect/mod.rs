//! Everything that talks to a service: the Event Hubs data plane through Microsoft's SDK,
//! credentials, and (later) the catalog, schema registry and checkpoint stores. The console
//! reaches Azure and the embedded emulator the same way, through these.

pub mod connection_string;
pub mod sas_credential;
