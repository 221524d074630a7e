//! Resolution, rendering and container files, over hand-encoded bytes.

use super::container::{ContainerError, read_container};
use super::*;

fn schema(text: &str) -> Schema {
    Schema::parse(text).expect("valid schema")
}

fn render(schema: &Schema, value: &Value) -> String {
    serde_json::to_string(&AvroJson::root(schema, value)).expect("serialises")
}

const V1: &str = r#"{"type":"record","name":"Sale","namespace":"t","fields":[
    {"name":"id","type":"string"},
    {"name":"units","type":"int"},
    {"name":"channel","type":{"type":"enum","name":"Channel","symbols":["WEB","PHONE","PARTNER"]}},
    {"name":"dropped","type":"boolean"}]}"#;

const V2: &str = r#"{"type":"record","name":"Sale","namespace":"t","fields":[
    {"name":"units","type":["null","double"]},
    {"name":"id","type":"bytes"},
    {"name":"channel","type":{"type":"enum","name":"Channel","symbols":["WEB","PHONE"],"default":"WEB"}},
    {"name":"note","type":"string","default":"none"},
    {"name":"tags","type":{"type":"array","items":"string"},"default":["a"]}]}"#;

#[test]
fn a_newer_reader_promotes_reorders_defaults_and_drops() {
    let (writer, reader) = (schema(V1), schema(V2));
    // id "s1", units 3, channel PARTNER (2), dropped true.
    let bytes = [4, b's', b'1', 6, 4, 1];
    let written = decode_datum(&writer, &bytes).expect("decodes");
    assert_eq!(
        render(&writer, &written),
        r#"{"id":"s1","units":3,"channel":"PARTNER","dropped":true}"#
    );
    let read = resolve(&written, &writer, &reader).expect("resolves");
    assert_eq!(
        render(&reader, &read),
        r#"{"units":3.0,"id":"7331","channel":"WEB","note":"none","tags":["a"]}"#
    );
}

#[test]
fn resolution_refuses_what_the_specification_refuses() {
    let writer = schema(V1);
    let written = decode_datum(&writer, &[4, b's', b'1', 6, 4, 1]).expect("decodes");
    for (reader, reason) in [
        (r#"{"type":"record","name":"Other","fields":[]}"#, "is not"),
        (
            r#"{"type":"record","name":"Sale","fields":[{"name":"x","type":"int"}]}"#,
            "no default",
        ),
        (
            r#"{"type":"record","name":"Sale","fields":[{"name":"units","type":"string"}]}"#,
            "int cannot be read as a string",
        ),
        (
            r#"{"type":"record","name":"Sale","fields":[{"name":"channel","type":{"type":"enum","name":"Channel","symbols":["WEB"]}}]}"#,
            "no symbol PARTNER",
        ),
    ] {
        let error = resolve(&written, &writer, &schema(reader))
            .expect_err(reader)
            .to_string();
        assert!(error.contains(reason), "{reader}: {error}");
    }
}

#[test]
fn writer_unions_resolve_through_their_branch() {
    let writer = schema(r#"["null","int","string"]"#);
    let reader = schema(r#"["string","long"]"#);
    let written = decode_datum(&writer, &[2, 0x54]).expect("decodes");
    assert_eq!(
        resolve(&written, &writer, &reader),
        Ok(Value::Union(1, Box::new(Value::Long(42))))
    );
    let null = decode_datum(&writer, &[0]).expect("decodes");
    assert!(resolve(&null, &writer, &reader).is_err());
}

#[test]
fn renders_maps_fixed_and_non_finite_numbers() {
    let s = schema(
        r#"{"type":"record","name":"R","fields":[
        {"name":"m","type":{"type":"map","values":"double"}},
        {"name":"f","type":{"type":"fixed","name":"F","size":2}}]}"#,
    );
    let mut bytes = vec![2, 2, b'k'];
    bytes.extend_from_slice(&f64::NAN.to_le_bytes());
    bytes.extend_from_slice(&[0, 0xab, 0xcd]);
    let value = decode_datum(&s, &bytes).expect("decodes");
    assert_eq!(render(&s, &value), r#"{"m":{"k":"NaN"},"f":"abcd"}"#);
}

fn container(codec: &str, blocks: &[(i64, Vec<u8>)], sync: [u8; 16]) -> Vec<u8> {
    let mut out = b"Obj\x01".to_vec();
    let entries: [(&str, &[u8]); 2] = [
        ("avro.schema", br#""long""#),
        ("avro.codec", codec.as_bytes()),
    ];
    out.push(4); // two entries
    for (key, value) in entries {
        out.push((key.len() * 2) as u8);
        out.extend_from_slice(key.as_bytes());
        out.push((value.len() * 2) as u8);
        out.extend_from_slice(value);
    }
    out.push(0);
    out.extend_from_slice(&sync);
    for (count, data) in blocks {
        out.push((*count * 2) as u8);
        out.push((data.len() * 2) as u8);
        out.extend_from_slice(data);
        out.extend_from_slice(&sync);
    }
    out
}

#[test]
fn container_files_with_null_and_deflate_codecs() {
    let sync = [7u8; 16];
    let file =
        read_container(&container("null", &[(2, vec![2, 4]), (1, vec![6])], sync)).expect("reads");
    assert_eq!(
        file.records,
        vec![Value::Long(1), Value::Long(2), Value::Long(3)]
    );

    let mut deflated =
        flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut deflated, &[0x54, 0x53]).expect("compresses");
    let data = deflated.finish().expect("compresses");
    let file = read_container(&container("deflate", &[(2, data)], sync)).expect("reads");
    assert_eq!(file.records, vec![Value::Long(42), Value::Long(-42)]);

    let mut bad_sync = container("null", &[(1, vec![2])], sync);
    let last = bad_sync.len() - 1;
    bad_sync[last] ^= 1;
    assert_eq!(read_container(&bad_sync), Err(ContainerError::Sync(0)));
    assert!(matches!(
        read_container(&container("snappy", &[], sync)),
        Err(ContainerError::Codec(c)) if c == "snappy"
    ));
    assert_eq!(read_container(b"{}"), Err(ContainerError::NoMagic));
}
