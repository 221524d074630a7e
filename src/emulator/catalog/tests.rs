//! The catalog over real HTTP, against a launched emulator serving the demo organisation.

use std::collections::BTreeSet;
use std::net::SocketAddr;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::connect::sas_credential::sign_token;
use crate::emulator::{LaunchOptions, RunningEmulator, demo, launch};

pub(super) const RG_PATH: &str = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ehops-local/providers/Microsoft.EventHub/namespaces";
const V: &str = "api-version=2024-01-01";

pub(super) async fn start() -> (RunningEmulator, tempfile::TempDir) {
    let data = tempfile::tempdir().expect("temp dir");
    let running = launch(LaunchOptions {
        config: demo::organisation().expect("demo config"),
        data_dir: data.path().to_path_buf(),
        amqp: "127.0.0.1:0".parse().expect("address"),
        http: "127.0.0.1:0".parse().expect("address"),
        kafka: None,
        demo_activity: false,
    })
    .await
    .expect("emulator starts");
    (running, data)
}

/// A token for `rule` signed over the namespace, as a console would sign for the catalog.
pub(super) fn token(running: &RunningEmulator, rule: &str) -> String {
    let credential = running.namespaces[0]
        .rules
        .iter()
        .find(|r| r.name == rule)
        .expect("rule exists");
    let expires = time::OffsetDateTime::now_utc().unix_timestamp() + 3600;
    sign_token(
        &format!("sb://{}/", running.amqp),
        rule,
        &credential.key,
        expires,
    )
}

/// One HTTP/1.1 GET on its own connection: status and JSON body.
pub(super) async fn get(addr: SocketAddr, path: &str, token: Option<&str>) -> (u16, Value) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(token) = token {
        request.push_str(&format!("Authorization: {token}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.expect("receive");
    let text = String::from_utf8(response).expect("utf-8 response");
    let (head, body) = text.split_once("\r\n\r\n").expect("head and body");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    let json = serde_json::from_str(body).unwrap_or(Value::Null);
    (status, json)
}

fn names(list: &Value) -> BTreeSet<String> {
    list["value"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|item| item["name"].as_str().expect("name").to_string())
        .collect()
}

#[tokio::test]
async fn a_namespace_rule_sees_everything_in_arm_shapes() {
    let (running, _data) = start().await;
    let root = token(&running, "RootManageSharedAccessKey");
    let http = running.http;

    let (status, subs) = get(http, &format!("/subscriptions?{V}"), Some(&root)).await;
    assert_eq!(status, 200);
    assert_eq!(subs["value"][0]["displayName"], "ehops local emulator");
    assert_eq!(subs["nextLink"], Value::Null);

    let by_sub = "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.EventHub/namespaces";
    let (status, namespaces) = get(http, &format!("{by_sub}?{V}"), Some(&root)).await;
    assert_eq!(status, 200);
    let ns = &namespaces["value"][0];
    assert_eq!(ns["name"], "ehops-demo");
    assert_eq!(ns["id"], format!("{RG_PATH}/ehops-demo"));
    assert_eq!(ns["location"], "local");
    assert_eq!(ns["tags"]["team"], "platform");
    assert_eq!(
        ns["properties"]["serviceBusEndpoint"],
        format!("sb://{}/", running.amqp)
    );

    let (status, hubs) = get(
        http,
        &format!("{RG_PATH}/ehops-demo/eventhubs?{V}"),
        Some(&root),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(names(&hubs).len(), 9);

    let (status, sale) = get(
        http,
        &format!("{RG_PATH}/ehops-demo/eventhubs/sale?{V}"),
        Some(&root),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(sale["tags"]["team"], "conversions");
    let metadata: Value = serde_json::from_str(
        sale["properties"]["userMetadata"]
            .as_str()
            .expect("a string"),
    )
    .expect("userMetadata holds JSON");
    assert_eq!(metadata["team"], "conversions");
    assert_eq!(
        sale["properties"]["partitionIds"],
        serde_json::json!(["0", "1", "2", "3"])
    );
    assert_eq!(
        sale["properties"]["retentionDescription"]["retentionTimeInHours"],
        168
    );

    let groups_path = format!("{RG_PATH}/ehops-demo/eventhubs/sale/consumergroups");
    let (_, groups) = get(http, &format!("{groups_path}?{V}"), Some(&root)).await;
    assert!(names(&groups).contains("crm-sync") && names(&groups).contains("$Default"));
    let (status, group) = get(http, &format!("{groups_path}/CRM-SYNC?{V}"), Some(&root)).await;
    assert_eq!((status, &group["name"]), (200, &Value::from("crm-sync")));

    let (_, rules) = get(
        http,
        &format!("{RG_PATH}/ehops-demo/authorizationRules?{V}"),
        Some(&root),
    )
    .await;
    assert_eq!(
        rules["value"][0]["properties"]["rights"],
        serde_json::json!(["Listen", "Send", "Manage"])
    );
    assert!(
        !rules.to_string().contains("key"),
        "keys never leave: {rules}"
    );
}

#[tokio::test]
async fn a_team_rule_sees_only_the_hubs_it_is_defined_on() {
    let (running, _data) = start().await;
    let customer = token(&running, "team-customer");
    let http = running.http;

    let (status, namespaces) = get(http, &format!("{RG_PATH}?{V}"), Some(&customer)).await;
    assert_eq!((status, names(&namespaces).len()), (200, 1));
    let (_, hubs) = get(
        http,
        &format!("{RG_PATH}/ehops-demo/eventhubs?{V}"),
        Some(&customer),
    )
    .await;
    let expected: BTreeSet<String> = [
        "product",
        "account",
        "contact",
        "sale",
        "deadletter-customer",
        // Every team may append to the audit hub.
        "audit",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(names(&hubs), expected);

    let (status, error) = get(
        http,
        &format!("{RG_PATH}/ehops-demo/eventhubs/lead?{V}"),
        Some(&customer),
    )
    .await;
    assert_eq!(
        (status, &error["error"]["code"]),
        (404, &Value::from("NotFound"))
    );
    let (status, _) = get(
        http,
        &format!("{RG_PATH}/ehops-demo/authorizationRules?{V}"),
        Some(&customer),
    )
    .await;
    assert_eq!(status, 403);
    let (status, rules) = get(
        http,
        &format!("{RG_PATH}/ehops-demo/eventhubs/sale/authorizationRules?{V}"),
        Some(&customer),
    )
    .await;
    assert_eq!(status, 200);
    assert!(names(&rules).contains("team-customer"));
}

#[tokio::test]
async fn refusals_carry_arm_error_bodies() {
    let (running, _data) = start().await;
    let root = token(&running, "RootManageSharedAccessKey");
    let http = running.http;

    let (status, error) = get(http, &format!("{RG_PATH}?{V}"), None).await;
    assert_eq!(
        (status, &error["error"]["code"]),
        (401, &Value::from("AuthenticationFailed"))
    );
    let forged = sign_token(
        "sb://x/",
        "RootManageSharedAccessKey",
        "not-the-key",
        i64::MAX / 2,
    );
    let (status, error) = get(http, &format!("{RG_PATH}?{V}"), Some(&forged)).await;
    assert_eq!(
        (status, &error["error"]["code"]),
        (401, &Value::from("InvalidAuthenticationToken"))
    );

    let (status, error) = get(http, RG_PATH, Some(&root)).await;
    assert_eq!(
        (status, &error["error"]["code"]),
        (400, &Value::from("MissingApiVersionParameter"))
    );
    let (status, error) = get(
        http,
        &format!("{RG_PATH}/ehops-demo/eventhubs/nope?{V}"),
        Some(&root),
    )
    .await;
    assert_eq!(
        (status, &error["error"]["code"]),
        (404, &Value::from("NotFound"))
    );
    assert!(
        error["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("nope"))
    );
}

#[tokio::test]
async fn hub_lists_page_with_skip_top_and_next_link() {
    let (running, _data) = start().await;
    let root = token(&running, "RootManageSharedAccessKey");
    let http = running.http;
    let (_, first) = get(
        http,
        &format!("{RG_PATH}/ehops-demo/eventhubs?{V}&$top=4"),
        Some(&root),
    )
    .await;
    assert_eq!(first["value"].as_array().map(Vec::len), Some(4));
    let next = first["nextLink"].as_str().expect("more pages");
    let next_path = next.split_once(&http.to_string()).expect("own host").1;
    let (_, second) = get(http, next_path, Some(&root)).await;
    assert_eq!(
        second["value"][0]["name"],
        first_name_after(&root, http, 4).await
    );
    let (_, last) = get(
        http,
        &format!("{RG_PATH}/ehops-demo/eventhubs?{V}&%24skip=8&$top=4"),
        Some(&root),
    )
    .await;
    assert_eq!(
        (last["value"].as_array().map(Vec::len), &last["nextLink"]),
        (Some(1), &Value::Null)
    );
}

async fn first_name_after(token: &str, http: SocketAddr, skip: usize) -> Value {
    let (_, all) = get(
        http,
        &format!("{RG_PATH}/ehops-demo/eventhubs?{V}"),
        Some(token),
    )
    .await;
    all["value"][skip]["name"].clone()
}

#[tokio::test]
async fn a_captured_hub_shows_its_capture_description_as_arm_does() {
    let (running, _data) = start().await;
    let token = token(&running, "RootManageSharedAccessKey");
    let (status, hub) = get(
        running.http,
        &format!("{RG_PATH}/ehops-demo/eventhubs/product?{V}"),
        Some(&token),
    )
    .await;
    assert_eq!(status, 200);
    let capture = &hub["properties"]["captureDescription"];
    assert_eq!(capture["enabled"], true);
    assert_eq!(capture["encoding"], "AvroDeflate");
    assert_eq!(capture["intervalInSeconds"], 60);
    assert_eq!(capture["sizeLimitInBytes"], 314_572_800);
    assert_eq!(capture["skipEmptyArchives"], true);
    assert_eq!(
        capture["destination"]["name"],
        "EventHubArchive.AzureBlockBlob"
    );
    let destination = &capture["destination"]["properties"];
    assert_eq!(destination["blobContainer"], "capture");
    assert_eq!(
        destination["archiveNameFormat"],
        "{Namespace}/{EventHub}/{PartitionId}/{Year}/{Month}/{Day}/{Hour}/{Minute}/{Second}"
    );
    assert!(
        destination["storageAccountResourceId"]
            .as_str()
            .is_some_and(|id| id.contains("/providers/Microsoft.Storage/storageAccounts/"))
    );
    let (_, audit) = get(
        running.http,
        &format!("{RG_PATH}/ehops-demo/eventhubs/audit?{V}"),
        Some(&token),
    )
    .await;
    assert!(audit["properties"].get("captureDescription").is_none());
}
