//! Named contexts in the user's config file (`config.toml` in the `directories` config dir):
//! where to connect and how to behave, picked with `--context NAME`. A context fills what the
//! command line leaves unset; the command line always wins. Secrets stay out of the file: a
//! context names the environment variable holding its connection string.
//!
//! ```toml
//! [context.prod]
//! connection_string_env = "PROD_EVENTHUBS"   # the variable's name, not its value
//! read_only = true                           # production: look, don't touch
//! theme = "light"                            # and look different
//! checkpoint_dir = "/mnt/prod-checkpoints"
//! audit_hub = "audit"                        # incident actions also go there as CloudEvents
//!
//! [context.azure-prod]
//! namespace = "contoso-prod"                 # signed in with az login (or the environment)
//! tenant = "contoso.onmicrosoft.com"
//! subscription = "00000000-0000-0000-0000-000000000000"
//! read_only = true
//!
//! [context.demo]
//! team = "conversions"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::target::TargetArgs;
use crate::connect::error::ConnectError;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Context {
    /// The environment variable holding the namespace's connection string.
    pub connection_string_env: Option<String>,
    /// An Azure namespace to sign in to, instead of a connection string.
    pub namespace: Option<String>,
    pub tenant: Option<String>,
    pub subscription: Option<String>,
    pub resource_group: Option<String>,
    /// The emulator catalog's address, for an emulator connection string.
    pub catalog: Option<String>,
    pub checkpoint_dir: Option<PathBuf>,
    /// The hub incident actions are audited to, as CloudEvents.
    pub audit_hub: Option<String>,
    /// The demo team to sign in as.
    pub team: Option<String>,
    #[serde(default)]
    pub read_only: bool,
    pub theme: Option<String>,
    /// List only the signed-in team's hubs (other teams' readable hubs are hidden).
    #[serde(default)]
    pub own_team_only: bool,
}

#[derive(Debug, Default, Deserialize)]
struct ConfigFile {
    #[serde(default)]
    context: BTreeMap<String, Context>,
}

/// The user's config file.
pub fn config_file() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "ehops").map(|d| d.config_dir().join("config.toml"))
}

/// `args` with the named context applied (and `context` cleared, so applying twice is
/// harmless), plus the context itself for what only the console uses (theme, hiding).
pub fn resolve(args: &TargetArgs) -> Result<(TargetArgs, Context), ConnectError> {
    let Some(name) = &args.context else {
        return Ok((args.clone(), Context::default()));
    };
    let path =
        config_file().ok_or_else(|| ConnectError::usage("no config directory for --context"))?;
    let context = load(&path, name)?;
    let mut resolved = args.clone();
    resolved.context = None;
    let chosen_by_command_line =
        resolved.connection_string.is_some() || resolved.namespace.is_some() || resolved.emulator;
    if !chosen_by_command_line && let Some(namespace) = &context.namespace {
        resolved.namespace = Some(namespace.clone());
        resolved.tenant = resolved.tenant.or(context.tenant.clone());
        resolved.subscription = resolved.subscription.or(context.subscription.clone());
        resolved.resource_group = resolved.resource_group.or(context.resource_group.clone());
    } else if !chosen_by_command_line && let Some(variable) = &context.connection_string_env {
        let value = std::env::var(variable).map_err(|_| {
            ConnectError::usage(format!(
                "context {name:?} takes its connection string from ${variable}, which is not set"
            ))
        })?;
        resolved.connection_string = Some(value);
    }
    resolved.catalog = resolved.catalog.or(context.catalog.clone());
    resolved.checkpoint_dir = resolved.checkpoint_dir.or(context.checkpoint_dir.clone());
    if resolved.is_embedded_demo() {
        resolved.team = resolved.team.or(context.team.clone());
    }
    resolved.audit_hub = resolved.audit_hub.or(context.audit_hub.clone());
    resolved.read_only |= context.read_only;
    Ok((resolved, context))
}

fn load(path: &Path, name: &str) -> Result<Context, ConnectError> {
    let origin = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConnectError::usage(format!("--context {name}: cannot read {origin}: {e}")))?;
    let file: ConfigFile =
        toml::from_str(&text).map_err(|e| ConnectError::usage(format!("{origin}: {e}")))?;
    let names: Vec<&str> = file.context.keys().map(String::as_str).collect();
    let known = names.join(", ");
    file.context.get(name).cloned().ok_or_else(|| {
        ConnectError::usage(format!(
            "no context {name:?} in {origin}; contexts: {known}"
        ))
    })
}
