//! What every console command connects to, from options shared by the TUI and the headless
//! commands: the embedded emulator with the demo organisation (the default), or any Event
//! Hubs by connection string. Either way the rest of the console sees one [`Connection`].

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;

use super::team;
use crate::backend::SignIn;
use crate::connect::Connection;
use crate::connect::checkpoints::{CheckpointStore, DirectoryCheckpoints};
use crate::connect::data_plane::DataPlane;
use crate::connect::error::{ConnectError, Failure};
use crate::emulator::{self, LaunchOptions, RunningEmulator};

/// The consumer group the console reads with: its own, never an application's.
pub const DEFAULT_CONSUMER_GROUP: &str = "ehops";

#[derive(Debug, Clone, Default, Args)]
pub struct TargetArgs {
    /// Use the embedded emulator with the demo organisation (what happens by default).
    #[arg(long, global = true, conflicts_with = "connection_string")]
    pub emulator: bool,
    /// Connect to this Event Hubs namespace (Azure or an emulator) instead.
    #[arg(
        long,
        global = true,
        env = "EHOPS_CONNECTION_STRING",
        hide_env_values = true,
        value_name = "CS"
    )]
    pub connection_string: Option<String>,
    /// The emulator catalog's HTTP address for --connection-string, e.g. http://127.0.0.1:5300.
    #[arg(long, global = true, value_name = "URL")]
    pub catalog: Option<String>,
    /// Where ehops keeps its emulator data, demo checkpoints and logs.
    #[arg(long, global = true, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// A local mirror of a checkpoint container (blob layout) to read lag from. Default: the
    /// embedded emulator's checkpoints, or `{data}/checkpoints`.
    #[arg(long, global = true, value_name = "DIR")]
    pub checkpoint_dir: Option<PathBuf>,
    /// Sign in to the embedded demo as this team (customer, product, conversions, platform).
    #[arg(
        long,
        global = true,
        env = "EHOPS_TEAM",
        value_name = "TEAM",
        conflicts_with = "connection_string"
    )]
    pub team: Option<String>,
    /// Apply the named context from the user's config.toml (the command line still wins).
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,
    /// Leave every mutating action out of the console (the action menu shows reads only).
    #[arg(long, global = true)]
    pub read_only: bool,
}

/// A connected console: the services plus whatever must live as long as they do.
pub struct Target {
    pub plane: Arc<DataPlane>,
    pub checkpoints: Arc<dyn CheckpointStore>,
    /// Signing in as another team, on the embedded demo.
    pub sign_in: Option<SignIn>,
    /// The embedded emulator, stopped when this is dropped.
    _emulator: Option<RunningEmulator>,
}

/// The user's data directory for ehops, unless `--data` names one.
pub fn data_dir(args: &TargetArgs) -> Option<PathBuf> {
    args.data.clone().or_else(|| {
        directories::ProjectDirs::from("", "", "ehops").map(|d| d.data_dir().to_path_buf())
    })
}

pub async fn open(args: &TargetArgs, consumer_group: &str) -> Result<Target, ConnectError> {
    let (resolved, _theme) = super::context::resolve(args)?;
    let args = &resolved;
    let data = data_dir(args).ok_or_else(|| {
        ConnectError::usage("no data directory could be determined; pass --data DIR")
    })?;
    let (connection, running, sign_in) = match &args.connection_string {
        Some(text) => {
            let connection = Connection::from_connection_string(text, args.catalog.as_deref())?;
            (connection.resolve_namespace().await, None, None)
        }
        None => {
            let team = args.team.as_deref().unwrap_or(team::DEFAULT_TEAM);
            let (connection, running, sign_in) = embedded(&data, team).await?;
            (connection, Some(running), Some(sign_in))
        }
    };
    // The embedded emulator's demo consumers checkpoint where its launcher says.
    let checkpoints = args
        .checkpoint_dir
        .clone()
        .or_else(|| running.as_ref().map(|r| r.checkpoints.clone()))
        .unwrap_or_else(|| data.join("checkpoints"));
    tracing::info!(?connection, "connected");
    Ok(Target {
        plane: Arc::new(DataPlane::new(connection, consumer_group)),
        checkpoints: Arc::new(DirectoryCheckpoints::new(checkpoints)),
        sign_in,
        _emulator: running,
    })
}

/// Starts the demo organisation in-process on free ports and connects to it exactly as to
/// any Event Hubs: through its connection string and its catalog's address.
async fn embedded(
    data: &std::path::Path,
    team: &str,
) -> Result<(Connection, RunningEmulator, SignIn), ConnectError> {
    let config = emulator::demo::organisation()
        .map_err(|e| ConnectError::usage(format!("the demo organisation: {e}")))?;
    let any_port = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let running = emulator::launch(LaunchOptions {
        config,
        data_dir: data.join("emulator"),
        amqp: any_port,
        http: any_port,
        demo_activity: true,
    })
    .await
    .map_err(|e| ConnectError::new(Failure::Unreachable, format!("embedded emulator: {e}")))?;
    let namespace = running
        .namespaces
        .first()
        .ok_or_else(|| ConnectError::usage("the demo organisation has no namespace"))?;
    let catalog = format!("http://{}", running.http);
    let connection = team::connection(namespace, &catalog, team)?;
    let sign_in = team::sign_in(namespace.clone(), catalog);
    Ok((connection, running, sign_in))
}
