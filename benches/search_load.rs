//! Loads a search benchmark's hub: Avro CloudEvents (binary mode) of `ContactPurchased`, nine
//! in ten written with version 1 and one in ten with version 2 (both registered in the
//! emulator's Schema Registry), subjects `cont-00000` to `cont-00999` in turn, spread evenly
//! over the partitions, or with `keyed` sent with their subject as partition key (as producers
//! that key by aggregate do). Not a criterion benchmark: `scripts/bench-search.sh` runs it
//! once before timing the searches, and it prints its ingest rate as JSON.
//!
//! Arguments: CONNECTION_STRING REGISTRY_URL HUB EVENTS PARTITIONS [keyed]

use std::sync::Arc;
use std::time::Instant;

use apache_avro::types::Value as Avro;
use azure_core::http::Url;
use azure_messaging_eventhubs::models::EventData;
use azure_messaging_eventhubs::{EventDataBatchOptions, ProducerClient};
use ehops::connect::catalog::SasAuth;
use ehops::connect::connection_string::ConnectionString;
use ehops::connect::registry::SchemaRegistry;
use ehops::connect::sas_credential::SasCredential;

const V1: &str = include_str!("../schemas/contact_purchased.avsc");
const V2: &str = include_str!("../schemas/contact_purchased.v2.avsc");
const NAME: &str = "com.example.customer.ContactPurchased";
const BATCH: usize = 500;
const SUBJECTS: usize = 1000;

struct Load {
    cs: ConnectionString,
    registry: String,
    hub: String,
    events: usize,
    partitions: usize,
    keyed: bool,
}

fn args() -> Result<Load, String> {
    let raw: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if raw.len() < 5 {
        return Err(
            "usage: search_load CONNECTION_STRING REGISTRY_URL HUB EVENTS PARTITIONS".into(),
        );
    }
    let number = |i: usize| {
        raw[i]
            .parse::<usize>()
            .map_err(|e| format!("argument {}: {e}", i + 1))
    };
    Ok(Load {
        cs: ConnectionString::parse(&raw[0]).map_err(|e| e.to_string())?,
        registry: raw[1].clone(),
        hub: raw[2].clone(),
        events: number(3)?,
        partitions: number(4)?.max(1),
        keyed: raw.get(5).is_some_and(|a| a == "keyed"),
    })
}

fn subject(i: usize) -> String {
    format!("cont-{:05}", i % SUBJECTS)
}

/// Where each event goes: a lane per partition (by id), or with `keyed` a lane per subject
/// (by partition key), each lane a list of event numbers in send order.
fn lanes(load: &Load) -> Vec<Lane> {
    let lanes = if load.keyed {
        SUBJECTS
    } else {
        load.partitions
    };
    (0..lanes)
        .map(|lane| Lane {
            partition_id: (!load.keyed).then(|| lane.to_string()),
            partition_key: load.keyed.then(|| subject(lane)),
            events: (lane..load.events).step_by(lanes).collect(),
        })
        .collect()
}

struct Lane {
    partition_id: Option<String>,
    partition_key: Option<String>,
    events: Vec<usize>,
}

/// Event `i`'s Avro datum with the schema version it is written with.
fn datum(i: usize, schemas: &[apache_avro::Schema; 2]) -> Result<(usize, Vec<u8>), String> {
    let version = usize::from(i % 10 == 9);
    let mut fields = vec![
        ("contactId".to_owned(), Avro::String(subject(i))),
        ("orderId".to_owned(), Avro::String(format!("ord-{i:07}"))),
        (
            "productId".to_owned(),
            Avro::String(format!("prod-{:03}", i % 500)),
        ),
        ("amount".to_owned(), Avro::Double((i % 1000) as f64 / 10.0)),
        ("currency".to_owned(), Avro::String("EUR".into())),
        (
            "purchasedAt".to_owned(),
            Avro::TimestampMillis(1_700_000_000_000 + i as i64),
        ),
    ];
    if version == 1 {
        fields.push(("paymentMethod".to_owned(), Avro::String("card".into())));
        fields.push((
            "discountCode".to_owned(),
            Avro::Union(0, Box::new(Avro::Null)),
        ));
    }
    let bytes = apache_avro::writer::datum::GenericDatumWriter::builder(&schemas[version])
        .build()
        .and_then(|writer| writer.write_value_to_vec(Avro::Record(fields)))
        .map_err(|e| e.to_string())?;
    Ok((version, bytes))
}

async fn load(load: Load) -> Result<f64, String> {
    let credential = Arc::new(SasCredential::from_connection_string(&load.cs));
    let endpoint = load
        .cs
        .custom_endpoint()
        .ok_or("the benchmark targets a local emulator (UseDevelopmentEmulator=true)")?;
    let url = Url::parse(&load.registry).map_err(|e| e.to_string())?;
    let auth =
        SasAuth::new(Arc::clone(&credential) as Arc<dyn azure_core::credentials::TokenCredential>);
    let registry = SchemaRegistry::new(url, Arc::new(auth));
    let mut ids = Vec::new();
    for text in [V1, V2] {
        let registered = registry.register_avro("bench", NAME, text).await;
        ids.push(registered.map_err(|e| e.to_string())?.id);
    }
    let schemas = [
        apache_avro::Schema::parse_str(V1).map_err(|e| e.to_string())?,
        apache_avro::Schema::parse_str(V2).map_err(|e| e.to_string())?,
    ];
    let started = Instant::now();
    let mut tasks = Vec::new();
    let mut work: Vec<Vec<Lane>> = (0..load.partitions).map(|_| Vec::new()).collect();
    for (n, lane) in lanes(&load).into_iter().enumerate() {
        work[n % load.partitions].push(lane);
    }
    for lanes in work {
        let mut bodies = Vec::new();
        for lane in &lanes {
            for &i in &lane.events {
                bodies.push(datum(i, &schemas)?);
            }
        }
        let (credential, endpoint, hub, ids) = (
            Arc::clone(&credential),
            endpoint.clone(),
            load.hub.clone(),
            ids.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let producer = ProducerClient::builder()
                .with_custom_endpoint(endpoint)
                .open("bench", &hub, credential)
                .await
                .map_err(|e| e.to_string())?;
            let mut bodies = bodies.into_iter();
            for lane in lanes {
                for chunk in lane.events.chunks(BATCH) {
                    let options = EventDataBatchOptions {
                        partition_id: lane.partition_id.clone(),
                        partition_key: lane.partition_key.clone(),
                        ..Default::default()
                    };
                    let batch = producer
                        .create_batch(Some(options))
                        .await
                        .map_err(|e| e.to_string())?;
                    for &i in chunk {
                        let (version, body) = bodies.next().ok_or("fewer bodies than events")?;
                        let event = EventData::builder()
                            .with_body(body)
                            .with_content_type(format!("avro/binary+{}", ids[version]))
                            .add_property("cloudEvents_specversion".into(), "1.0")
                            .add_property("cloudEvents_id".into(), format!("evt-{i:07}"))
                            .add_property(
                                "cloudEvents_type".into(),
                                "com.example.customer.contact.purchased",
                            )
                            .add_property("cloudEvents_source".into(), "/teams/customer/shop")
                            .add_property("cloudEvents_subject".into(), subject(i))
                            .build();
                        if !batch
                            .try_add_event_data(event, None)
                            .map_err(|e| e.to_string())?
                        {
                            return Err(format!("event {i} does not fit a batch"));
                        }
                    }
                    producer
                        .send_batch(batch, None)
                        .await
                        .map_err(|e| e.to_string())?;
                }
            }
            Ok::<(), String>(())
        }));
    }
    for task in tasks {
        task.await.map_err(|e| e.to_string())??;
    }
    Ok(started.elapsed().as_secs_f64())
}

#[tokio::main]
async fn main() {
    let load_args = match args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    let events = load_args.events;
    match load(load_args).await {
        Ok(seconds) => println!(
            "{}",
            serde_json::json!({
                "loaded": events,
                "ingest_events_per_s": (events as f64 / seconds).round(),
            })
        ),
        Err(message) => {
            eprintln!("load failed: {message}");
            std::process::exit(1);
        }
    }
}
