//! Emulator configs under hostile input (part of the hostile-input suite, `tests/hostile_*.rs`):
//! each is refused by `ehops emulator --config FILE` with exit 2, naming the file and the line,
//! instead of starting an emulator that serves something other than what the file says.

mod common;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn microsofts_config_json_may_not_name_one_hub_or_namespace_twice_in_two_cases() {
    let hubs = "{\"UserConfig\":{\"NamespaceConfig\":[{\"Type\":\"EventHub\",\"Name\":\"ns\",\n\"Entities\":[\n{\"Name\":\"eh1\",\"PartitionCount\":\"2\"},\n{\"Name\":\"EH1\",\"PartitionCount\":\"4\"}\n]}]}}";
    let run = common::emulator_with_config("Config.json", hubs).await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("Config.json:4: hub \"EH1\" is defined twice in namespace \"ns\""),
        "{run:?}"
    );

    let namespaces = "{\"UserConfig\":{\"NamespaceConfig\":[\n{\"Type\":\"EventHub\",\"Name\":\"ns\",\"Entities\":[]},\n{\"Type\":\"EventHub\",\"Name\":\"NS\",\"Entities\":[]}\n]}}";
    let run = common::emulator_with_config("Config.json", namespaces).await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("Config.json:3: namespace \"NS\" is defined twice"),
        "{run:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consumer_group_name_must_be_one_event_hubs_allows() {
    let text = "[[namespace]]\nname = \"a\"\n[[namespace.hub]]\nname = \"h\"\nconsumer_groups = [\"ok\", \"../../elsewhere\"]\n";
    let run = common::emulator_with_config("groups.toml", text).await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("groups.toml:5: consumer group name \"../../elsewhere\""),
        "{run:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schema_groups_format_and_contributors_must_exist() {
    let base = "[[namespace]]\nname = \"a\"\n[[namespace.hub]]\nname = \"h\"\n[[namespace.hub.rule]]\nname = \"team-h\"\nkey = \"k\"\nrights = [\"Send\"]\n[[namespace.schema_group]]\nname = \"g\"\n";
    let run =
        common::emulator_with_config("format.toml", &format!("{base}format = \"Protobuf\"\n"))
            .await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("format.toml:11: format \"Protobuf\" is not one of Avro, Json, Custom"),
        "{run:?}"
    );
    let run = common::emulator_with_config(
        "contributors.toml",
        &format!("{base}contributors = [\"team-h\", \"team-nobody\"]\n"),
    )
    .await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains(
            "contributors.toml:11: contributor \"team-nobody\" of schema group \"g\" is no rule"
        ),
        "{run:?}"
    );
}
