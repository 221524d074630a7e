use time::OffsetDateTime;

use super::*;
use crate::codec::avro::{Schema, decode_datum};
use crate::model::CloudEventAttributes;

fn event(id: &str, kind: &str, subject: &str, body: &[u8]) -> TailEvent {
    TailEvent {
        enqueued_time: OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("time"),
        partition: "2".into(),
        sequence: 41,
        offset: "4096".into(),
        cloud_event: CloudEventAttributes {
            id: Some(id.into()),
            source: Some("/teams/customer/crm".into()),
            event_type: Some(kind.into()),
            subject: Some(subject.into()),
        },
        content_type: Some("avro/binary+abc".into()),
        properties: vec![
            ("cloudEvents_time".into(), "2024-05-01T10:00:00Z".into()),
            ("cloudEvents_traceparent".into(), "00-1-2-01".into()),
            ("region".into(), "eu".into()),
        ],
        annotations: vec![("x-opt-partition-key".into(), subject.into())],
        body: body.to_vec(),
    }
}

const SCHEMA: &str = r#"{"type":"record","name":"P","fields":[
  {"name":"contactId","type":"string"},{"name":"amount","type":"long"},
  {"name":"channel","type":{"type":"enum","name":"C","symbols":["web","shop"]}},
  {"name":"note","type":["null","string"],"default":null}]}"#;

/// `contactId` "cont-00042", amount 7, channel shop, note "hi".
const DATUM: &[u8] = &[
    20, b'c', b'o', b'n', b't', b'-', b'0', b'0', b'0', b'4', b'2', 14, 2, 2, 4, b'h', b'i',
];

fn avro_data() -> Data {
    let schema = std::sync::Arc::new(Schema::parse(SCHEMA).expect("schema"));
    let value = decode_datum(&schema, DATUM).expect("decodes");
    Data::Avro { schema, value }
}

fn check(text: &str, event: &TailEvent, data: fn() -> Data) -> Verdict {
    let query = Query::compile(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    query.evaluate(&Candidate {
        hub: "sale",
        event,
        decode: &data,
    })
}

#[test]
fn attributes_position_properties_and_data_are_variables() {
    let e = event("e-1", "com.example.sale.purchased", "cont-00042", b"");
    for yes in [
        r#"data.contactId == "cont-00042" && type.endsWith(".purchased")"#,
        r#"data.channel == "shop" && data.amount > 5 && data.note == "hi""#,
        r#"source.startsWith("/teams/") && subject == "cont-00042" && id == "e-1""#,
        r#"partition == 2 && sequence == 41 && offset == "4096" && hub == "sale""#,
        r#"properties.region == "eu" && extensions.traceparent == "00-1-2-01""#,
        r#"time > timestamp("2024-01-01T00:00:00Z") && enqueued < timestamp("2024-01-01T00:00:00Z")"#,
        r#"key == "cont-00042" && datacontenttype == "avro/binary+abc" && specversion == null"#,
        r#"[1, 2].exists(x, x == 2)"#,
    ] {
        assert!(check(yes, &e, avro_data).matched, "{yes}");
    }
    for no in [
        r#"data.contactId == "cont-00043""#,
        r#"properties.missing == "x""#,
        r#"type"#,
        r#"data.amount > "x""#,
    ] {
        assert!(!check(no, &e, avro_data).matched, "{no}");
    }
}

#[test]
fn data_is_decoded_only_when_evaluation_reaches_it() {
    let e = event("e-1", "t.a", "s", b"");
    let skipped = check(r#"type == "t.b" && data.amount == 7"#, &e, || {
        panic!("decoded")
    });
    assert_eq!(
        skipped,
        Verdict {
            matched: false,
            decoded: None
        }
    );
    let failed = check(r#"data == null || data.amount == 7"#, &e, || {
        Data::Failed(crate::codec::DecodeError::UnknownSchema { id: "x".into() })
    });
    assert_eq!(
        failed,
        Verdict {
            matched: true,
            decoded: Some(false)
        }
    );
    assert!(
        Query::compile("data.a == 1")
            .expect("compiles")
            .needs_data()
    );
    assert!(
        !Query::compile("type == 'x'")
            .expect("compiles")
            .needs_data()
    );
}

#[test]
fn a_bare_word_looks_in_id_subject_type_and_body() {
    let e = event(
        "e-1",
        "com.example.sale.purchased",
        "cont-00042",
        b"{\"x\":\"needle\"}",
    );
    for word in ["cont-00042", "sale.purchased", "e-1", "needle", "42"] {
        assert!(check(word, &e, avro_data).matched, "{word}");
    }
    assert!(!check("cont-00043", &e, avro_data).matched);
    assert!(
        !check("source", &e, avro_data).matched,
        "a variable alone is an expression"
    );
}

#[test]
fn a_bad_expression_names_its_column() {
    let unknown = Query::compile(r#"type == "x" && contactId == "c""#)
        .err()
        .expect("refused");
    assert_eq!(unknown.column, 16);
    assert!(
        unknown.message.starts_with("unknown variable `contactId`"),
        "{unknown}"
    );
    let broken = Query::compile(r#"type == ("x""#).err().expect("refused");
    assert_eq!(broken.column, 13, "{broken}");
    let inner = Query::compile(r#"[1].exists(x, x == y)"#)
        .err()
        .expect("refused");
    assert_eq!(
        (inner.column, inner.message.contains("`y`")),
        (20, true),
        "{inner}"
    );
    assert_eq!(Query::compile("  ").err().map(|e| e.column), Some(1));
}
