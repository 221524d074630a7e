//! Any request to the emulator's HTTP port: the real router (health, ARM-shaped catalog, Schema
//! Registry) over a small config, with a registry that starts from the demo's schemas in a
//! temporary data dir for each input. The input picks the method, a path from the real route
//! shapes with fuzzed segments (or any path), the query, the Authorization (none, tokens
//! signed with the config's keys, or fuzzed), the Content-Type, one more header and the body.
//! Every answer must be a client error or success (never a 5xx or a panic), and a JSON answer
//! must parse.
#![no_main]

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Method, Request, header};
use ehops_fuzz::emulator::catalog::Catalog;
use ehops_fuzz::emulator::config::EmulatorConfig;
use ehops_fuzz::emulator::http::router;
use ehops_fuzz::emulator::registry::Registry;
use ehops_fuzz::emulator::registry::store::RegistryStore;
use ehops_fuzz::sas_token;
use libfuzzer_sys::arbitrary::{Result as Parsed, Unstructured};
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;

const CONFIG: &str = r#"
[[namespace]]
name = "contoso"
[[namespace.rule]]
name = "root"
key = "root-key"
rights = ["Listen", "Send", "Manage"]
[[namespace.hub]]
name = "orders"
partitions = 4
consumer_groups = ["billing"]
[[namespace.hub.rule]]
name = "team-product"
key = "product-key"
rights = ["Send"]
[[namespace.hub]]
name = "sales"
partitions = 2
[[namespace.hub.rule]]
name = "team-product"
key = "product-key"
rights = ["Listen"]
[[namespace.schema_group]]
name = "product"
compatibility = "Backward"
[[namespace.schema_group]]
name = "customer"
compatibility = "None"

[[namespace]]
name = "fabrikam"
[[namespace.rule]]
name = "listen"
key = "listen-key"
rights = ["Listen"]
[[namespace.hub]]
name = "telemetry"
"#;

const SUB: &str = "/subscriptions/00000000-0000-0000-0000-000000000000";
const RG: &str = "/resourceGroups/ehops-local/providers/Microsoft.EventHub/namespaces";

/// `{}` stands for a segment the input chooses.
const PATHS: &[&str] = &[
    "/health",
    "/subscriptions",
    "/subscriptions/{}",
    "/subscriptions/{}/resourceGroups/{}",
    "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.EventHub/namespaces",
    "SUB/resourceGroups/ehops-local",
    "SUB/providers/Microsoft.EventHub/namespaces",
    "SUBRG",
    "SUBRG/{}",
    "SUBRG/{}/authorizationRules",
    "SUBRG/{}/eventhubs",
    "SUBRG/{}/eventhubs/{}",
    "SUBRG/{}/eventhubs/{}/authorizationRules",
    "SUBRG/{}/eventhubs/{}/consumergroups",
    "SUBRG/{}/eventhubs/{}/consumergroups/{}",
    "SUBRG/{}/providers/Microsoft.Authorization/permissions",
    "SUBRG/{}/eventhubs/{}/providers/Microsoft.Authorization/permissions",
    "SUB/resourceGroups/ehops-local/providers/Microsoft.Authorization/permissions",
    "/$schemaGroups",
    "/$schemagroups",
    "/$schemaGroups/$schemas/{}",
    "/$schemaGroups/{}/schemas",
    "/$schemaGroups/{}/schemas/{}",
    "/$schemaGroups/{}/schemas/{}:get-id",
    "/$schemaGroups/{}/schemas/{}/versions",
    "/$schemaGroups/{}/schemas/{}/versions/{}",
    "/$schemagroups/{}/schemas/{}/versions/{}",
];

const SEGMENTS: &[&str] = &[
    "contoso",
    "CONTOSO",
    "fabrikam",
    "orders",
    "sales",
    "telemetry",
    "$Default",
    "billing",
    "product",
    "customer",
    "00000000-0000-0000-0000-000000000000",
    "ehops-local",
    "com.example.product.SaleConfirmed",
    "1",
    "0",
    "%2F",
    "..",
    "",
];

const QUERIES: &[&str] = &[
    "",
    "api-version=2024-01-01",
    "api-version=2023-07-01",
    "api-version=2022-10",
    "api-version=2021-10",
    "api-version=2024-01-01&$skip=1&$top=1",
    "api-version=2024-01-01&$top=0",
];

const CONTENT_TYPES: &[&str] = &[
    "application/json; serialization=Avro",
    "application/json;serialization=avro",
    "text/plain; charset=utf-8",
    "application/json",
];

const METHODS: &[Method] = &[
    Method::GET,
    Method::PUT,
    Method::POST,
    Method::DELETE,
    Method::HEAD,
    Method::PATCH,
    Method::OPTIONS,
];

struct Fixture {
    runtime: tokio::runtime::Runtime,
    config: Arc<EmulatorConfig>,
    /// The registry file with the demo's schemas registered, copied into `work` per input.
    base: Vec<u8>,
    work: PathBuf,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let config = Arc::new(
            EmulatorConfig::parse(CONFIG, std::path::Path::new("fuzz.toml")).expect("config"),
        );
        let root = std::env::temp_dir().join(format!("ehops-fuzz-http-{}", std::process::id()));
        let seed = root.join("seed");
        let _ = std::fs::remove_dir_all(&root);
        let store = RegistryStore::open(&seed, &config).expect("registry");
        let registry = Registry::new(Arc::clone(&config), store);
        runtime
            .block_on(registry.register_demo_schemas())
            .expect("demo schemas");
        let base = std::fs::read(seed.join("registry").join("schemas.json")).unwrap_or_default();
        let work = root.join("work");
        std::fs::create_dir_all(work.join("registry")).expect("work dir");
        Fixture {
            runtime,
            config,
            base,
            work,
        }
    })
}

fn segment(u: &mut Unstructured) -> Parsed<String> {
    if u.arbitrary::<bool>()? {
        Ok((*u.choose(SEGMENTS)?).to_string())
    } else {
        u.arbitrary::<String>()
    }
}

fn path(u: &mut Unstructured) -> Parsed<String> {
    if u.ratio(1, 16)? {
        return u.arbitrary::<String>();
    }
    let shape = u
        .choose(PATHS)?
        .replace("SUBRG", &format!("{SUB}{RG}"))
        .replace("SUB", SUB);
    let mut path = String::new();
    let mut parts = shape.split("{}").peekable();
    while let Some(part) = parts.next() {
        path.push_str(part);
        if parts.peek().is_some() {
            path.push_str(&segment(u)?);
        }
    }
    Ok(path)
}

fn authorization(u: &mut Unstructured) -> Parsed<Option<String>> {
    let far = 4_102_444_800; // 2100
    let token = match u.int_in_range(0..=7u8)? {
        0 => return Ok(None),
        1 => sas_token("sb://contoso.localhost/", "root", "root-key", far),
        2 => sas_token(
            "sb://contoso.localhost/orders",
            "team-product",
            "product-key",
            far,
        ),
        3 => sas_token("sb://fabrikam.localhost/", "listen", "listen-key", far),
        4 => sas_token("sb://contoso.localhost/", "root", "root-key", 1),
        5 => sas_token(&u.arbitrary::<String>()?, "root", "root-key", far),
        _ => u.arbitrary::<String>()?,
    };
    Ok(Some(if u.arbitrary::<bool>()? {
        format!("Bearer {token}")
    } else {
        token
    }))
}

fn request(u: &mut Unstructured) -> Parsed<Option<Request<Body>>> {
    let method = if u.ratio(1, 16)? {
        match Method::from_bytes(u.arbitrary::<&[u8]>()?) {
            Ok(method) => method,
            Err(_) => return Ok(None),
        }
    } else {
        u.choose(METHODS)?.clone()
    };
    let path = path(u)?;
    let query = if u.ratio(1, 8)? {
        u.arbitrary::<String>()?
    } else {
        (*u.choose(QUERIES)?).to_string()
    };
    let uri = if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    };
    let mut builder = Request::builder().method(method).uri(uri);
    if let Some(auth) = authorization(u)?
        && let Ok(value) = HeaderValue::from_str(&auth)
    {
        builder = builder.header(header::AUTHORIZATION, value);
    }
    match u.int_in_range(0..=2u8)? {
        0 => {}
        1 => builder = builder.header(header::CONTENT_TYPE, *u.choose(CONTENT_TYPES)?),
        _ => {
            if let Ok(value) = HeaderValue::from_bytes(u.arbitrary::<&[u8]>()?) {
                builder = builder.header(header::CONTENT_TYPE, value);
            }
        }
    }
    if u.ratio(1, 4)? {
        let name = HeaderName::from_bytes(u.arbitrary::<&[u8]>()?);
        let value = HeaderValue::from_bytes(u.arbitrary::<&[u8]>()?);
        if let (Ok(name), Ok(value)) = (name, value) {
            builder = builder.header(name, value);
        }
    }
    let body = u.bytes(u.len())?.to_vec();
    Ok(builder.body(Body::from(body)).ok())
}

fuzz_target!(|data: &[u8]| {
    let fixture = fixture();
    let mut u = Unstructured::new(data);
    let Ok(Some(request)) = request(&mut u) else {
        return;
    };
    // Each input starts from the same registry.
    let file = fixture.work.join("registry").join("schemas.json");
    if std::fs::write(&file, &fixture.base).is_err() {
        return;
    }
    let Ok(store) = RegistryStore::open(&fixture.work, &fixture.config) else {
        return;
    };
    let registry = Arc::new(Registry::new(Arc::clone(&fixture.config), store));
    let catalog = Arc::new(Catalog::new(
        Arc::clone(&fixture.config),
        [("contoso".to_string(), ([127, 0, 0, 1], 5672).into())],
        1_700_000_000_000,
    ));
    let app = router(catalog, registry);
    fixture.runtime.block_on(async move {
        let response = app
            .oneshot(request)
            .await
            .expect("the router is infallible");
        let status = response.status();
        assert!(
            status.is_success() || status.is_client_error() || status.is_redirection(),
            "status {status}"
        );
        let is_json = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json") && !v.contains("serialization"));
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("a whole body");
        if is_json && !body.is_empty() {
            assert!(
                serde_json::from_slice::<serde_json::Value>(&body).is_ok(),
                "a JSON answer that does not parse"
            );
        }
    });
});
