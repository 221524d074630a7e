//! `ehops decode`: decodes one event read on stdin, either a line of `ehops tail --json` or,
//! with `--content-type` or `--raw`, the body's raw bytes; prints one JSON object with the
//! CloudEvent attributes, the decoded data, framing, schema id and mandate violations.

use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use base64::Engine;
use clap::Args;
use serde::{Deserialize, Serialize};

use super::{exit, output};
use crate::codec::avro::Schema;
use crate::codec::cloudevents::{CloudEvent, PropertyValue};
use crate::codec::framing::Framing;
use crate::codec::mandate::Violation;
use crate::codec::schemas::{self, SchemaCache};
use crate::codec::{Data, DecodeOptions, EventInput, Headers, decode_event};

/// Most bytes read from stdin (Event Hubs events are at most 1 MB; container files more).
const MAX_INPUT: u64 = 256 << 20;

#[derive(Debug, Clone, Args)]
pub struct DecodeArgs {
    /// A writer schema file (.avsc), under the id its content hashes to (the demo's rule),
    /// or ID=FILE to give the id (a registry's id, or a Confluent number). Repeatable.
    #[arg(long, value_name = "[ID=]FILE")]
    pub schema: Vec<String>,
    /// Every .avsc file of a directory, each under the id its content hashes to.
    #[arg(long, value_name = "DIR")]
    pub schema_dir: Vec<PathBuf>,
    /// Read the data as this schema version (Avro schema resolution), for events whose
    /// writer schema has the same full name. Repeatable.
    #[arg(long, value_name = "FILE")]
    pub reader_schema: Vec<PathBuf>,
    /// Stdin is the raw body with this content type (instead of a tail JSON line).
    #[arg(long, value_name = "TYPE")]
    pub content_type: Option<String>,
    /// Stdin is the raw body, with no content type.
    #[arg(long)]
    pub raw: bool,
    /// An application property of the raw event (e.g. cloudEvents_id=42). Repeatable.
    #[arg(long, value_name = "NAME=VALUE")]
    pub property: Vec<String>,
}

/// The fields of an `ehops tail --json` line that decoding needs.
#[derive(Deserialize)]
struct TailLine {
    content_type: Option<String>,
    #[serde(default)]
    properties: HashMap<String, String>,
    body_base64: String,
}

#[derive(Serialize)]
struct Decoded<'a> {
    framing: Framing,
    schema_id: Option<&'a str>,
    schema: Option<&'a str>,
    cloudevent: Option<&'a CloudEvent>,
    /// Records keep their schema's field order.
    data: &'a Data,
    error: Option<ErrorLine>,
    violations: &'a [Violation],
    /// The body as received, when its data could not be decoded.
    #[serde(skip_serializing_if = "Option::is_none")]
    raw_base64: Option<String>,
}

#[derive(Serialize)]
struct ErrorLine {
    kind: &'static str,
    reason: String,
}

fn usage(message: impl std::fmt::Display) -> u8 {
    eprintln!("error: {message}");
    exit::USAGE
}

pub fn run(args: &DecodeArgs) -> u8 {
    let mut cache = SchemaCache::complete();
    if let Err(message) = load_schemas(&mut cache, args) {
        return usage(message);
    }
    let mut readers = HashMap::new();
    for path in &args.reader_schema {
        match read_schema(path) {
            Ok(schema) => match schema.full_name() {
                Some(name) => readers.insert(name.to_owned(), Arc::new(schema)),
                None => {
                    return usage(format!(
                        "{}: a reader schema must be a named type",
                        path.display()
                    ));
                }
            },
            Err(message) => return usage(message),
        };
    }
    let mut input = Vec::new();
    if let Err(error) = std::io::stdin().take(MAX_INPUT).read_to_end(&mut input) {
        return usage(format!("cannot read stdin: {error}"));
    }
    let (content_type, properties, body) = if args.raw || args.content_type.is_some() {
        let properties = match raw_properties(&args.property) {
            Ok(p) => p,
            Err(message) => return usage(message),
        };
        (args.content_type.clone(), properties, input)
    } else {
        match parse_tail_line(&input) {
            Ok(parts) => parts,
            Err(message) => return usage(message),
        }
    };
    let decoded = decode_event(
        &EventInput {
            content_type: content_type.as_deref(),
            headers: Headers::Amqp(&properties),
            body: &body,
        },
        &DecodeOptions {
            schemas: &cache,
            readers: &readers,
        },
    );
    let error = decoded.data.error();
    output::json_line(&Decoded {
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
        raw_base64: error.map(|_| base64::engine::general_purpose::STANDARD.encode(&body)),
    });
    if let Some(error) = error {
        eprintln!("error: {error}");
        return exit::DECODE;
    }
    exit::OK
}

fn read_schema(path: &std::path::Path) -> Result<Schema, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Schema::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn load_schemas(cache: &mut SchemaCache, args: &DecodeArgs) -> Result<(), String> {
    for dir in &args.schema_dir {
        schemas::load_dir(cache, dir).map_err(|e| e.to_string())?;
    }
    for spec in &args.schema {
        let explicit = spec.split_once('=').filter(|(id, _)| {
            !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
        match explicit {
            Some((id, path)) => {
                let schema = read_schema(std::path::Path::new(path))?;
                cache.insert(id, Arc::new(schema));
            }
            None => {
                schemas::load_file(cache, std::path::Path::new(spec)).map_err(|e| e.to_string())?;
            }
        }
    }
    Ok(())
}

fn raw_properties(specs: &[String]) -> Result<Vec<(String, PropertyValue)>, String> {
    specs
        .iter()
        .map(|spec| match spec.split_once('=') {
            Some((name, value)) => Ok((name.to_owned(), PropertyValue::String(value.to_owned()))),
            None => Err(format!("--property {spec}: expected NAME=VALUE")),
        })
        .collect()
}

type Parts = (Option<String>, Vec<(String, PropertyValue)>, Vec<u8>);

fn parse_tail_line(input: &[u8]) -> Result<Parts, String> {
    let line: TailLine = serde_json::from_slice(input).map_err(|e| {
        format!("stdin is not a line of `ehops tail --json` ({e}); use --content-type or --raw for raw bytes")
    })?;
    let body = base64::engine::general_purpose::STANDARD
        .decode(line.body_base64.trim())
        .map_err(|e| format!("body_base64 is not base64: {e}"))?;
    // The tail prints properties by name; wire order is not kept, and the codec needs none.
    let mut properties: Vec<_> = line
        .properties
        .into_iter()
        .map(|(k, v)| (k, PropertyValue::String(v)))
        .collect();
    properties.sort_by(|a, b| a.0.cmp(&b.0));
    Ok((line.content_type, properties, body))
}
