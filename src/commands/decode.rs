//! `ehops decode`: decodes one event read on stdin, either a line of `ehops tail --json` or,
//! with `--content-type` or `--raw`, the body's raw bytes; prints one JSON object with the
//! CloudEvent attributes, the decoded data, framing, schema id and mandate violations.

use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use base64::Engine;
use clap::Args;
use serde::Deserialize;

use super::target::{self, DEFAULT_CONSUMER_GROUP, TargetArgs};
use super::{exit, fail, output};
use crate::codec::avro::Schema;
use crate::codec::cloudevents::PropertyValue;
use crate::codec::report::DecodedReport;
use crate::codec::schemas::{self, SchemaCache};
use crate::codec::{DecodeOptions, EventInput, Headers, decode_event};
use crate::connect::registry::SchemaRegistry;
use crate::connect::schema_source;

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

fn usage(message: impl std::fmt::Display) -> u8 {
    eprintln!("error: {message}");
    exit::USAGE
}

pub async fn run(target_args: &TargetArgs, args: &DecodeArgs) -> u8 {
    // Schema files given: they are all there is. Otherwise the target's Schema Registry.
    let from_files = !args.schema.is_empty() || !args.schema_dir.is_empty();
    let mut cache = if from_files {
        SchemaCache::complete()
    } else {
        SchemaCache::new()
    };
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
    // Held until the end: on the embedded demo it is the emulator serving the registry.
    let mut _target = None;
    if !from_files && let Some(id) = cache.missing_for(content_type.as_deref(), &body) {
        let target = match target::open(target_args, DEFAULT_CONSUMER_GROUP).await {
            Ok(target) => target,
            Err(error) => return fail(&error),
        };
        match SchemaRegistry::for_connection(target.plane.connection()) {
            Ok(registry) => cache.record(&id, schema_source::fetch(&registry, &id).await),
            Err(error) => return fail(&error),
        }
        _target = Some(target);
    }
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
    output::json_line(&DecodedReport::new(&decoded, &body, true));
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
