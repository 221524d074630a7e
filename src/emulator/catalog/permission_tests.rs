//! The permissions endpoint over real HTTP against the demo organisation, read back with the
//! console's own evaluation: each team's identity may do on its hubs what its rule allows,
//! and the verdict names what it lacks elsewhere.

use serde_json::Value;

use super::tests::{RG_PATH, get, start, token};
use crate::model::permissions::{ConsoleAction, Permissions, ScopeKind};

const SUFFIX: &str = "providers/Microsoft.Authorization/permissions?api-version=2022-04-01";

async fn permissions(http: std::net::SocketAddr, scope: &str, token: &str) -> Permissions {
    let (status, body) = get(http, &format!("{scope}/{SUFFIX}"), Some(token)).await;
    assert_eq!(status, 200, "{scope}: {body}");
    serde_json::from_value(body).expect("permissions shape")
}

/// The actions checked at the hub whose hub-scoped requirements are met.
fn allowed_on_hub(hub: &Permissions) -> Vec<&'static str> {
    ConsoleAction::ALL
        .into_iter()
        .filter(|a| {
            a.requirements()
                .iter()
                .any(|r| r.scope == ScopeKind::EventHub)
        })
        .filter(|a| {
            a.evaluate(|scope| match scope {
                ScopeKind::EventHub => Some(hub),
                _ => None,
            })
            .is_allowed()
        })
        .map(ConsoleAction::name)
        .collect()
}

#[tokio::test]
async fn a_team_rule_answers_in_the_role_vocabulary_per_hub() {
    let (running, _data) = start().await;
    let customer = token(&running, "team-customer");
    let http = running.http;
    let hub = |name: &str| format!("{RG_PATH}/ehops-demo/eventhubs/{name}");

    // Own hub: Manage is Data Owner, everything allowed.
    let account = permissions(http, &hub("account"), &customer).await;
    assert_eq!(
        allowed_on_hub(&account),
        [
            "tail",
            "lag",
            "produce",
            "reset_checkpoints",
            "dead_letter",
            "replay",
            "create_consumer_group"
        ]
    );

    // Conversions' sale hub: Listen only, so mutating actions name the send right. Dead-letter
    // needs only receive here (its send goes to customer's own dead-letter hub).
    let sale = permissions(http, &hub("sale"), &customer).await;
    assert_eq!(allowed_on_hub(&sale), ["tail", "lag", "dead_letter"]);
    let produce = ConsoleAction::Produce.evaluate(|_| Some(&sale));
    assert_eq!(
        produce.reason(ConsoleAction::Produce).as_deref(),
        Some(
            "produce is not permitted: missing Microsoft.EventHub/namespaces/messages/send/action (data action) on the event hub"
        )
    );

    // A hub the rule is not on is not there at all.
    let (status, _) = get(http, &format!("{}/{SUFFIX}", hub("lead")), Some(&customer)).await;
    assert_eq!(status, 404);

    // At the namespace a team gets what the registry grants it: customer sends to its own
    // hubs, so it may register schemas (Contributor), but it manages nothing there.
    let ns = format!("{RG_PATH}/ehops-demo");
    let team_ns = permissions(http, &ns, &customer).await;
    assert!(
        ConsoleAction::ViewSchemas
            .evaluate(|_| Some(&team_ns))
            .is_allowed()
    );
    assert!(
        ConsoleAction::RegisterSchema
            .evaluate(|_| Some(&team_ns))
            .is_allowed()
    );
    assert!(!team_ns.allows(
        crate::model::permissions::Plane::Control,
        "Microsoft.EventHub/namespaces/write"
    ));
    let root = token(&running, "RootManageSharedAccessKey");
    let root_rg = permissions(
        http,
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ehops-local",
        &root,
    )
    .await;
    assert!(
        ConsoleAction::RegisterSchema
            .evaluate(|_| Some(&root_rg))
            .is_allowed()
    );
}

#[tokio::test]
async fn the_raw_response_has_the_azure_shape() {
    let (running, _data) = start().await;
    let customer = token(&running, "team-customer");
    let (_, body) = get(
        running.http,
        &format!("{RG_PATH}/ehops-demo/eventhubs/deadletter-customer/{SUFFIX}"),
        Some(&customer),
    )
    .await;
    // Listen and Send: the Data Receiver and Data Sender entries, no exclusions.
    let entries = body["value"].as_array().expect("a value list");
    assert_eq!(entries.len(), 2);
    for entry in entries {
        for key in ["actions", "notActions", "dataActions", "notDataActions"] {
            assert!(entry[key].is_array(), "{key} in {entry}");
        }
    }
    assert_eq!(
        entries[0]["dataActions"][0],
        Value::from("Microsoft.EventHub/*/receive/action")
    );
    assert_eq!(body["nextLink"], Value::Null);
}
