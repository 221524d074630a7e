//! Several namespaces in one console: their hubs listed together (a hub name may repeat),
//! sampled together, and the backend told which namespace to read before a hub of another
//! is looked into.

use super::App;
use crate::model::{Hub, Namespace};
use crate::protocol::{ReadRequest, Reply, Request};
use crate::tui::action::Action;
use crate::tui::sample;

const HOME: &str = "contoso-events";
const LEGACY: &str = "contoso-legacy";

fn in_namespace(namespace: &str, hubs: Vec<Hub>) -> Vec<Hub> {
    (hubs.into_iter())
        .map(|h| Hub {
            namespace: namespace.into(),
            ..h
        })
        .collect()
}

fn namespace(name: &str) -> Namespace {
    Namespace {
        name: name.into(),
        host: format!("{name}.servicebus.windows.net"),
    }
}

fn hub_list_of(commands: &[Request], wanted: &str) -> crate::protocol::RequestId {
    (commands.iter())
        .find_map(|c| match c {
            Request::Read(ReadRequest::ListHubs { request, namespace }) if namespace == wanted => {
                Some(*request)
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("the hubs of {wanted} are asked for, in {commands:?}"))
}

/// The console opened on HOME, then told the identity also reads LEGACY, whose only hub is
/// also called `sale`.
fn two_namespaces() -> App {
    let mut app = App::new(sample::config());
    let start = app.start();
    app.update(Action::Reply(Reply::HubsLoaded {
        request: hub_list_of(&start, HOME),
        namespace: HOME.into(),
        hubs: sample::hubs(),
    }));
    let Some(Request::Read(ReadRequest::ListNamespaces { request })) = start.last().cloned() else {
        panic!("start lists the namespaces, got {start:?}");
    };
    let asked = app.update(Action::Reply(Reply::NamespacesLoaded {
        request,
        namespaces: vec![namespace(HOME), namespace(LEGACY)],
    }));
    assert!(
        !asked.iter().any(|c| matches!(
            c,
            Request::Read(ReadRequest::ListHubs { namespace, .. }) if namespace == HOME
        )),
        "the home namespace's hubs are not asked for twice: {asked:?}"
    );
    let legacy_sale = in_namespace(LEGACY, sample::hubs().into_iter().take(1).collect());
    let watch = app.update(Action::Reply(Reply::HubsLoaded {
        request: hub_list_of(&asked, LEGACY),
        namespace: LEGACY.into(),
        hubs: legacy_sale,
    }));
    let [Request::WatchLag { hubs, .. }] = watch.as_slice() else {
        panic!("the lag of every listed hub is sampled: {watch:?}");
    };
    let sampled: Vec<(&str, &str)> = (hubs.iter())
        .filter(|h| h.hub == "sale")
        .map(|h| (h.namespace.as_str(), h.hub.as_str()))
        .collect();
    assert_eq!(sampled, [(HOME, "sale"), (LEGACY, "sale")]);
    app
}

#[test]
fn the_hubs_of_every_namespace_are_listed_and_told_apart() {
    let app = two_namespaces();
    let labels: Vec<String> = app.hubs.iter().map(|h| app.hub_label(h)).collect();
    assert!(labels.contains(&"sale".to_owned()), "{labels:?}");
    assert!(labels.contains(&format!("{LEGACY}/sale")), "{labels:?}");
    assert_eq!(labels.len(), sample::hubs().len() + 1);
}

#[test]
fn a_hub_of_another_namespace_is_read_there_and_the_way_back_too() {
    let mut app = two_namespaces();
    app.update(Action::Resize(120, 40));
    // The overview lists the calm hubs by name, the home namespace's `sale` before the other's.
    let names = |app: &App| {
        crate::tui::views::overview_hub_order(app)
            .into_iter()
            .map(|h| app.hub_label(h))
            .collect::<Vec<_>>()
    };
    let order = names(&app);
    let legacy_at = (order.iter())
        .position(|n| *n == format!("{LEGACY}/sale"))
        .expect("listed");
    for _ in 0..legacy_at {
        app.update(Action::SelectDown);
    }
    let commands = app.update(Action::ShowPartitions);
    let Some(Request::UseNamespace { namespace, .. }) = commands.first() else {
        panic!("the backend is told first: {commands:?}");
    };
    assert_eq!(namespace, LEGACY);
    assert!(
        commands.iter().any(|c| matches!(
            c,
            Request::Read(ReadRequest::PartitionInfo { hub, .. }) if hub == "sale"
        )),
        "{commands:?}"
    );
    assert_eq!(app.namespace, LEGACY);

    // Back on the overview, the home `sale`: the backend goes back before the tail starts
    // (told as soon as the user acts with it chosen).
    app.update(Action::ShowOverview);
    let mut commands = app.update(Action::SelectFirst);
    let home_at = (names(&app).iter())
        .position(|n| n == "sale")
        .expect("listed");
    for _ in 0..home_at {
        commands.extend(app.update(Action::SelectDown));
    }
    commands.extend(app.update(Action::ShowTail));
    let Some(Request::UseNamespace { namespace, .. }) = commands.first() else {
        panic!("the backend is told first: {commands:?}");
    };
    assert_eq!(namespace, HOME);
    assert!(
        commands
            .iter()
            .any(|c| matches!(c, Request::StartTail { hub, .. } if hub == "sale")),
        "{commands:?}"
    );
    // Nothing more to tell while the choice stays in one namespace.
    app.update(Action::ShowOverview);
    let commands = app.update(Action::ShowPartitions);
    assert!(
        !commands
            .iter()
            .any(|c| matches!(c, Request::UseNamespace { .. })),
        "{commands:?}"
    );
}

#[test]
fn a_namespace_no_longer_listed_takes_its_hubs_along() {
    let mut app = two_namespaces();
    let commands = app.update(Action::ShowNamespaces);
    let Some(Request::Read(ReadRequest::ListNamespaces { request })) = commands.last().cloned()
    else {
        panic!("{commands:?}");
    };
    app.update(Action::Reply(Reply::NamespacesLoaded {
        request,
        namespaces: vec![namespace(HOME)],
    }));
    assert!(app.hubs.iter().all(|h| h.namespace == HOME));
    assert_eq!(app.hubs.len(), sample::hubs().len());
}
