//! `ehops search` against an emulator holding known events: two schema versions, events that
//! do not decode (an unregistered schema, a corrupt body), across two partitions. The answer
//! is checked against the same predicate computed here by brute force: exactly those ids, in
//! enqueued order, with exact per-partition counts.

mod common;

use std::sync::Arc;

use apache_avro::types::Value as Avro;
use azure_core::http::Url;
use azure_messaging_eventhubs::SendEventOptions;
use azure_messaging_eventhubs::models::EventData;
use common::TestEmulator;
use common::sdk_producer::SdkProducer;
use ehops::connect::catalog::SasAuth;
use ehops::connect::registry::SchemaRegistry;
use serde_json::Value;

const CONFIG: &str = r#"
[[namespace]]
name = "search"

[[namespace.rule]]
name = "RootManageSharedAccessKey"
key = "search-root-key-00000000000000000000000000="
rights = ["Listen", "Send", "Manage"]

[[namespace.hub]]
name = "purchases"
partitions = 2
consumer_groups = ["ehops"]
[[namespace.hub.rule]]
name = "purchases-listen"
key = "purchases-listen-key-000000000000000000000="
rights = ["Listen"]

[[namespace.hub]]
name = "secret"
partitions = 1
consumer_groups = ["ehops"]

[[namespace.schema_group]]
name = "customer"
"#;

const V1: &str = include_str!("../schemas/contact_purchased.avsc");
const V2: &str = include_str!("../schemas/contact_purchased.v2.avsc");
const NAME: &str = "com.example.customer.ContactPurchased";
const EVENTS: usize = 24;

/// What event `i` is, for sending and for the brute-force answer.
struct Known {
    id: String,
    subject: String,
    partition: &'static str,
    currency: &'static str,
    amount: f64,
    /// Version 2 only.
    payment: Option<&'static str>,
    /// Sent so that it cannot decode.
    broken: bool,
}

fn known(i: usize) -> Known {
    Known {
        id: format!("e-{i:02}"),
        subject: format!("cont-{}", i % 5),
        partition: if i.is_multiple_of(3) { "1" } else { "0" },
        currency: if i.is_multiple_of(4) { "EUR" } else { "USD" },
        amount: (i * 7 % 30) as f64,
        payment: (i % 2 == 1).then_some(if i % 3 == 1 { "paypal" } else { "card" }),
        broken: i % 7 == 3,
    }
}

const EXPRESSION: &str = r#"data.currency == "EUR" && data.amount >= 10.0 || subject == "cont-3" || data.paymentMethod == "paypal""#;

/// The expression above, evaluated here: an event that does not decode matches only on its
/// attributes; `paymentMethod` exists in version 2 only.
fn expected(k: &Known) -> bool {
    let decodes = !k.broken;
    (decodes && k.currency == "EUR" && k.amount >= 10.0)
        || k.subject == "cont-3"
        || (decodes && k.payment == Some("paypal"))
}

fn datum(k: &Known, schema: &apache_avro::Schema) -> Vec<u8> {
    let mut fields = vec![
        ("contactId".to_owned(), Avro::String(k.subject.clone())),
        ("orderId".to_owned(), Avro::String(format!("o-{}", k.id))),
        ("productId".to_owned(), Avro::String("p-1".into())),
        ("amount".to_owned(), Avro::Double(k.amount)),
        ("currency".to_owned(), Avro::String(k.currency.into())),
        (
            "purchasedAt".to_owned(),
            Avro::TimestampMillis(1_700_000_000_000),
        ),
    ];
    if let Some(payment) = k.payment {
        fields.push(("paymentMethod".to_owned(), Avro::String(payment.into())));
        fields.push((
            "discountCode".to_owned(),
            Avro::Union(0, Box::new(Avro::Null)),
        ));
    }
    apache_avro::writer::datum::GenericDatumWriter::builder(schema)
        .build()
        .and_then(|writer| writer.write_value_to_vec(Avro::Record(fields)))
        .expect("encodes")
}

/// Registers both versions and sends the known events, one at a time in order.
async fn load(emu: &TestEmulator) {
    let auth = Arc::new(SasAuth::new(emu.credential("RootManageSharedAccessKey")));
    let registry = SchemaRegistry::new(Url::parse(&emu.catalog()).expect("url"), auth);
    let v1 = registry
        .register_avro("customer", NAME, V1)
        .await
        .expect("v1");
    let v2 = registry
        .register_avro("customer", NAME, V2)
        .await
        .expect("v2");
    let schemas = [
        apache_avro::Schema::parse_str(V1).expect("v1 parses"),
        apache_avro::Schema::parse_str(V2).expect("v2 parses"),
    ];
    let producer = SdkProducer::root(emu, "purchases").await;
    for i in 0..EVENTS {
        let k = known(i);
        let version = usize::from(k.payment.is_some());
        let (body, schema_id) = match (k.broken, i % 2) {
            // Not registered anywhere.
            (true, 0) => (
                datum(&k, &schemas[0]),
                "ffffffffffffffffffffffffffffffff".to_owned(),
            ),
            // A registered schema, a body that is not its data.
            (true, _) => (vec![0xff; 3], v2.id.clone()),
            _ => (
                datum(&k, &schemas[version]),
                [&v1.id, &v2.id][version].clone(),
            ),
        };
        let event = EventData::builder()
            .with_body(body)
            .with_content_type(format!("avro/binary+{schema_id}"))
            .add_property("cloudEvents_specversion".into(), "1.0")
            .add_property("cloudEvents_id".into(), k.id.clone())
            .add_property(
                "cloudEvents_type".into(),
                "com.example.customer.contact.purchased",
            )
            .add_property("cloudEvents_source".into(), "/teams/customer/shop")
            .add_property("cloudEvents_subject".into(), k.subject.clone())
            .build();
        let options = SendEventOptions {
            partition_id: Some(k.partition.into()),
        };
        producer
            .send_event(event, Some(options))
            .await
            .expect("send");
        // Distinct enqueued milliseconds, so the expected order is the send order.
        tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    }
    producer.close().await;
}

fn summary(lines: &[Value]) -> &Value {
    &lines.last().expect("a summary line")["summary"]
}

/// The ids of the matches: every line but the summary.
fn match_ids(lines: &[Value]) -> Vec<&str> {
    lines[..lines.len() - 1]
        .iter()
        .map(|l| l["id"].as_str().expect("an id"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_returns_exactly_the_brute_force_answer_with_exact_counts() {
    let emu = common::start(CONFIG).await;
    load(&emu).await;
    let run = emu
        .ehops(&["search", "purchases", "--where", EXPRESSION, "--json"])
        .await;
    assert_eq!(run.code, 0, "{run:?}");
    let lines = run.json_lines();
    let ids = match_ids(&lines);
    let all: Vec<Known> = (0..EVENTS).map(known).collect();
    let want: Vec<&str> = all
        .iter()
        .filter(|k| expected(k))
        .map(|k| k.id.as_str())
        .collect();
    assert!(
        want.len() > 3 && want.len() < EVENTS,
        "the data set tells matches apart"
    );
    assert_eq!(ids, want);
    let s = summary(&lines);
    assert_eq!(s["scanned"], EVENTS);
    assert_eq!(s["matched"], want.len());
    assert_eq!(s["undecodable"], all.iter().filter(|k| k.broken).count());
    for partition in ["0", "1"] {
        let held: Vec<&Known> = all.iter().filter(|k| k.partition == partition).collect();
        let p = s["partitions"]
            .as_array()
            .expect("partitions")
            .iter()
            .find(|p| p["partition"] == partition)
            .expect("each partition reported");
        let last = held.len() - 1;
        assert_eq!(p["planned"], serde_json::json!([0, last]), "{p}");
        assert_eq!(p["read"], serde_json::json!([0, last]), "{p}");
        assert_eq!(p["scanned"], held.len());
        assert_eq!(p["matched"], held.iter().filter(|k| expected(k)).count());
        assert_eq!(p["undecodable"], held.iter().filter(|k| k.broken).count());
        assert_eq!(p["status"], "complete");
    }
    // Decoded data travels with each match: version 2 fields where the event has them.
    let paypal = lines
        .iter()
        .find(|l| l["data"]["paymentMethod"] == "paypal");
    assert!(paypal.is_some(), "{}", run.stdout);

    // --limit keeps the earliest and counts the rest; a bare word searches id, subject,
    // type and body.
    let limited = emu
        .ehops(&[
            "search",
            "purchases",
            "--where",
            "cont-3",
            "--limit",
            "2",
            "--json",
        ])
        .await;
    assert_eq!(limited.code, 0, "{limited:?}");
    let lines = limited.json_lines();
    let cont3: Vec<&str> = all
        .iter()
        .filter(|k| k.subject == "cont-3")
        .map(|k| k.id.as_str())
        .collect();
    let shown = match_ids(&lines);
    assert_eq!(shown, cont3[..2]);
    assert_eq!(summary(&lines)["matched"], cont3.len());
    assert_eq!(lines.last().expect("summary")["kept"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_expression_points_at_its_column_and_exits_2() {
    let emu = common::start(CONFIG).await;
    let unknown = emu
        .ehops(&[
            "search",
            "purchases",
            "--where",
            r#"type == "x" && contactId == "c""#,
        ])
        .await;
    assert_eq!(unknown.code, 2, "{unknown:?}");
    assert!(
        unknown
            .stderr
            .contains("column 16: unknown variable `contactId`"),
        "{}",
        unknown.stderr
    );
    let broken = emu
        .ehops(&["search", "purchases", "--where", "type == ("])
        .await;
    assert_eq!(broken.code, 2, "{broken:?}");
    // The end of the text, where the missing operand should be.
    assert!(broken.stderr.contains("column 10"), "{}", broken.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_the_identity_cannot_read_is_skipped_with_the_permission_named() {
    let emu = common::start(CONFIG).await;
    load(&emu).await;
    let listen = emu.running.namespaces[0]
        .rules
        .iter()
        .find(|r| r.name == "purchases-listen")
        .expect("the hub rule")
        .connection_string
        .clone();
    let args: Vec<String> = [
        "search",
        "purchases",
        "secret",
        "--where",
        "cont-3",
        "--json",
        "--connection-string",
        &listen,
        "--catalog",
        &emu.catalog(),
    ]
    .iter()
    .map(|a| (*a).to_owned())
    .collect();
    let run = common::ehops(args, &emu.data.path().join("console")).await;
    assert_eq!(run.code, 0, "{run:?}");
    let lines = run.json_lines();
    let s = summary(&lines);
    let skipped = s["skipped"].as_array().expect("skipped");
    assert_eq!(skipped.len(), 1, "{s}");
    assert_eq!(skipped[0]["hub"], "secret");
    let reason = skipped[0]["reason"].as_str().expect("a reason");
    assert!(
        reason.contains("Microsoft.EventHub/namespaces/messages/receive/action"),
        "{reason}"
    );
    assert_eq!(
        s["scanned"], EVENTS,
        "the readable hub was searched in full"
    );
    assert!(run.stderr.contains("hub secret skipped"), "{}", run.stderr);
}

/// `--since` reads only what was enqueued in the window, and a window newer than every event
/// a partition holds finds nothing there at once (it used to wait 30 s for an event that was
/// not coming, then fail the search with exit 3).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_since_window_reads_only_its_events_and_ends_at_once_where_there_are_none() {
    let emu = common::start(CONFIG).await;
    load(&emu).await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let late = EventData::builder()
        .with_body(b"late".to_vec())
        .add_property("cloudEvents_id".into(), "late-1")
        .add_property("cloudEvents_subject".into(), "cont-late")
        .build();
    let root = emu.credential("RootManageSharedAccessKey");
    common::send_events_to_partition_0(emu.endpoint(), "search", "purchases", root, vec![late])
        .await;
    let run = emu
        .ehops(&[
            "search",
            "purchases",
            "--where",
            "cont",
            "--since",
            "2s",
            "--json",
        ])
        .await;
    assert_eq!(run.code, 0, "{run:?}");
    let lines = run.json_lines();
    let ids = match_ids(&lines);
    assert_eq!(ids, ["late-1"], "only the event in the window");
    let s = summary(&lines);
    assert_eq!(s["scanned"], 1, "{s}");
    let partitions = s["partitions"].as_array().expect("partitions");
    let quiet = partitions
        .iter()
        .find(|p| p["partition"] == "1")
        .expect("partition 1 reported");
    assert_eq!(quiet["status"], "complete", "{quiet}");
    assert_eq!(quiet["planned"], Value::Null, "nothing to read: {quiet}");
    assert_eq!(quiet["scanned"], 0);
}
