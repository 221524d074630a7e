//! Writer schemas by id. Decoding is synchronous and never waits for a registry: it asks a
//! [`SchemaLookup`] "have I got schema X parsed?". The backend answers from a
//! [`SchemaCache`], fetches a missing id from the registry in the background, inserts it and
//! decodes the event again; until then the event shows why it is not decoded.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::avro::{Schema, SchemaError};
use crate::model::SchemaFetch;

/// What a lookup knows about a schema id.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    Found(Arc<Schema>),
    /// Not known yet: the caller may fetch it and try again.
    Missing,
    /// The registry has no schema with this id (a mandate violation: outputs are registered).
    NotRegistered,
    /// The schema could not be had (registry unreachable, unparsable text); the reason says.
    Unavailable(String),
}

pub trait SchemaLookup {
    fn lookup(&self, id: &str) -> Lookup;
}

/// Parsed schemas keyed by id (Azure ids compare without regard to case), and the ids the
/// registry could not provide, with the reason.
#[derive(Debug, Default, Clone)]
pub struct SchemaCache {
    schemas: HashMap<String, Arc<Schema>>,
    failures: HashMap<String, Failure>,
    complete: bool,
}

#[derive(Debug, Clone)]
enum Failure {
    NotRegistered,
    Unavailable(String),
}

impl SchemaCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// A cache that holds every schema there is (loaded from files): an id it lacks is not
    /// registered, rather than not fetched yet.
    pub fn complete() -> Self {
        SchemaCache {
            complete: true,
            ..Self::default()
        }
    }

    /// Parses and keeps a schema; an unparsable one is remembered as a failure for that id.
    pub fn insert_text(&mut self, id: &str, text: &str) -> Result<Arc<Schema>, SchemaError> {
        match Schema::parse(text) {
            Ok(schema) => Ok(self.insert(id, Arc::new(schema))),
            Err(error) => {
                self.unavailable(id, error.to_string());
                Err(error)
            }
        }
    }

    pub fn insert(&mut self, id: &str, schema: Arc<Schema>) -> Arc<Schema> {
        let key = id.to_ascii_lowercase();
        self.failures.remove(&key);
        self.schemas.insert(key, Arc::clone(&schema));
        schema
    }

    /// Remembers that the registry has no schema with this id.
    pub fn not_registered(&mut self, id: &str) {
        self.failures
            .insert(id.to_ascii_lowercase(), Failure::NotRegistered);
    }

    /// Remembers why a schema could not be had (registry unreachable, refused, unparsable).
    pub fn unavailable(&mut self, id: &str, reason: String) {
        self.failures
            .insert(id.to_ascii_lowercase(), Failure::Unavailable(reason));
    }

    /// The schema id an event's framing names, when this cache does not know it yet: the id a
    /// holder of a registry should fetch.
    pub fn missing_for(&self, content_type: Option<&str>, body: &[u8]) -> Option<String> {
        let id = super::framing::detect(content_type, body).schema_id?;
        matches!(self.lookup(&id), Lookup::Missing).then_some(id)
    }

    /// Keeps what the registry answered for `id` (a schema that does not parse is remembered as
    /// unavailable, with the parser's reason).
    pub fn record(&mut self, id: &str, fetched: SchemaFetch) {
        match fetched {
            SchemaFetch::Found(text) => {
                let _ = self.insert_text(id, &text);
            }
            SchemaFetch::NotRegistered => self.not_registered(id),
            SchemaFetch::Unavailable(reason) => self.unavailable(id, reason),
        }
    }

    /// Forgets a failure, so the next lookup says `Missing` and the id is fetched again.
    pub fn retry(&mut self, id: &str) {
        self.failures.remove(&id.to_ascii_lowercase());
    }

    pub fn len(&self) -> usize {
        self.schemas.len()
    }

    pub fn is_empty(&self) -> bool {
        self.schemas.is_empty()
    }

    pub fn schemas(&self) -> impl Iterator<Item = (&str, &Arc<Schema>)> {
        self.schemas.iter().map(|(id, s)| (id.as_str(), s))
    }
}

impl SchemaLookup for SchemaCache {
    fn lookup(&self, id: &str) -> Lookup {
        // Ids are usually lowercase already: look them up without allocating first.
        if let Some(schema) = self.schemas.get(id) {
            return Lookup::Found(Arc::clone(schema));
        }
        let key = id.to_ascii_lowercase();
        if let Some(schema) = self.schemas.get(&key) {
            return Lookup::Found(Arc::clone(schema));
        }
        match self.failures.get(&key) {
            Some(Failure::NotRegistered) => Lookup::NotRegistered,
            Some(Failure::Unavailable(reason)) => Lookup::Unavailable(reason.clone()),
            None if self.complete => Lookup::NotRegistered,
            None => Lookup::Missing,
        }
    }
}

/// The id the demo organisation publishes a schema file under: the first 32 hex digits of
/// the SHA-256 of its text, exactly as stored (the same rule as the emulator's registry).
pub fn file_schema_id(text: &str) -> String {
    super::avro::json::hex(&Sha256::digest(text.as_bytes())[..16])
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {error}")]
    Io { path: String, error: std::io::Error },
    #[error("{path}: {error}")]
    Schema { path: String, error: SchemaError },
}

/// Adds one `.avsc` file under its content id; returns the id.
pub fn load_file(cache: &mut SchemaCache, path: &Path) -> Result<String, LoadError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|error| LoadError::Io {
        path: shown.clone(),
        error,
    })?;
    let id = file_schema_id(&text);
    cache
        .insert_text(&id, &text)
        .map_err(|error| LoadError::Schema { path: shown, error })?;
    Ok(id)
}

/// Adds every `.avsc` file of a directory (not its subdirectories); returns how many.
pub fn load_dir(cache: &mut SchemaCache, dir: &Path) -> Result<usize, LoadError> {
    let io = |error| LoadError::Io {
        path: dir.display().to_string(),
        error,
    };
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|p| p.extension().is_some_and(|e| e == "avsc") && p.is_file())
        .collect();
    paths.sort();
    for path in &paths {
        load_file(cache, path)?;
    }
    Ok(paths.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_answers_found_missing_or_failed() {
        let mut cache = SchemaCache::new();
        assert_eq!(cache.lookup("ABC"), Lookup::Missing);
        cache.unavailable("abc", "registry unreachable".into());
        assert_eq!(
            cache.lookup("ABC"),
            Lookup::Unavailable("registry unreachable".into())
        );
        cache.not_registered("def");
        assert_eq!(cache.lookup("def"), Lookup::NotRegistered);
        assert_eq!(SchemaCache::complete().lookup("abc"), Lookup::NotRegistered);
        cache.insert_text("abc", r#""long""#).expect("parses");
        assert!(matches!(cache.lookup("Abc"), Lookup::Found(_)));
        assert!(cache.insert_text("bad", "{").is_err());
        assert!(
            matches!(cache.lookup("bad"), Lookup::Unavailable(reason) if reason.contains("not JSON"))
        );
    }

    #[test]
    fn loads_the_shipped_schemas_under_the_demo_ids() {
        let mut cache = SchemaCache::new();
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
        assert_eq!(load_dir(&mut cache, &dir).expect("loads"), 13);
        assert_eq!(file_schema_id(""), "e3b0c44298fc1c149afbf4c8996fb924");
        let text = std::fs::read_to_string(dir.join("sale_confirmed.avsc")).expect("reads");
        let Lookup::Found(schema) = cache.lookup(&file_schema_id(&text)) else {
            panic!("sale_confirmed is loaded");
        };
        assert_eq!(
            schema.full_name(),
            Some("com.example.conversions.SaleConfirmed")
        );
    }
}
