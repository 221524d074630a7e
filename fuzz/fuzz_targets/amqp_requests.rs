//! Any requests a client sends on one connection to the emulator's `$cbs` (put-token) and
//! `$management` (READ) nodes, decoded and answered by the server's own code over a small
//! config and store: messages the input builds (application properties from the names the
//! nodes read with fuzzed or known values, tokens signed with the config's keys, any body) or
//! any bytes as an encoded message. Every decodable request gets a reply with a status that
//! is not a 5xx, and the reply decodes again as the SDKs decode it.
#![no_main]

use std::sync::{Arc, OnceLock};

use ehops_fuzz::emulator::amqp::{DataPlane, answer_encoded_requests};
use ehops_fuzz::emulator::config::EmulatorConfig;
use ehops_fuzz::emulator::store::Store;
use ehops_fuzz::sas_token;
use fe2o3_amqp_types::messaging::message::__private::{Deserializable, Serializable};
use fe2o3_amqp_types::messaging::{AmqpValue, ApplicationProperties, Body, Message, Properties};
use fe2o3_amqp_types::primitives::{Binary, SimpleValue, Symbol, Value};
use libfuzzer_sys::arbitrary::{Result as Parsed, Unstructured};
use libfuzzer_sys::fuzz_target;

const CONFIG: &str = r#"
[[namespace]]
name = "contoso"
[[namespace.rule]]
name = "root"
key = "root-key"
rights = ["Listen", "Send", "Manage"]
[[namespace.hub]]
name = "orders"
partitions = 2
[[namespace.hub.rule]]
name = "team-product"
key = "product-key"
rights = ["Send"]

[[namespace]]
name = "fabrikam"
[[namespace.rule]]
name = "listen"
key = "listen-key"
rights = ["Listen"]
[[namespace.hub]]
name = "telemetry"
partitions = 1
"#;

const NODES: &[&str] = &["$cbs", "$management", "$CBS", "$Management"];
const OPERATIONS: &[&str] = &["put-token", "READ", "read", "delete-token"];
const NAMES: &[&str] = &[
    "sb://contoso.localhost/orders",
    "sb://contoso.localhost/",
    "amqps://fabrikam.servicebus.windows.net/telemetry",
    "sb://unknown.localhost/orders",
    "orders",
    "ORDERS",
    "telemetry",
    "",
];
const TYPES: &[&str] = &[
    "com.microsoft:eventhub",
    "com.microsoft:partition",
    "servicebus.windows.net:sastoken",
    "jwt",
];
const PARTITIONS: &[&str] = &["0", "1", "2", "-1", "00", "4294967296"];

struct Fixture {
    runtime: tokio::runtime::Runtime,
    plane: Arc<DataPlane>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let config = Arc::new(
            EmulatorConfig::parse(CONFIG, std::path::Path::new("fuzz.toml")).expect("config"),
        );
        let root = std::env::temp_dir().join(format!("ehops-fuzz-amqp-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let store = runtime
            .block_on(async { Store::open(&root, &config) })
            .expect("store");
        let plane = Arc::new(DataPlane::new(config, Arc::new(store), 1_700_000_000_000));
        Fixture { runtime, plane }
    })
}

/// A known string, a fuzzed one, or a value of another type.
fn property(u: &mut Unstructured, known: &[&str]) -> Parsed<SimpleValue> {
    Ok(match u.int_in_range(0..=5u8)? {
        0 | 1 => SimpleValue::String((*u.choose(known)?).to_string()),
        2 => SimpleValue::Symbol(Symbol::from(*u.choose(known)?)),
        3 => SimpleValue::String(u.arbitrary()?),
        4 => SimpleValue::Int(u.arbitrary()?),
        _ => SimpleValue::Binary(Binary::from(u.arbitrary::<Vec<u8>>()?)),
    })
}

fn token(u: &mut Unstructured) -> Parsed<String> {
    let far = 4_102_444_800; // 2100
    Ok(match u.int_in_range(0..=6u8)? {
        0 => sas_token("sb://contoso.localhost/", "root", "root-key", far),
        1 => sas_token(
            "sb://contoso.localhost/orders",
            "team-product",
            "product-key",
            far,
        ),
        2 => sas_token("sb://fabrikam.localhost/", "listen", "listen-key", far),
        3 => sas_token("sb://contoso.localhost/", "root", "root-key", 1),
        4 => sas_token(&u.arbitrary::<String>()?, "root", "root-key", far),
        5 => sas_token(
            "sb://contoso.localhost/",
            &u.arbitrary::<String>()?,
            "root-key",
            far,
        ),
        _ => u.arbitrary()?,
    })
}

fn body(u: &mut Unstructured) -> Parsed<Value> {
    Ok(match u.int_in_range(0..=5u8)? {
        0 | 1 => Value::String(token(u)?),
        2 => Value::Null,
        3 => Value::Symbol(Symbol::from(token(u)?)),
        4 => Value::Binary(Binary::from(u.arbitrary::<Vec<u8>>()?)),
        _ => Value::List(vec![Value::String(token(u)?), Value::Long(u.arbitrary()?)]),
    })
}

/// A request message, encoded as a client sends it.
fn built(u: &mut Unstructured) -> Parsed<Vec<u8>> {
    let mut application = ApplicationProperties::default();
    let keys: [(&str, &[&str]); 5] = [
        ("operation", OPERATIONS),
        ("name", NAMES),
        ("type", TYPES),
        ("partition", PARTITIONS),
        ("security_token", NAMES),
    ];
    for (key, known) in keys {
        if u.ratio(3, 4)? {
            let value = if key == "security_token" && u.arbitrary::<bool>()? {
                SimpleValue::String(token(u)?)
            } else {
                property(u, known)?
            };
            application.0.insert(key.to_string(), value);
        }
    }
    if u.ratio(1, 8)? {
        application.0.insert(u.arbitrary()?, property(u, NAMES)?);
    }
    let properties = Properties {
        message_id: if u.arbitrary()? {
            Some(fe2o3_amqp_types::messaging::MessageId::Ulong(
                u.arbitrary()?,
            ))
        } else {
            None
        },
        reply_to: if u.arbitrary()? {
            Some(u.arbitrary::<String>()?)
        } else {
            None
        },
        ..Properties::default()
    };
    let message: Message<Body<Value>> = Message::builder()
        .properties(properties)
        .application_properties(application)
        .body(Body::Value(AmqpValue(body(u)?)))
        .build();
    Ok(serde_amqp::to_vec(&Serializable(&message)).unwrap_or_default())
}

fn requests(u: &mut Unstructured) -> Parsed<Vec<(String, Vec<u8>)>> {
    let count = u.int_in_range(1..=4u8)?;
    let mut requests = Vec::new();
    for _ in 0..count {
        let node = if u.ratio(1, 16)? {
            u.arbitrary::<String>()?
        } else {
            (*u.choose(NODES)?).to_string()
        };
        let bytes = if u.ratio(1, 4)? {
            u.arbitrary::<Vec<u8>>()?
        } else {
            built(u)?
        };
        requests.push((node, bytes));
    }
    Ok(requests)
}

fuzz_target!(|data: &[u8]| {
    let fixture = fixture();
    let Ok(requests) = requests(&mut Unstructured::new(data)) else {
        return;
    };
    let _guard = fixture.runtime.enter();
    let answers = answer_encoded_requests(
        Arc::clone(&fixture.plane),
        vec!["contoso".to_string(), "fabrikam".to_string()],
        None,
        requests.iter().map(|(n, b)| (n.as_str(), b.as_slice())),
    );
    assert_eq!(answers.len(), requests.len());
    for (status, reply) in answers.into_iter().flatten() {
        assert!((200..500).contains(&status), "status {status}");
        assert!(
            serde_amqp::from_slice::<Deserializable<Message<Body<Value>>>>(&reply).is_ok(),
            "a reply that does not decode"
        );
    }
});
