//! What every console command connects to, from options shared by the TUI and the headless
//! commands: the embedded emulator with the demo organisation (the default), or any Event
//! Hubs by connection string. Either way the rest of the console sees one [`Connection`].
//! Checkpoints come from a blob container when one is named (`--checkpoint-store`), else
//! from a local directory in the same layout; either way through one `CheckpointStore`.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;

use super::team;
use crate::backend::SignIn;
use crate::connect::Connection;
use crate::tui::views::sanitize::sanitize;
use azure_core::credentials::TokenCredential;

use crate::connect::catalog::Scope;
use crate::connect::checkpoints::{
    BlobCheckpoints, CheckpointStore, ContainerAccess, DirectoryCheckpoints,
};
use crate::connect::data_plane::DataPlane;
use crate::connect::error::{ConnectError, Failure};
use crate::connect::identity::{SignInChain, SignInOptions};
use crate::connect::kafka::{KafkaEndpoint, KafkaSignIn};
use crate::emulator::{self, LaunchOptions, RunningEmulator};
use crate::ops::audit::{self, AuditLog};
use crate::ops::audited::{Actor, Trail};

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
    /// Sign in to this Azure Event Hubs namespace (`contoso` or its host name) with your Azure
    /// identity: Azure CLI, Azure Developer CLI, a service principal or workload identity
    /// from the environment, or managed identity.
    #[arg(
        long,
        global = true,
        env = "EHOPS_NAMESPACE",
        value_name = "NS",
        conflicts_with_all = ["connection_string", "emulator"]
    )]
    pub namespace: Option<String>,
    /// The Entra tenant to sign in to, when your account has several.
    #[arg(long, global = true, value_name = "TENANT", requires = "namespace")]
    pub tenant: Option<String>,
    /// The subscription holding the namespace: lets the console list its hubs and consumer
    /// groups through Azure Resource Manager.
    #[arg(
        long,
        global = true,
        env = "AZURE_SUBSCRIPTION_ID",
        value_name = "ID",
        requires = "namespace"
    )]
    pub subscription: Option<String>,
    /// Narrow the subscription to this resource group.
    #[arg(long, global = true, value_name = "RG", requires = "subscription")]
    pub resource_group: Option<String>,
    /// Try managed identity too (on an Azure VM; App Service announces it by itself).
    #[arg(long, global = true, requires = "namespace")]
    pub managed_identity: bool,
    /// The emulator catalog's HTTP address for --connection-string, e.g. http://127.0.0.1:5300.
    #[arg(long, global = true, value_name = "URL")]
    pub catalog: Option<String>,
    /// Where ehops keeps its emulator data, demo checkpoints and logs.
    #[arg(long, global = true, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// A local mirror of a checkpoint container (blob layout) to read lag from. Default: the
    /// embedded emulator's checkpoints, or `{data}/checkpoints`.
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        conflicts_with = "checkpoint_store"
    )]
    pub checkpoint_dir: Option<PathBuf>,
    /// Sign in to the embedded demo as this team (customer, product, conversions, platform);
    /// a connection string brings its own identity, so there it does not apply.
    #[arg(long, global = true, env = "EHOPS_TEAM", value_name = "TEAM")]
    pub team: Option<String>,
    /// The namespace's Kafka endpoint (`HOST:PORT`), for Kafka consumer groups. Default on
    /// Azure: `{namespace}.servicebus.windows.net:9093` over TLS; an emulator's is the
    /// `kafka` address in its ready line (plain TCP).
    #[arg(
        long,
        global = true,
        env = "EHOPS_KAFKA_ENDPOINT",
        value_name = "HOST:PORT"
    )]
    pub kafka_endpoint: Option<String>,
    /// Apply the named context from the user's config.toml (the command line still wins).
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,
    /// Leave every mutating action out of the console (the action menu shows reads only);
    /// headless incident actions are refused.
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Also send the audit record of every incident action to this hub, as a CloudEvent (the
    /// embedded demo's is `audit`). The local record, `{data}/audit.jsonl`, is always kept.
    #[arg(long, global = true, env = "EHOPS_AUDIT_HUB", value_name = "HUB")]
    pub audit_hub: Option<String>,
    /// The blob container the consumers checkpoint in (Azure Storage or Azurite): a container
    /// URL with a SAS, a container URL reached with your Azure sign-in (`az login`), or a
    /// storage connection string with --checkpoint-container.
    #[arg(
        long,
        global = true,
        env = "EHOPS_CHECKPOINT_STORE",
        hide_env_values = true,
        value_name = "URL|CS"
    )]
    pub checkpoint_store: Option<String>,
    /// The container, when --checkpoint-store is a storage connection string.
    #[arg(
        long,
        global = true,
        env = "EHOPS_CHECKPOINT_CONTAINER",
        value_name = "NAME"
    )]
    pub checkpoint_container: Option<String>,
}

impl TargetArgs {
    /// Neither a connection string nor an Azure namespace: the embedded demo, signed in as
    /// one of its teams.
    pub fn is_embedded_demo(&self) -> bool {
        self.connection_string.is_none() && self.namespace.is_none()
    }
}

/// A connected console: the services plus whatever must live as long as they do.
pub struct Target {
    pub plane: Arc<DataPlane>,
    pub checkpoints: Arc<dyn CheckpointStore>,
    /// The data directory (logs, the audit trail, the embedded emulator's data).
    pub data: PathBuf,
    /// The team the identity acts for, when known (the embedded demo's team).
    pub team: Option<String>,
    /// Mutating actions are refused (`--read-only` or the context's `read_only`).
    pub read_only: bool,
    /// The hub audit records are also sent to.
    pub audit_hub: Option<String>,
    /// Signing in as another team, on the embedded demo.
    pub sign_in: Option<SignIn>,
    /// The namespace's Kafka endpoint, when ehops can sign in to it (Kafka consumer groups).
    pub kafka: Option<KafkaEndpoint>,
    /// The embedded emulator, stopped when this is dropped.
    _emulator: Option<RunningEmulator>,
}

impl Target {
    /// The embedded emulator's capture root (`{root}/{container}`), when it runs one.
    pub fn embedded_capture(&self) -> Option<&std::path::Path> {
        self._emulator.as_ref().map(|e| e.capture.as_path())
    }

    /// Where incident actions are recorded: `{data}/audit.jsonl`, and the audit hub when one
    /// is configured (`--audit-hub`, a context's `audit_hub`, the embedded demo's); the actor
    /// is the signed-in principal and its team. The console and the headless commands share it.
    pub fn audit_trail(&self) -> Trail {
        let connection = self.plane.connection();
        Trail {
            log: AuditLog::new(audit::file_in(&self.data), self.audit_hub.clone()),
            actor: Actor {
                principal: connection.principal.clone(),
                team: self.team.clone(),
            },
        }
    }
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
    let mut team = None;
    let kafka;
    let (connection, running, sign_in) = match (&args.connection_string, &args.namespace) {
        (Some(text), _) => {
            let connection = Connection::from_connection_string(text, args.catalog.as_deref())?;
            let sign_in = KafkaSignIn::ConnectionString(text.clone());
            kafka = kafka_endpoint(sign_in, args.kafka_endpoint.as_deref(), &connection);
            let (connection, unreadable) = connection.resolve_namespace().await;
            if let Some(error) = unreadable {
                eprintln!(
                    "warning: {}; going on without the catalog: the service decides what this identity may do",
                    sanitize(&error.message, false)
                );
            }
            (connection, None, None)
        }
        (None, Some(namespace)) => {
            let credential = SignInChain::from_environment(&SignInOptions {
                tenant: args.tenant.clone(),
                managed_identity: args.managed_identity,
            });
            let scope = args.subscription.clone().map(|subscription| Scope {
                subscription,
                resource_group: args.resource_group.clone(),
            });
            let mut connection = Connection::from_sign_in(namespace, credential, scope)?;
            if let Some(catalog) = connection.catalog.take() {
                connection.catalog = Some(catalog.locate(&connection.namespace).await?);
            }
            let sign_in = KafkaSignIn::entra(
                Arc::clone(&connection.credential),
                &connection.fully_qualified_namespace,
            );
            kafka = kafka_endpoint(sign_in, args.kafka_endpoint.as_deref(), &connection);
            (connection, None, None)
        }
        (None, None) => {
            let name = args.team.as_deref().unwrap_or(team::DEFAULT_TEAM);
            let (connection, running, sign_in) = embedded(&data, name).await?;
            kafka = embedded_kafka(&running, name);
            team = Some(name.to_owned());
            (connection, Some(running), Some(sign_in))
        }
    };
    let checkpoints = checkpoint_store(args, &data, running.as_ref())?;
    tracing::info!(?connection, ?checkpoints, "connected");
    // The embedded demo audits to its platform-owned audit hub unless told otherwise.
    let audit_hub = args
        .audit_hub
        .clone()
        .or_else(|| running.as_ref().map(|_| team::AUDIT_HUB.to_owned()));
    Ok(Target {
        plane: Arc::new(DataPlane::new(connection, consumer_group)),
        checkpoints,
        data,
        team,
        read_only: args.read_only,
        audit_hub,
        sign_in,
        kafka,
        _emulator: running,
    })
}

/// The Kafka endpoint, signed in with PLAIN and the connection string or with OAUTHBEARER
/// and the Entra sign-in. `--kafka-endpoint` wins; on Azure the namespace's own endpoint on
/// 9093 with TLS; an emulator needs the flag.
fn kafka_endpoint(
    sign_in: KafkaSignIn,
    address: Option<&str>,
    connection: &Connection,
) -> Option<KafkaEndpoint> {
    match address {
        Some(address) => Some(KafkaEndpoint {
            address: address.to_owned(),
            tls: connection.custom_endpoint.is_none(),
            sign_in,
        }),
        None if connection.custom_endpoint.is_none() => Some(KafkaEndpoint::azure(
            &connection.fully_qualified_namespace,
            sign_in,
        )),
        None => None,
    }
}

/// The embedded emulator's Kafka endpoint, for the platform team, whose rule is the
/// namespace's. The other teams' rules are hub rules, which Kafka's PLAIN sign-in takes only
/// with an EntityPath naming one hub (as Event Hubs does), so their consoles show no Kafka
/// groups.
fn embedded_kafka(running: &RunningEmulator, team: &str) -> Option<KafkaEndpoint> {
    if !team.eq_ignore_ascii_case(team::PLATFORM) {
        return None;
    }
    let namespace = running.namespaces.first()?;
    Some(KafkaEndpoint {
        address: running.kafka?.to_string(),
        tls: false,
        sign_in: KafkaSignIn::ConnectionString(team::connection_string(namespace, team).ok()?),
    })
}

/// A blob container when one is named, else a local directory: the embedded emulator's
/// demo consumers checkpoint where its launcher says.
fn checkpoint_store(
    args: &TargetArgs,
    data: &std::path::Path,
    running: Option<&RunningEmulator>,
) -> Result<Arc<dyn CheckpointStore>, ConnectError> {
    if let Some(text) = &args.checkpoint_store {
        let access =
            ContainerAccess::parse(text, args.checkpoint_container.as_deref(), azure_sign_in)?;
        return Ok(Arc::new(BlobCheckpoints::new(access)));
    }
    if args.checkpoint_container.is_some() {
        return Err(ConnectError::usage(
            "--checkpoint-container needs --checkpoint-store (a storage connection string)",
        ));
    }
    let dir = args
        .checkpoint_dir
        .clone()
        .or_else(|| running.map(|r| r.checkpoints.clone()))
        .unwrap_or_else(|| data.join("checkpoints"));
    Ok(Arc::new(DirectoryCheckpoints::new(dir)))
}

/// The user's Azure sign-in, for a container URL without a SAS.
fn azure_sign_in() -> Result<Arc<dyn TokenCredential>, ConnectError> {
    Ok(SignInChain::from_environment(&SignInOptions::default()))
}

/// Starts the demo organisation in-process on free ports and connects to it exactly as to
/// any Event Hubs: through its connection string and its catalog's address.
async fn embedded(
    data: &std::path::Path,
    team: &str,
) -> Result<(Connection, RunningEmulator, SignIn), ConnectError> {
    let mut config = emulator::demo::organisation()
        .map_err(|e| ConnectError::usage(format!("the demo organisation: {e}")))?;
    // Test suites shorten the demo's one-minute capture windows (docs/capture.md).
    if let Ok(text) = std::env::var("EHOPS_DEMO_CAPTURE_WINDOW") {
        let window = super::duration_arg::parse(&text).map_err(|e| {
            ConnectError::usage(format!(
                "EHOPS_DEMO_CAPTURE_WINDOW {text:?}: {e}; give a duration such as 2s"
            ))
        })?;
        config = emulator::demo::with_capture_window(config, window);
    }
    let any_port = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let options = |kafka| LaunchOptions {
        config: config.clone(),
        data_dir: data.join("emulator"),
        amqp: any_port,
        http: any_port,
        kafka: Some(kafka),
        demo_activity: true,
    };
    // Kafka's usual port when it is free, so Kafka tools work with their defaults; else any.
    let usual = emulator::DEFAULT_KAFKA.parse().unwrap_or(any_port);
    let running = match emulator::launch(options(usual)).await {
        Err(emulator::LaunchError::PortInUse { what: "Kafka", .. }) => {
            emulator::launch(options(any_port)).await
        }
        other => other,
    }
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
