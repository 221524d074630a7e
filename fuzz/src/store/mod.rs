//! Reading a partition log's segment files: records, the scan at start that finds damage and
//! resynchronises after it, and reads that step over the damage.

#[path = "../../../src/emulator/store/record.rs"]
pub mod record;
#[path = "../../../src/emulator/store/scan.rs"]
pub mod scan;
#[path = "../../../src/emulator/store/segment.rs"]
pub mod segment;
