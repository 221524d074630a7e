//! Where the schema id of an Avro payload is, by the order of docs/protocol-notes.md section 3:
//! the Azure encoder's content type `avro/binary+<id>`, the older Azure preamble (4 zero
//! bytes and a 32-character id), Confluent's magic byte and 4-byte id, an object container
//! file (its schema is inside), or none of them.

use serde::Serialize;

const AZURE_CONTENT_TYPE: &str = "avro/binary+";
const PREAMBLE_ID_LEN: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Framing {
    /// Content type `avro/binary+<id>`, the body a bare datum (Azure Schema Registry encoder).
    AzureContentType,
    /// `00 00 00 00` then 32 id characters, then the datum (early Azure Java serializer).
    AzurePreamble,
    /// `00` then a big-endian 32-bit id, then the datum (Confluent wire format).
    Confluent,
    /// An Avro object container file, schema included.
    ContainerFile,
    /// No Avro framing: JSON, text or opaque bytes.
    None,
}

/// The framing of a body, its schema id if it names one, and the bytes after the framing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Framed<'a> {
    pub framing: Framing,
    pub schema_id: Option<String>,
    pub payload: &'a [u8],
}

/// The schema id in an Azure encoder content type, if it is one.
pub fn content_type_schema_id(content_type: &str) -> Option<&str> {
    let head = content_type.get(..AZURE_CONTENT_TYPE.len())?;
    head.eq_ignore_ascii_case(AZURE_CONTENT_TYPE)
        .then(|| content_type[AZURE_CONTENT_TYPE.len()..].trim())
        .filter(|id| !id.is_empty())
}

/// Whether a content type says the body is JSON or text, which no Avro framing overrides.
pub fn is_textual(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence.starts_with("text/") || essence == "application/json" || essence.ends_with("+json")
}

pub fn detect<'a>(content_type: Option<&str>, body: &'a [u8]) -> Framed<'a> {
    let none = Framed {
        framing: Framing::None,
        schema_id: None,
        payload: body,
    };
    if let Some(id) = content_type.and_then(content_type_schema_id) {
        return Framed {
            framing: Framing::AzureContentType,
            schema_id: Some(id.to_owned()),
            payload: body,
        };
    }
    if content_type.is_some_and(is_textual) {
        return none;
    }
    if body.starts_with(super::avro::container::MAGIC) {
        return Framed {
            framing: Framing::ContainerFile,
            schema_id: None,
            payload: body,
        };
    }
    if let Some(rest) = body.strip_prefix(&[0, 0, 0, 0])
        && let Some(id) = rest.get(..PREAMBLE_ID_LEN)
        && id.iter().all(u8::is_ascii_hexdigit)
    {
        return Framed {
            framing: Framing::AzurePreamble,
            // All ASCII hex digits, so this is valid UTF-8.
            schema_id: Some(String::from_utf8_lossy(id).into_owned()),
            payload: &rest[PREAMBLE_ID_LEN..],
        };
    }
    if body.len() > 5 && body[0] == 0 {
        let id = u32::from_be_bytes([body[1], body[2], body[3], body[4]]);
        return Framed {
            framing: Framing::Confluent,
            schema_id: Some(id.to_string()),
            payload: &body[5..],
        };
    }
    none
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "b489dc4916744e3db72dda8f9693f342";

    #[test]
    fn detects_each_framing_in_the_documented_order() {
        let framed = detect(Some(&format!("avro/binary+{ID}")), b"\x00\x00\x00\x00abc");
        assert_eq!(
            (framed.framing, framed.schema_id.as_deref()),
            (Framing::AzureContentType, Some(ID))
        );
        assert_eq!(framed.payload.len(), 7);

        let mut preamble = vec![0, 0, 0, 0];
        preamble.extend_from_slice(ID.as_bytes());
        preamble.extend_from_slice(b"\x02");
        let framed = detect(None, &preamble);
        assert_eq!(
            (framed.framing, framed.schema_id.as_deref(), framed.payload),
            (Framing::AzurePreamble, Some(ID), &b"\x02"[..])
        );

        let framed = detect(Some("application/octet-stream"), &[0, 0, 0, 1, 0x2c, 0x02]);
        assert_eq!(
            (framed.framing, framed.schema_id.as_deref(), framed.payload),
            (Framing::Confluent, Some("300"), &[2u8][..])
        );

        assert_eq!(detect(None, b"Obj\x01....").framing, Framing::ContainerFile);
        assert_eq!(
            detect(Some("application/json"), &[0, 0, 0, 1, 0x2c, 0x02]).framing,
            Framing::None
        );
        assert_eq!(detect(None, &[0, 1, 2]).framing, Framing::None);
        assert_eq!(detect(Some("AVRO/BINARY+"), b"x").framing, Framing::None);
    }
}
