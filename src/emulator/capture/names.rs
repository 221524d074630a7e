//! Blob names from `archiveNameFormat`: each token replaced, dates zero-padded, `.avro`
//! appended, as Azure names them (`ns/hub/0/2017/12/08/03/03/17.avro`).

use time::OffsetDateTime;

pub fn archive_name(
    format: &str,
    namespace: &str,
    hub: &str,
    partition: &str,
    window_start: OffsetDateTime,
) -> String {
    let t = window_start;
    let name = format
        .replace("{Namespace}", namespace)
        .replace("{EventHub}", hub)
        .replace("{PartitionId}", partition)
        .replace("{Year}", &format!("{:04}", t.year()))
        .replace("{Month}", &format!("{:02}", u8::from(t.month())))
        .replace("{Day}", &format!("{:02}", t.day()))
        .replace("{Hour}", &format!("{:02}", t.hour()))
        .replace("{Minute}", &format!("{:02}", t.minute()))
        .replace("{Second}", &format!("{:02}", t.second()));
    format!("{name}.avro")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::config::capture::DEFAULT_ARCHIVE_NAME_FORMAT;

    #[test]
    fn the_default_format_gives_azures_documented_path() {
        let t = OffsetDateTime::from_unix_timestamp(1_512_702_197).expect("valid");
        assert_eq!(
            archive_name(
                DEFAULT_ARCHIVE_NAME_FORMAT,
                "mynamespace",
                "myeventhub",
                "0",
                t
            ),
            "mynamespace/myeventhub/0/2017/12/08/03/03/17.avro"
        );
        let custom =
            "{Year}-{Month}-{Day}/{Namespace}_{EventHub}_{PartitionId}/{Hour}{Minute}{Second}";
        assert_eq!(
            archive_name(custom, "ns", "hub", "3", t),
            "2017-12-08/ns_hub_3/030317.avro"
        );
    }
}
