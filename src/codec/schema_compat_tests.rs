use super::*;
use crate::codec::schema_diff::{FieldChange, diff};

const V1: &str = include_str!("../../schemas/contact_purchased.avsc");
const V2: &str = include_str!("../../schemas/contact_purchased.v2.avsc");

fn record(fields: &str) -> String {
    format!(r#"{{"type":"record","name":"T","namespace":"x","fields":[{fields}]}}"#)
}

#[test]
fn the_demo_second_version_adds_defaulted_fields_so_is_fully_compatible() {
    let verdict = verdict(V1, V2).expect("both parse");
    assert_eq!(verdict.backward, Ok(()));
    // Old readers ignore the new fields, so forward holds too: adding defaulted fields is full.
    assert_eq!(verdict.forward, Ok(()));
    assert!(verdict.full());
}

#[test]
fn a_new_field_without_default_breaks_backward_and_names_the_field() {
    let old = record(r#"{"name":"id","type":"string"}"#);
    let new = record(r#"{"name":"id","type":"string"},{"name":"region","type":"string"}"#);
    let verdict = verdict(&old, &new).expect("parse");
    let broken = verdict.check(Mode::Backward).expect_err("must refuse");
    assert_eq!(broken.field, "region");
    assert!(broken.to_string().contains("no default"), "{broken}");
    assert_eq!(verdict.check(Mode::Forward), Ok(()));
    assert_eq!(verdict.check(Mode::None), Ok(()));
}

#[test]
fn removing_a_field_without_default_breaks_forward() {
    let old = record(r#"{"name":"id","type":"string"},{"name":"n","type":"int"}"#);
    let new = record(r#"{"name":"id","type":"string"}"#);
    let verdict = verdict(&old, &new).expect("parse");
    assert_eq!(verdict.backward, Ok(()));
    assert_eq!(verdict.forward.expect_err("forward breaks").field, "n");
}

#[test]
fn promotions_go_one_way_and_unions_branch_by_branch() {
    let int = record(r#"{"name":"n","type":"int"}"#);
    let long = record(r#"{"name":"n","type":"long"}"#);
    let verdict_widen = verdict(&int, &long).expect("parse");
    assert_eq!(verdict_widen.backward, Ok(()));
    let narrowed = verdict_widen
        .forward
        .expect_err("long does not read as int");
    assert_eq!(narrowed.field, "n");
    assert!(narrowed.reason.contains("long"), "{narrowed}");

    let plain = record(r#"{"name":"s","type":"string"}"#);
    let optional = record(r#"{"name":"s","type":["null","string"],"default":null}"#);
    let verdict_optional = verdict(&plain, &optional).expect("parse");
    assert_eq!(verdict_optional.backward, Ok(()));
    assert_eq!(
        verdict_optional.forward.expect_err("null branch").field,
        "s"
    );
}

#[test]
fn nested_records_report_a_dotted_path() {
    let nested = |inner: &str| {
        record(&format!(
            r#"{{"name":"address","type":{{"type":"record","name":"Address","fields":[{inner}]}}}}"#
        ))
    };
    let old = nested(r#"{"name":"city","type":"string"}"#);
    let new = nested(r#"{"name":"city","type":"int"}"#);
    let broken = verdict(&old, &new)
        .expect("parse")
        .backward
        .expect_err("breaks");
    assert_eq!(broken.field, "address.city");
}

#[test]
fn enums_need_every_written_symbol_or_a_default() {
    let enum_of = |symbols: &str, default: &str| {
        record(&format!(
            r#"{{"name":"e","type":{{"type":"enum","name":"E","symbols":[{symbols}]{default}}}}}"#
        ))
    };
    let small = enum_of(r#""A""#, "");
    let large = enum_of(r#""A","B""#, "");
    let verdict_grow = verdict(&small, &large).expect("parse");
    assert_eq!(verdict_grow.backward, Ok(()));
    assert_eq!(verdict_grow.forward.expect_err("B unknown").field, "e");
    let with_default = enum_of(r#""A""#, r#","default":"A""#);
    assert_eq!(
        verdict(&with_default, &large).expect("parse").forward,
        Ok(())
    );
}

#[test]
fn invalid_schema_text_is_an_error_not_a_panic() {
    assert!(parse("not json").is_err());
    assert!(parse(r#"{"type":"record","name":"T"}"#).is_err());
    assert!(parse(r#"{"type":"enum"}"#).is_err());
    assert!(verdict("{}", V1).is_err());
}

#[test]
fn the_diff_lists_added_removed_and_changed_fields() {
    let changes = diff(V1, V2).expect("parse");
    let fields: Vec<&str> = changes.iter().map(FieldChange::field).collect();
    assert_eq!(fields, ["paymentMethod", "discountCode"]);
    assert_eq!(
        changes[0].describe(),
        "+ paymentMethod: string (default \"card\")"
    );
    assert_eq!(
        changes[1].describe(),
        "+ discountCode: null|string (default null)"
    );

    let old = record(
        r#"{"name":"a","type":"int"},{"name":"b","type":"string","default":"x"},{"name":"c","type":"int"}"#,
    );
    let new = record(r#"{"name":"a","type":"long"},{"name":"b","type":"string","default":"y"}"#);
    let described: Vec<String> = diff(&old, &new)
        .expect("parse")
        .iter()
        .map(FieldChange::describe)
        .collect();
    assert_eq!(
        described,
        [
            "~ a: type int -> long",
            "~ b: default \"x\" -> \"y\"",
            "- c: int"
        ]
    );
    assert!(diff(V1, V1).expect("parse").is_empty());
}
