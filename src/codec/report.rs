//! A decoded event as scripts read it: the JSON object `ehops decode` prints and `ehops tail
//! --json` nests under `decoded`. Field names are stable.

use base64::Engine;
use serde::Serialize;

use super::cloudevents::CloudEvent;
use super::event::{Data, DecodedEvent};
use super::framing::Framing;
use super::mandate::Violation;

#[derive(Debug, Serialize)]
pub struct DecodedReport<'a> {
    pub framing: Framing,
    pub schema_id: Option<&'a str>,
    pub schema: Option<&'a str>,
    pub cloudevent: Option<&'a CloudEvent>,
    /// Records keep their schema's field order.
    pub data: &'a Data,
    pub error: Option<ErrorLine>,
    pub violations: &'a [Violation],
    /// The body as received, when its data could not be decoded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw_base64: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ErrorLine {
    pub kind: &'static str,
    pub reason: String,
}

impl<'a> DecodedReport<'a> {
    /// The report of `decoded`, whose raw `body` is carried along only when decoding failed
    /// (a tail line has the body already; `include_raw` says whether to repeat it).
    pub fn new(decoded: &'a DecodedEvent, body: &[u8], include_raw: bool) -> Self {
        let error = decoded.data.error();
        Self {
            framing: decoded.framing,
            schema_id: decoded.schema_id.as_deref(),
            schema: decoded.schema_name.as_deref(),
            cloudevent: decoded.cloud_event.as_ref(),
            data: &decoded.data,
            error: error.map(|e| ErrorLine {
                kind: e.kind(),
                reason: e.to_string(),
            }),
            violations: &decoded.violations,
            raw_base64: error
                .filter(|_| include_raw)
                .map(|_| base64::engine::general_purpose::STANDARD.encode(body)),
        }
    }
}
