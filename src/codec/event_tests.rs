//! Whole events as the demo and other producers publish them, from hand-made fixtures.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use super::cloudevents::PropertyValue;
use super::schemas::{self, SchemaCache};
use super::*;

fn cache() -> (SchemaCache, String, String) {
    let mut cache = SchemaCache::complete();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    let sale = schemas::load_file(&mut cache, &dir.join("sale_confirmed.avsc")).expect("loads");
    let v1 = schemas::load_file(&mut cache, &dir.join("contact_purchased.avsc")).expect("loads");
    (cache, sale, v1)
}

fn string(out: &mut Vec<u8>, s: &str) {
    out.push((s.len() * 2) as u8);
    out.extend_from_slice(s.as_bytes());
}

/// A SaleConfirmed datum: sale-1, c-1, p-1, no lead, 99.5 EUR, web, confirmed at 1000 ms.
fn sale_datum() -> Vec<u8> {
    let mut out = Vec::new();
    for s in ["sale-1", "c-1", "p-1"] {
        string(&mut out, s);
    }
    out.push(0);
    out.extend_from_slice(&99.5f64.to_le_bytes());
    string(&mut out, "EUR");
    string(&mut out, "web");
    out.extend_from_slice(&[0xd0, 0x0f]);
    out
}

fn binary_properties() -> Vec<(String, PropertyValue)> {
    [
        ("specversion", "1.0"),
        ("id", "e-1"),
        ("source", "/conversions"),
        ("type", "com.example.sale.confirmed"),
    ]
    .iter()
    .map(|(k, v)| {
        (
            format!("cloudEvents_{k}"),
            PropertyValue::String((*v).to_owned()),
        )
    })
    .collect()
}

fn decode(
    content_type: Option<&str>,
    properties: &[(String, PropertyValue)],
    body: &[u8],
    cache: &SchemaCache,
) -> DecodedEvent {
    let readers = HashMap::new();
    decode_event(
        &EventInput {
            content_type,
            headers: Headers::Amqp(properties),
            body,
        },
        &DecodeOptions {
            schemas: cache,
            readers: &readers,
        },
    )
}

#[test]
fn a_demo_binary_mode_avro_event_decodes_cleanly() {
    let (cache, sale, _) = cache();
    let event = decode(
        Some(&format!("avro/binary+{sale}")),
        &binary_properties(),
        &sale_datum(),
        &cache,
    );
    assert_eq!(event.violations, vec![]);
    assert_eq!(
        event.schema_name.as_deref(),
        Some("com.example.conversions.SaleConfirmed")
    );
    assert_eq!(
        serde_json::to_string(&event.data.to_json()).expect("json"),
        r#"{"amount":99.5,"channel":"web","confirmedAt":1000,"contactId":"c-1","currency":"EUR","leadId":null,"productId":"p-1","saleId":"sale-1"}"#
    );
    assert_eq!(
        event
            .cloud_event
            .expect("a CloudEvent")
            .to_model()
            .id
            .as_deref(),
        Some("e-1")
    );
}

#[test]
fn failures_are_on_the_event_with_reasons_and_violations() {
    let (cache, sale, _) = cache();
    let datum = sale_datum();
    let truncated = decode(
        Some(&format!("avro/binary+{sale}")),
        &binary_properties(),
        &datum[..10],
        &cache,
    );
    assert!(
        matches!(truncated.data.error(), Some(DecodeError::Avro { .. })),
        "{:?}",
        truncated.data
    );
    assert_eq!(
        truncated
            .violations
            .iter()
            .map(|v| v.rule)
            .collect::<Vec<_>>(),
        vec!["content_type"]
    );

    let unknown = decode(
        Some("avro/binary+0123456789abcdef0123456789abcdef"),
        &[],
        &datum,
        &cache,
    );
    assert_eq!(
        unknown.data.error().map(DecodeError::kind),
        Some("unknown_schema")
    );
    let rules: Vec<_> = unknown.violations.iter().map(|v| v.rule).collect();
    assert_eq!(rules, vec!["cloudevent", "schema_registered"]);

    let mut pending = SchemaCache::new();
    pending.unavailable(&sale, "registry unreachable".into());
    let event = decode(
        Some(&format!("avro/binary+{sale}")),
        &binary_properties(),
        &datum,
        &pending,
    );
    assert_eq!(
        event.data.error().map(ToString::to_string).as_deref(),
        Some(format!("schema {sale} is unavailable: registry unreachable").as_str())
    );
}

#[test]
fn structured_json_text_and_hex_bodies() {
    let (cache, _, _) = cache();
    let body = br#"{"specversion":"1.0","id":"s-1","source":"/crm","type":"t","time":"yesterday","data":{"a":1}}"#;
    let event = decode(
        Some("application/cloudevents+json; charset=utf-8"),
        &[],
        body,
        &cache,
    );
    assert_eq!(event.data, Data::Json(serde_json::json!({"a": 1})));
    let reasons: Vec<_> = event.violations.iter().map(|v| v.reason.as_str()).collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(reasons[0].contains("RFC 3339") && reasons[1].contains("no registered schema"));

    let broken = decode(Some("application/cloudevents+json"), &[], b"{", &cache);
    assert_eq!(
        broken.data.error().map(DecodeError::kind),
        Some("cloudevent")
    );
    assert_eq!(
        decode(Some("text/plain"), &[], b"hello", &cache).data,
        Data::Text("hello".into())
    );
    assert_eq!(
        decode(None, &[], &[0xff, 0x01], &cache).data,
        Data::Hex("ff01".into())
    );
    let not_json = decode(
        Some("application/json"),
        &binary_properties(),
        b"{x",
        &cache,
    );
    assert!(not_json.violations.iter().any(|v| v.rule == "content_type"));
}

#[test]
fn confluent_framing_and_a_chosen_reader_version() {
    let (mut cache, _, v1) = cache();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    let v2_text = std::fs::read_to_string(dir.join("contact_purchased.v2.avsc")).expect("reads");
    let v2 = Arc::new(avro::Schema::parse(&v2_text).expect("parses"));
    let Lookup::Found(writer) = cache.lookup(&v1) else {
        panic!("v1 loaded")
    };
    cache.insert("7", writer);
    let mut body = vec![0, 0, 0, 0, 7];
    for s in ["c-1", "o-1", "p-1"] {
        string(&mut body, s);
    }
    body.extend_from_slice(&5.0f64.to_le_bytes());
    string(&mut body, "GBP");
    body.push(2);
    let readers = HashMap::from([("com.example.customer.ContactPurchased".to_owned(), v2)]);
    let event = decode_event(
        &EventInput {
            content_type: None,
            headers: Headers::Amqp(&binary_properties()),
            body: &body,
        },
        &DecodeOptions {
            schemas: &cache,
            readers: &readers,
        },
    );
    assert_eq!(event.schema_id.as_deref(), Some("7"));
    let data = event.data.to_json();
    assert_eq!(
        (
            data["paymentMethod"].as_str(),
            data["discountCode"].is_null()
        ),
        (Some("card"), true)
    );
    assert_eq!(data["purchasedAt"], 1);
}

#[test]
fn a_tail_event_decodes_from_its_text_properties() {
    let (cache, sale, _) = cache();
    let event = crate::model::TailEvent {
        enqueued_time: time::OffsetDateTime::UNIX_EPOCH,
        partition: "0".into(),
        sequence: 1,
        offset: "0".into(),
        cloud_event: crate::model::CloudEventAttributes::default(),
        content_type: Some(format!("avro/binary+{sale}")),
        properties: vec![
            ("cloudEvents_specversion".into(), "1.0".into()),
            ("cloudEvents_id".into(), "e-9".into()),
            ("cloudEvents_source".into(), "/conversions".into()),
            ("cloudEvents_type".into(), "t".into()),
        ],
        annotations: Vec::new(),
        body: sale_datum(),
    };
    let readers = HashMap::new();
    let decoded = tail::decode_tail_event(
        &event,
        &DecodeOptions {
            schemas: &cache,
            readers: &readers,
        },
    );
    assert_eq!(decoded.violations, vec![]);
    assert_eq!(decoded.data.to_json()["saleId"], "sale-1");
    // Serialised, records keep the schema's field order.
    let text = serde_json::to_string(&decoded.data).expect("json");
    assert!(
        text.starts_with(r#"{"saleId":"sale-1","contactId":"c-1""#),
        "{text}"
    );
}
