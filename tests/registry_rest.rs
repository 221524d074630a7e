//! The emulator's Schema Registry REST API on the wire: both api-versions, every list shape,
//! the headers the SDKs read, error bodies, compatibility refusals naming the field, rights,
//! contents kept across a restart. The console's side is in `registry_console.rs`.

mod common;

use azure_core::http::Method;
use common::http::Answer;
use ehops::connect::sas_credential::sign_token;

const CONFIG: &str = include_str!("fixtures/registry.toml");
const ROOT_KEY: &str = "registry-root-key-000000000000000000000000=";
const V1: &str = include_str!("../schemas/contact_purchased.avsc");
const V2: &str = include_str!("../schemas/contact_purchased.v2.avsc");
const NAME: &str = "com.example.customer.ContactPurchased";
const AVRO: &str = "application/json; serialization=Avro";

fn root_token() -> String {
    common::http::token("sb://127.0.0.1/", "RootManageSharedAccessKey", ROOT_KEY)
}

async fn call(
    emu: &common::TestEmulator,
    method: Method,
    path_and_query: &str,
    auth: Option<&str>,
    body: Option<&str>,
) -> Answer {
    let mut headers = Vec::new();
    if let Some(auth) = auth {
        headers.push(("authorization", auth));
    }
    if body.is_some() {
        headers.push(("content-type", AVRO));
    }
    common::http::call(
        emu.running.http,
        method,
        path_and_query,
        &headers,
        body.map(str::to_owned),
    )
    .await
}

async fn register(emu: &common::TestEmulator, group: &str, text: &str, api: &str) -> Answer {
    let path = format!("/$schemaGroups/{group}/schemas/{NAME}?api-version={api}");
    call(emu, Method::Put, &path, Some(&root_token()), Some(text)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registers_and_reads_back_in_both_api_versions_and_list_shapes() {
    let emu = common::start(CONFIG).await;
    let first = register(&emu, "orders-backward", V1, "2023-07-01").await;
    assert_eq!(first.status, 204, "{}", first.body);
    let id = first.header("schema-id").to_owned();
    assert_eq!(id.len(), 32);
    assert_eq!(first.header("schema-version"), "1");
    assert_eq!(first.header("schema-group-name"), "orders-backward");
    assert_eq!(first.header("schema-name"), NAME);
    assert!(
        first
            .header("location")
            .contains("/versions/1?api-version=2023-07-01")
    );
    assert!(
        first
            .header("schema-id-location")
            .ends_with(&format!("/$schemas/{id}?api-version=2023-07-01"))
    );

    let again = register(&emu, "orders-backward", V1, "2022-10").await;
    assert_eq!(
        (again.status, again.header("schema-id")),
        (204, id.as_str())
    );
    assert_eq!(
        again.header("schema-version"),
        "1",
        "same content, same version"
    );
    let second = register(&emu, "orders-backward", V2, "2022-10").await;
    assert_eq!(second.header("schema-version"), "2", "{}", second.body);

    let token = root_token();
    for api in ["2023-07-01", "2022-10"] {
        let by_id = call(
            &emu,
            Method::Get,
            &format!("/$schemaGroups/$schemas/{id}?api-version={api}"),
            Some(&token),
            None,
        )
        .await;
        assert_eq!((by_id.status, by_id.body.as_str()), (200, V1));
        assert_eq!(
            by_id.header("content-type"),
            "application/json;serialization=Avro"
        );
        assert_eq!(by_id.header("schema-version"), "1");

        let versions = call(
            &emu,
            Method::Get,
            &format!("/$schemaGroups/orders-backward/schemas/{NAME}/versions?api-version={api}"),
            Some(&token),
            None,
        )
        .await
        .json();
        assert_eq!(versions["value"], serde_json::json!([1, 2]));
        assert_eq!(versions["schemaVersions"], serde_json::json!([1, 2]));
        assert_eq!(
            versions["Value"],
            serde_json::json!([1, 2]),
            "azure-schemaregistry 1.3.0"
        );

        let groups = call(
            &emu,
            Method::Get,
            &format!("/$schemaGroups?api-version={api}"),
            Some(&token),
            None,
        )
        .await
        .json();
        let expected = serde_json::json!(["orders-backward", "orders-forward", "orders-free"]);
        assert_eq!(
            groups["value"], expected,
            "the other namespace's group stays hidden"
        );
        assert_eq!(groups["schemaGroups"], expected);
    }
    let by_version = call(
        &emu,
        Method::Get,
        &format!("/$schemagroups/orders-backward/schemas/{NAME}/versions/2?api-version=2023-07-01"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!((by_version.status, by_version.body.as_str()), (200, V2));
    let properties = call(
        &emu,
        Method::Post,
        &format!("/$schemaGroups/orders-backward/schemas/{NAME}:get-id?api-version=2023-07-01"),
        Some(&token),
        Some(V2),
    )
    .await;
    assert_eq!(
        (properties.status, properties.header("schema-version")),
        (204, "2")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incompatible_versions_are_refused_with_the_field_named() {
    let emu = common::start(CONFIG).await;
    let with_required = V1.replacen(
        "\"fields\": [",
        "\"fields\": [\n    {\"name\": \"region\", \"type\": \"string\"},",
        1,
    );
    assert_eq!(
        register(&emu, "orders-backward", V1, "2023-07-01")
            .await
            .status,
        204
    );
    let refused = register(&emu, "orders-backward", &with_required, "2023-07-01").await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.header("x-ms-error-code"), "InvalidSchema");
    let error = &refused.json()["error"];
    assert_eq!(error["code"], "InvalidSchema");
    let message = error["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("'region'") && message.contains("Backward"),
        "{message}"
    );

    // The same change is fine where old readers matter (Forward) and where nothing is checked.
    for group in ["orders-forward", "orders-free"] {
        assert_eq!(register(&emu, group, V1, "2023-07-01").await.status, 204);
        let accepted = register(&emu, group, &with_required, "2023-07-01").await;
        assert_eq!(
            (accepted.status, accepted.header("schema-version")),
            (204, "2"),
            "{group}: {}",
            accepted.body
        );
    }
    let not_avro = register(
        &emu,
        "orders-free",
        "{\"type\": \"recordish\"",
        "2023-07-01",
    )
    .await;
    assert_eq!(not_avro.status, 400, "{}", not_avro.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_come_in_the_registry_shape() {
    let emu = common::start(CONFIG).await;
    let token = root_token();
    let cases = [
        (
            "/$schemaGroups",
            Some(token.clone()),
            400,
            "MissingApiVersionParameter",
        ),
        (
            "/$schemaGroups?api-version=2019-01",
            Some(token.clone()),
            400,
            "UnsupportedApiVersion",
        ),
        (
            "/$schemaGroups?api-version=2023-07-01",
            None,
            401,
            "AuthenticationFailed",
        ),
        (
            "/$schemaGroups/nope/schemas/x/versions?api-version=2023-07-01",
            Some(token.clone()),
            404,
            "GroupNotFound",
        ),
        (
            "/$schemaGroups/elsewhere-only/schemas/x/versions?api-version=2023-07-01",
            Some(token.clone()),
            404,
            "GroupNotFound",
        ),
        (
            "/$schemaGroups/$schemas/00000000000000000000000000000000?api-version=2023-07-01",
            Some(token.clone()),
            404,
            "ItemNotFound",
        ),
    ];
    for (path, auth, status, code) in cases {
        let answer = call(&emu, Method::Get, path, auth.as_deref(), None).await;
        assert_eq!(answer.status, status, "{path}: {}", answer.body);
        assert_eq!(answer.header("x-ms-error-code"), code, "{path}");
        assert_eq!(answer.json()["error"]["code"], code, "{path}");
    }
    let wrong = token.replace("sig=", "sig=AAAA");
    let refused = call(
        &emu,
        Method::Get,
        "/$schemaGroups?api-version=2023-07-01",
        Some(&wrong),
        None,
    )
    .await;
    assert_eq!(refused.status, 401);
    let expiry = time::OffsetDateTime::now_utc().unix_timestamp() + 3600;
    let listen_only = sign_token(
        "sb://127.0.0.1/orders",
        "orders-listen",
        "orders-listen-key-0000000000000000000000000=",
        expiry,
    );
    let path = format!("/$schemaGroups/orders-free/schemas/{NAME}?api-version=2023-07-01");
    let read_only = call(&emu, Method::Put, &path, Some(&listen_only), Some(V1)).await;
    assert_eq!(read_only.status, 403, "Listen reads but does not register");
    assert_eq!(read_only.header("x-ms-error-code"), "Unauthorized");
    let lists = call(
        &emu,
        Method::Get,
        "/$schemaGroups?api-version=2023-07-01",
        Some(&listen_only),
        None,
    )
    .await;
    assert_eq!(lists.status, 200, "{}", lists.body);
    let bad_name = call(
        &emu,
        Method::Put,
        "/$schemaGroups/orders-free/schemas/-starts-badly?api-version=2023-07-01",
        Some(&token),
        Some(V1),
    )
    .await;
    assert_eq!(bad_name.status, 400, "{}", bad_name.body);
    assert_eq!(bad_name.header("x-ms-error-code"), "InvalidSchemaName");
    let bearer = call(
        &emu,
        Method::Get,
        "/$schemaGroups?api-version=2023-07-01",
        Some(&format!("Bearer {token}")),
        None,
    )
    .await;
    assert_eq!(
        bearer.status, 200,
        "a SAS token after Bearer is accepted: {}",
        bearer.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registrations_survive_a_restart() {
    let emu = common::start(CONFIG).await;
    let id = register(&emu, "orders-free", V1, "2023-07-01")
        .await
        .header("schema-id")
        .to_owned();
    let common::TestEmulator { running, data } = emu;
    drop(running);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let emu = common::start_in(CONFIG, data).await;
    let by_id = call(
        &emu,
        Method::Get,
        &format!("/$schemaGroups/$schemas/{id}?api-version=2023-07-01"),
        Some(&root_token()),
        None,
    )
    .await;
    assert_eq!((by_id.status, by_id.body.as_str()), (200, V1));
    let next = register(&emu, "orders-free", V2, "2023-07-01").await;
    assert_eq!(next.header("schema-version"), "2", "numbering continues");
}
