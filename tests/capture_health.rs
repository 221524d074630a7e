//! A capture destination that fails while the emulator runs: the hub keeps taking events, the
//! console's backend reports which hub and partition, which destination and why (what the
//! capture pane shows in its header), and once the destination works again the report is
//! gone and the file is there, holding the event sent meanwhile.

mod common;

use std::time::{Duration, Instant};

use azure_messaging_eventhubs::models::EventData;
use ehops::backend::{self, BackendOptions, CaptureAccess};
use ehops::connect::capture::CaptureSource;
use ehops::protocol::{
    BackendLink, CaptureListing, ReadRequest, Reply, Request, RequestId, backend_channels,
};

const ROOT: &str = "RootManageSharedAccessKey";

fn config(capture_dir: &std::path::Path) -> String {
    format!(
        r#"
[[namespace]]
name = "capture-health"

[[namespace.rule]]
name = "{ROOT}"
key = "capture-health-root-key-0000000000000000000="
rights = ["Listen", "Send", "Manage"]

[[namespace.hub]]
name = "orders"
partitions = 1
[namespace.hub.capture]
skip_empty_archives = true
window = "1s"
directory = {dir:?}
"#,
        dir = capture_dir.display().to_string()
    )
}

/// Asks for the hub's files until `done` holds for the listing, within 60 s.
async fn listing_until(
    link: &mut BackendLink,
    next_id: &mut u64,
    what: &str,
    done: impl Fn(&CaptureListing) -> bool,
) -> CaptureListing {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        *next_id += 1;
        let request = RequestId(*next_id);
        link.requests
            .send(Request::Read(ReadRequest::CaptureFiles {
                request,
                hub: "orders".into(),
                within: None,
            }))
            .expect("backend running");
        let listing = loop {
            let reply = tokio::time::timeout(Duration::from_secs(20), link.replies.recv())
                .await
                .expect("a reply in time")
                .expect("backend running");
            match reply {
                Reply::CaptureFilesLoaded {
                    request: answered,
                    listing,
                    ..
                } if answered == request => break listing,
                Reply::RequestFailed { message, .. } => panic!("capture files: {message}"),
                _ => {}
            }
        };
        if done(&listing) {
            return listing;
        }
        assert!(Instant::now() < deadline, "{what}: {listing:?}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_destination_is_reported_until_it_works_again() {
    let outside = tempfile::tempdir().expect("temp dir");
    let capture_dir = outside.path().join("capture");
    let emu = common::start(&config(&capture_dir)).await;
    let mut services = common::backend_services::services_as(
        &emu,
        outside.path(),
        &emu.connection_string(ROOT),
        ROOT,
    )
    .await;
    services.capture = Ok(CaptureAccess {
        source: CaptureSource::directory(capture_dir.clone()),
        namespace: "capture-health".into(),
        emulator_data: Some(emu.data.path().to_path_buf()),
    });
    let (mut link, end) = backend_channels(8);
    let task = backend::spawn(services, end, BackendOptions::default());
    let mut ids = 0;

    // The namespace's folder taken by a file: no capture file can be written under it.
    let blocker = capture_dir.join("capture-health");
    std::fs::write(&blocker, b"not a directory").expect("blocker written");
    let event = EventData::builder().with_body("{\"n\":1}").build();
    let credential = emu.credential(ROOT);
    common::send_events_to_partition_0(
        emu.endpoint(),
        "capture-health",
        "orders",
        credential,
        vec![event],
    )
    .await;

    let failing = listing_until(&mut link, &mut ids, "no failure reported", |l| {
        !l.failures.is_empty()
    })
    .await;
    let failure = &failing.failures[0];
    assert_eq!(
        (failure.hub.as_str(), failure.partition.as_str()),
        ("orders", "0")
    );
    assert!(
        failure
            .destination
            .contains(&capture_dir.display().to_string()),
        "names the destination: {failure:?}"
    );
    assert_eq!(failure.doing, "write a capture file");
    assert!(!failure.cause.is_empty(), "says why: {failure:?}");
    assert!(
        failing.files.is_empty(),
        "nothing written meanwhile: {failing:?}"
    );

    std::fs::remove_file(&blocker).expect("blocker removed");
    let healthy = listing_until(&mut link, &mut ids, "the failure stayed", |l| {
        l.failures.is_empty() && !l.files.is_empty()
    })
    .await;
    assert_eq!(healthy.files.len(), 1, "{healthy:?}");
    assert_eq!(
        healthy.files[0].events, 1,
        "the event sent while failing is captured"
    );
    assert_eq!(healthy.files[0].first_sequence, Some(0));

    drop(link);
    task.await.expect("backend ends");
}
