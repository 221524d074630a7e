//! Any bytes as an Avro object container file, with its schema inside.
#![no_main]

use ehops_fuzz::codec::avro::AvroJson;
use ehops_fuzz::codec::avro::container::read_container;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut bytes = b"Obj\x01".to_vec();
    bytes.extend_from_slice(data);
    if let Ok(file) = read_container(&bytes) {
        for record in &file.records {
            let _ = serde_json::to_string(&AvroJson::root(&file.schema, record));
        }
    }
});
