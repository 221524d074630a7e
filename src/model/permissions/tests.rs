//! Evaluation against the real built-in role definitions (fixture `builtin_roles.json`, its
//! source named inside) and custom roles with exclusions.

use std::collections::HashMap;

use super::action::{BLOBS_WRITE, RECEIVE, SEND};
use super::*;

#[derive(serde::Deserialize)]
struct Fixture {
    roles: HashMap<String, Permission>,
}

fn role(name: &str) -> Permission {
    let fixture: Fixture =
        serde_json::from_str(include_str!("builtin_roles.json")).expect("fixture parses");
    fixture
        .roles
        .get(name)
        .cloned()
        .unwrap_or_else(|| panic!("role {name} in fixture"))
}

fn holding(roles: &[&str]) -> Permissions {
    Permissions::new(roles.iter().map(|r| role(r)).collect())
}

/// The verdict with the same permissions at every scope.
fn verdict(action: ConsoleAction, permissions: &Permissions) -> Verdict {
    action.evaluate(|_| Some(permissions))
}

fn allowed(permissions: &Permissions) -> Vec<&'static str> {
    ConsoleAction::ALL
        .into_iter()
        .filter(|a| verdict(*a, permissions).is_allowed())
        .map(ConsoleAction::name)
        .collect()
}

#[test]
fn wildcards_match_any_run_of_characters_case_insensitively() {
    assert!(pattern_matches("Microsoft.EventHub/*/send/action", SEND));
    assert!(!pattern_matches(
        "Microsoft.EventHub/*/send/action",
        RECEIVE
    ));
    assert!(pattern_matches("*", SEND));
    assert!(pattern_matches("microsoft.eventhub/*", SEND));
    assert!(pattern_matches(
        "Microsoft.EventHub/namespaces/eventHubs/consumergroups/read",
        "microsoft.eventhub/namespaces/eventhubs/consumergroups/READ"
    ));
    assert!(!pattern_matches("Microsoft.EventHub/namespaces", SEND));
    assert!(!pattern_matches("Microsoft.EventHub/*/send/action/x", SEND));
    assert!(pattern_matches("Microsoft.*Hub/*/messages/*", SEND));
}

#[test]
fn data_owner_may_do_everything_on_event_hubs_but_not_touch_blobs() {
    let owner = holding(&["Azure Event Hubs Data Owner"]);
    let v = verdict(ConsoleAction::Produce, &owner);
    assert!(v.is_allowed());
    // Owner grants nothing on storage: the checkpoint actions name the blob operation.
    let reset = verdict(ConsoleAction::ResetCheckpoints, &owner);
    let reason = reset
        .reason(ConsoleAction::ResetCheckpoints)
        .expect("denied");
    assert!(reason.contains(BLOBS_WRITE), "{reason}");
    assert!(reason.contains("the checkpoint storage"), "{reason}");
}

#[test]
fn receiver_with_blob_reader_tails_and_reads_lag_only() {
    let receiver = holding(&["Azure Event Hubs Data Receiver", "Storage Blob Data Reader"]);
    assert_eq!(allowed(&receiver), ["tail", "lag"]);
    let produce = verdict(ConsoleAction::Produce, &receiver);
    assert_eq!(
        produce.reason(ConsoleAction::Produce).as_deref(),
        Some(
            "produce is not permitted: missing Microsoft.EventHub/namespaces/messages/send/action (data action) on the event hub"
        )
    );
}

#[test]
fn sender_may_produce_but_not_tail() {
    let sender = holding(&["Azure Event Hubs Data Sender"]);
    assert_eq!(allowed(&sender), ["produce"]);
    let tail = verdict(ConsoleAction::Tail, &sender);
    assert!(
        tail.reason(ConsoleAction::Tail)
            .is_some_and(|r| r.contains(RECEIVE))
    );
}

#[test]
fn schema_roles_split_reading_from_registering() {
    let reader = holding(&["Schema Registry Reader"]);
    assert_eq!(allowed(&reader), ["view_schemas"]);
    let contributor = holding(&["Schema Registry Contributor"]);
    assert_eq!(allowed(&contributor), ["view_schemas", "register_schema"]);
}

#[test]
fn the_full_on_call_set_allows_every_action() {
    let all = holding(&[
        "Azure Event Hubs Data Owner",
        "Storage Blob Data Contributor",
    ]);
    assert_eq!(allowed(&all).len(), ConsoleAction::ALL.len());
}

#[test]
fn not_data_actions_subtract_within_their_own_entry_only() {
    // A custom "observer" role: everything on Event Hubs except sending.
    let observer = Permission {
        actions: vec!["Microsoft.EventHub/*/read".into()],
        data_actions: vec!["Microsoft.EventHub/*".into()],
        not_data_actions: vec!["Microsoft.EventHub/namespaces/messages/send/action".into()],
        ..Permission::default()
    };
    let alone = Permissions::new(vec![observer.clone()]);
    assert!(verdict(ConsoleAction::Tail, &alone).is_allowed());
    assert!(!verdict(ConsoleAction::Produce, &alone).is_allowed());
    assert!(!verdict(ConsoleAction::Replay, &alone).is_allowed());
    // Another assignment granting send restores it: exclusions do not cross entries.
    let with_sender = Permissions::new(vec![observer, role("Azure Event Hubs Data Sender")]);
    assert!(verdict(ConsoleAction::Produce, &with_sender).is_allowed());
}

#[test]
fn not_actions_exclude_control_plane_operations() {
    let no_cg_writes = Permissions::new(vec![Permission {
        actions: vec!["Microsoft.EventHub/*".into()],
        not_actions: vec!["Microsoft.EventHub/*/consumergroups/write".into()],
        ..Permission::default()
    }]);
    let v = verdict(ConsoleAction::CreateConsumerGroup, &no_cg_writes);
    assert!(
        v.reason(ConsoleAction::CreateConsumerGroup)
            .is_some_and(|r| r.contains("consumergroups/write (action)"))
    );
}

#[test]
fn ungoverned_scopes_do_not_deny() {
    // Local checkpoint files: no RBAC, so lag needs only the hub's consumer-group read.
    let receiver = holding(&["Azure Event Hubs Data Receiver"]);
    let lag = ConsoleAction::Lag.evaluate(|scope| match scope {
        ScopeKind::CheckpointStorage => None,
        _ => Some(&receiver),
    });
    assert!(lag.is_allowed());
}

#[test]
fn a_response_body_parses_with_conditions_and_missing_lists() {
    let body = r#"{"value":[{"actions":["Microsoft.EventHub/*/read"],"dataActions":[],"condition":null,"conditionVersion":null},{"notActions":[]}],"nextLink":null}"#;
    let permissions = Permissions::from_response(body).expect("parses");
    assert_eq!(permissions.entries.len(), 2);
    assert!(permissions.allows(Plane::Control, "Microsoft.EventHub/namespaces/read"));
    assert!(!permissions.allows(Plane::Data, RECEIVE));
}

#[test]
fn action_names_round_trip_and_the_incident_actions_are_implemented() {
    for action in ConsoleAction::ALL {
        assert_eq!(ConsoleAction::from_name(action.name()), Some(action));
    }
    let listed_only: Vec<ConsoleAction> = ConsoleAction::ALL
        .into_iter()
        .filter(|a| !a.is_implemented())
        .collect();
    assert_eq!(
        listed_only,
        [
            ConsoleAction::Produce,
            ConsoleAction::CreateConsumerGroup,
            ConsoleAction::RegisterSchema
        ]
    );
}
