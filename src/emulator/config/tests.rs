use std::path::Path;
use std::time::Duration;

use super::*;

fn parse(text: &str) -> Result<EmulatorConfig, ConfigError> {
    EmulatorConfig::parse(text, Path::new("test.toml"))
}

#[test]
fn toml_with_every_field() {
    let config = parse(
        r#"
[[namespace]]
name = "contoso"
tags = { team = "platform" }
[[namespace.rule]]
name = "root"
key = "k1"
rights = ["Listen", "Send", "Manage"]
[[namespace.hub]]
name = "orders"
partitions = 8
retention = "2h"
consumer_groups = ["billing", "$default"]
tags = { team = "customer" }
[[namespace.hub.rule]]
name = "orders-send"
key = "k2"
rights = ["send"]
"#,
    )
    .expect("valid config");
    let ns = &config.namespaces[0];
    assert_eq!(ns.name, "contoso");
    assert_eq!(ns.rules[0].rights, Rights::ALL);
    let hub = ns.hub("ORDERS").expect("case-insensitive lookup");
    assert_eq!(hub.partitions, 8);
    assert_eq!(hub.retention, Duration::from_secs(7200));
    assert_eq!(hub.consumer_groups, vec!["$Default", "billing"]);
    assert_eq!(hub.tags.get("team").map(String::as_str), Some("customer"));
    assert!(hub.rules[0].rights.can_send());
    assert!(!hub.rules[0].rights.can_listen());
}

#[test]
fn defaults_apply() {
    let config = parse("[[namespace]]\nname = \"a\"\n[[namespace.hub]]\nname = \"h\"\n")
        .expect("valid config");
    let hub = &config.namespaces[0].hubs[0];
    assert_eq!(hub.partitions, 4);
    assert_eq!(hub.consumer_groups, vec!["$Default"]);
}

#[test]
fn errors_name_file_and_line() {
    let text = "[[namespace]]\nname = \"a\"\n[[namespace.hub]]\nname = \"h\"\npartitions = 64\n";
    let message = parse(text).expect_err("64 partitions").to_string();
    assert_eq!(
        message,
        "test.toml:5: partition count 64 is out of range 1..=32"
    );

    let text = "[[namespace]]\nname = \"a\"\n[[namespace.rule]]\nname = \"r\"\nkey = \"k\"\nrights = [\"Read\"]\n";
    let message = parse(text).expect_err("bad right").to_string();
    assert!(
        message.starts_with("test.toml:6: unknown right \"read\""),
        "{message}"
    );

    let text = "[[namespace]]\nname = \"a\"\nhubs = 3\n";
    let message = parse(text).expect_err("unknown field").to_string();
    assert!(
        message.starts_with("test.toml:3: unknown field `hubs`"),
        "{message}"
    );

    let text =
        "[[namespace]]\nname = \"a\"\n[[namespace.hub]]\nname = \"h\"\nretention = \"3 weeks\"\n";
    let message = parse(text).expect_err("bad retention").to_string();
    assert!(message.starts_with("test.toml:5: retention"), "{message}");
}

#[test]
fn microsoft_config_json_is_accepted() {
    let text = r#"{"UserConfig":{"NamespaceConfig":[{"Type":"EventHub","Name":"emulatorNs1",
      "Entities":[{"Name":"eh1","PartitionCount":"2","ConsumerGroups":[{"Name":"cg1"}]}]}],
      "LoggingConfig":{"Type":"File"}}}"#;
    let config = EmulatorConfig::parse(text, Path::new("Config.json")).expect("valid json");
    let ns = &config.namespaces[0];
    assert_eq!(ns.name, "emulatorNs1");
    assert_eq!(ns.rules[0].name, "RootManageSharedAccessKey");
    assert_eq!(ns.rules[0].key, "SAS_KEY_VALUE");
    let hub = &ns.hubs[0];
    assert_eq!((hub.name.as_str(), hub.partitions), ("eh1", 2));
    assert_eq!(hub.consumer_groups, vec!["$Default", "cg1"]);
}

#[test]
fn microsoft_config_errors_point_at_the_entity() {
    let text = "{\"UserConfig\":{\"NamespaceConfig\":[{\"Type\":\"EventHub\",\"Name\":\"ns\",\n\"Entities\":[\n{\"Name\":\"eh1\",\"PartitionCount\":40}]}]}}";
    let message = EmulatorConfig::parse(text, Path::new("Config.json"))
        .expect_err("40 partitions")
        .to_string();
    assert_eq!(
        message,
        "Config.json:3: hub \"eh1\": partition count 40 is out of range 1..=32"
    );
}

#[test]
fn keys_stay_out_of_debug_output() {
    let rule = AccessRule {
        name: "r".into(),
        key: "secret-key".into(),
        rights: Rights::ALL,
    };
    assert!(!format!("{rule:?}").contains("secret-key"));
}

#[test]
fn schema_groups_carry_a_compatibility_and_bad_ones_name_the_line() {
    let text = "[[namespace]]\nname = \"a\"\n[[namespace.schema_group]]\nname = \"orders\"\ncompatibility = \"backward\"\n[[namespace.schema_group]]\nname = \"audit\"\n";
    let config = parse(text).expect("valid");
    let groups = &config.namespaces[0].schema_groups;
    assert_eq!(groups.len(), 2);
    assert_eq!(
        groups[0].compatibility,
        crate::codec::schema_compat::Mode::Backward
    );
    assert_eq!(
        groups[1].compatibility,
        crate::codec::schema_compat::Mode::None
    );

    let text = "[[namespace]]\nname = \"a\"\n[[namespace.schema_group]]\nname = \"g\"\ncompatibility = \"Sideways\"\n";
    let message = parse(text).expect_err("bad mode").to_string();
    assert!(
        message.starts_with("test.toml:5: compatibility \"Sideways\""),
        "{message}"
    );

    let text = "[[namespace]]\nname = \"a\"\n[[namespace.schema_group]]\nname = \"g\"\n[[namespace]]\nname = \"b\"\n[[namespace.schema_group]]\nname = \"G\"\n";
    let message = parse(text).expect_err("twice").to_string();
    assert!(message.contains("defined twice"), "{message}");
}
