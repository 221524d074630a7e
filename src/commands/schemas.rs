//! `ehops schemas [GROUP [NAME]]`: the registry's groups, a group's schemas, a schema's
//! versions with the latest pretty-printed; `ehops schema diff GROUP NAME V1 V2`: what changed
//! between two versions and whether they are backward, forward and fully compatible.

use clap::{Args, Subcommand};
use serde::Serialize;
use serde_json::json;

use super::target::{self, DEFAULT_CONSUMER_GROUP, TargetArgs};
use super::{exit, fail, output};
use crate::codec::schema_compat::{self, Incompatibility};
use crate::codec::schema_diff::{self, FieldChange};
use crate::connect::error::ConnectError;
use crate::connect::registry::{RegisteredSchema, RegistryError, SchemaRegistry};
use crate::tui::views::sanitize::sanitize;

#[derive(Debug, Clone, Args)]
pub struct SchemasArgs {
    /// Only this schema group.
    pub group: Option<String>,
    /// Only this schema (its versions, and the latest's text).
    pub name: Option<String>,
    /// One JSON object per line.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Subcommand)]
pub enum SchemaCommand {
    /// Compare two versions of a schema: fields added, removed or changed, and compatibility.
    Diff(DiffArgs),
}

#[derive(Debug, Clone, Args)]
pub struct DiffArgs {
    pub group: String,
    pub name: String,
    pub from: u32,
    pub to: u32,
    /// One JSON object.
    #[arg(long)]
    pub json: bool,
}

/// One schema of a group, as `ehops schemas [GROUP]` lists it; field names are a promise.
#[derive(Serialize)]
struct SchemaLine {
    group: String,
    schema: String,
    versions: Vec<u32>,
    latest_id: Option<String>,
}

async fn registry(
    target_args: &TargetArgs,
) -> Result<(target::Target, SchemaRegistry), ConnectError> {
    let target = target::open(target_args, DEFAULT_CONSUMER_GROUP).await?;
    let registry = SchemaRegistry::for_connection(target.plane.connection())?;
    Ok((target, registry))
}

pub async fn run(target_args: &TargetArgs, args: &SchemasArgs) -> u8 {
    let (_target, registry) = match registry(target_args).await {
        Ok(both) => both,
        Err(error) => return fail(&error),
    };
    let result = match (&args.group, &args.name) {
        (Some(group), Some(name)) => versions(&registry, group, name, args.json).await,
        (group, _) => schemas(&registry, group.as_deref(), args.json).await,
    };
    match result {
        Ok(()) => exit::OK,
        Err(error) => fail(&error),
    }
}

async fn schemas(
    registry: &SchemaRegistry,
    only: Option<&str>,
    json: bool,
) -> Result<(), ConnectError> {
    let mut groups = registry.groups().await?;
    if let Some(group) = only {
        groups.retain(|g| g.eq_ignore_ascii_case(group));
        if groups.is_empty() {
            return Err(ConnectError::not_found(format!(
                "no schema group {group} (or not visible to this identity)"
            )));
        }
    }
    let mut lines = Vec::new();
    let mut unreadable: Vec<ConnectError> = Vec::new();
    for group in groups {
        let names = match registry.schema_names(&group).await {
            Ok(names) => names,
            // Azure's API has no list of a group's schema names; the emulator's has.
            Err(RegistryError::NotFound(_)) => {
                eprintln!(
                    "note: the registry cannot list the schemas of group {}",
                    sanitize(&group, false)
                );
                Vec::new()
            }
            Err(other) => return Err(other.into()),
        };
        for name in names {
            // One schema that cannot be read is reported; the others are still listed.
            match schema_line(registry, &group, name.clone()).await {
                Ok(line) => lines.push(line),
                Err(error) => {
                    eprintln!(
                        "error: schema {} of group {}: {error}",
                        sanitize(&name, false),
                        sanitize(&group, false)
                    );
                    unreadable.push(error.into());
                }
            }
        }
    }
    if json {
        lines.iter().for_each(output::json_line);
        return Ok(());
    }
    let mut table = output::Table::new(&["GROUP", "SCHEMA", "VERSIONS", "LATEST ID"]);
    for line in &lines {
        let versions: Vec<String> = line.versions.iter().map(u32::to_string).collect();
        table.row(vec![
            line.group.clone(),
            line.schema.clone(),
            versions.join(","),
            line.latest_id.clone().unwrap_or_default(),
        ]);
    }
    table.print();
    match unreadable.first() {
        None => Ok(()),
        Some(first) => Err(ConnectError::new(
            first.failure,
            format!("{} schema(s) could not be read", unreadable.len()),
        )),
    }
}

async fn schema_line(
    registry: &SchemaRegistry,
    group: &str,
    name: String,
) -> Result<SchemaLine, RegistryError> {
    let versions = registry.versions(group, &name).await?;
    let latest_id = match versions.last() {
        Some(v) => Some(registry.schema_by_version(group, &name, *v).await?.id),
        None => None,
    };
    Ok(SchemaLine {
        group: group.to_owned(),
        schema: name,
        versions,
        latest_id,
    })
}

async fn versions(
    registry: &SchemaRegistry,
    group: &str,
    name: &str,
    json: bool,
) -> Result<(), ConnectError> {
    let mut all: Vec<RegisteredSchema> = Vec::new();
    for version in registry.versions(group, name).await? {
        all.push(registry.schema_by_version(group, name, version).await?);
    }
    if json {
        all.iter().for_each(output::json_line);
        return Ok(());
    }
    let mut table = output::Table::new(&["VERSION", "ID", "FORMAT"]);
    for schema in &all {
        table.row(vec![
            schema.version.to_string(),
            schema.id.clone(),
            schema.format.clone(),
        ]);
    }
    table.print();
    if let Some(latest) = all.last() {
        // Schema text is anyone's: it must not drive the terminal.
        println!(
            "\nversion {}:\n{}",
            latest.version,
            sanitize(&latest.pretty(), true)
        );
    }
    Ok(())
}

pub async fn diff(target_args: &TargetArgs, args: &DiffArgs) -> u8 {
    let (_target, registry) = match registry(target_args).await {
        Ok(both) => both,
        Err(error) => return fail(&error),
    };
    let fetch = |v| registry.schema_by_version(&args.group, &args.name, v);
    let (old, new) = match (fetch(args.from).await, fetch(args.to).await) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(error), _) | (_, Err(error)) => return fail(&error.into()),
    };
    let compared = schema_diff::diff(&old.content, &new.content)
        .and_then(|changes| Ok((changes, schema_compat::verdict(&old.content, &new.content)?)));
    let (changes, verdict) = match compared {
        Ok(both) => both,
        Err(error) => {
            return fail(&ConnectError::usage(format!(
                "{} versions {} and {}: {error}",
                args.name, args.from, args.to
            )));
        }
    };
    if args.json {
        let side = |r: &Result<(), Incompatibility>| match r {
            Ok(()) => json!({"compatible": true}),
            Err(e) => json!({"compatible": false, "field": e.field, "reason": e.reason}),
        };
        output::json_line(&json!({
            "group": args.group,
            "schema": args.name,
            "from": args.from,
            "to": args.to,
            "changes": changes,
            "backward": side(&verdict.backward),
            "forward": side(&verdict.forward),
            "full": verdict.full(),
        }));
        return exit::OK;
    }
    println!(
        "{} {}: version {} -> {}",
        args.group, args.name, args.from, args.to
    );
    if changes.is_empty() {
        println!("  no field changes");
    }
    for change in &changes {
        println!("  {}", FieldChange::describe(change));
    }
    let say = |r: &Result<(), Incompatibility>| match r {
        Ok(()) => "yes".to_owned(),
        Err(e) => format!("no ({e})"),
    };
    println!("backward: {}", say(&verdict.backward));
    println!("forward:  {}", say(&verdict.forward));
    println!("full:     {}", if verdict.full() { "yes" } else { "no" });
    exit::OK
}
