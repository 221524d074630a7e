//! The one way to start the emulator, in-process or from `ehops emulator`: config in;
//! endpoints and credentials out. Port 0 picks a free port.

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::amqp::{self, DataPlane};
use super::catalog::Catalog;
use super::checkpoints::checkpoint_dir_layout;
use super::config::EmulatorConfig;
use super::registry::Registry;
use super::registry::store::RegistryStore;
use super::store::Store;
use super::{capture, demo, http, kafka};

/// Where Microsoft's emulator listens; ehops' defaults match so existing settings work.
pub const DEFAULT_AMQP: &str = "127.0.0.1:5672";
pub const DEFAULT_HTTP: &str = "127.0.0.1:5300";
/// Kafka's own default port; Event Hubs' is 9093 with TLS, which the emulator does not speak.
pub const DEFAULT_KAFKA: &str = "127.0.0.1:9092";
/// The checkpoint-store proxy's: beside Azurite's 10000-10002, clear of them.
pub const DEFAULT_CHECKPOINT_PROXY: &str = "127.0.0.1:10100";

pub struct LaunchOptions {
    pub config: EmulatorConfig,
    pub data_dir: PathBuf,
    pub amqp: SocketAddr,
    pub http: SocketAddr,
    /// The Kafka endpoint's address (docs/kafka.md); `None` serves no Kafka.
    pub kafka: Option<SocketAddr>,
    /// Run the demo organisation's traffic and consumers (`ehops emulator --demo`, the
    /// console's embedded emulator). Off for conformance and SDK tests, which need quiet hubs.
    pub demo_activity: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    #[error(
        "{what} address {addr} is already in use (another emulator or Event Hubs emulator running?); choose another with --{flag}"
    )]
    PortInUse {
        what: &'static str,
        addr: SocketAddr,
        flag: &'static str,
    },
    #[error("cannot listen on {addr} for {what}: {source}")]
    Bind {
        what: &'static str,
        addr: SocketAddr,
        source: io::Error,
    },
    #[error("cannot open the event store under {dir}: {source}")]
    Storage { dir: PathBuf, source: io::Error },
    #[error(
        "another emulator is using the data directory {dir}; stop it or choose another with --data"
    )]
    DataInUse { dir: PathBuf },
}

/// A ready-to-use credential for one shared-access rule.
#[derive(Debug, Clone, Serialize)]
pub struct Credential {
    pub name: String,
    /// `namespace` or `namespace/hub`.
    pub scope: String,
    pub rights: Vec<&'static str>,
    pub key: String,
    /// For the Python and JS SDKs (`UseDevelopmentEmulator=true`: plain AMQP).
    pub connection_string: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct NamespaceEndpoint {
    pub name: String,
    pub amqp: SocketAddr,
    /// For the Rust SDK's `with_custom_endpoint`.
    pub custom_endpoint: String,
    pub rules: Vec<Credential>,
}

/// A running emulator; dropping it stops it.
pub struct RunningEmulator {
    pub amqp: SocketAddr,
    pub http: SocketAddr,
    /// The bound Kafka endpoint, when one was asked for.
    pub kafka: Option<SocketAddr>,
    pub namespaces: Vec<NamespaceEndpoint>,
    /// The local checkpoint store, in the blob layout of
    /// [`checkpoint_dir_layout`](super::checkpoints::checkpoint_dir_layout).
    pub checkpoints: PathBuf,
    /// Where hubs capture without a directory of their own: `{this}/{container}`, laid out
    /// as the blob container would be.
    pub capture: PathBuf,
    /// Damaged records the event store found at start (already logged as warnings).
    pub damage: Vec<super::store::DamageReport>,
    /// The faults the emulator injects; replace them to start or stop misbehaving.
    pub faults: super::faults::Faults,
    /// Servers and, with demo activity, the demo's producers and consumers; aborted on drop.
    tasks: Vec<JoinHandle<()>>,
    /// Cancelled on drop: the HTTP server closes the connections clients keep alive (each is
    /// served by a task of its own, which aborting the server's task does not end).
    shutdown: CancellationToken,
    /// Held while running: two emulators writing one store would corrupt it.
    _data_lock: std::fs::File,
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        self.shutdown.cancel();
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Binds with the listening socket's MSS clamped: pyamqp 5.15.1 reads TCP_MAXSEG after
/// connecting and writes it back, which loopback refuses when it reports 32768.
fn bind(
    addr: SocketAddr,
    what: &'static str,
    flag: &'static str,
) -> Result<TcpListener, LaunchError> {
    let make = || -> io::Result<std::net::TcpListener> {
        let socket = socket2::Socket::new(
            socket2::Domain::for_address(addr),
            socket2::Type::STREAM,
            None,
        )?;
        socket.set_reuse_address(true)?;
        if what == "AMQP" {
            let _ = socket.set_tcp_mss(16_384);
        }
        socket.bind(&addr.into())?;
        socket.listen(1024)?;
        socket.set_nonblocking(true)?;
        Ok(socket.into())
    };
    let std_listener = make().map_err(|source| match source.kind() {
        io::ErrorKind::AddrInUse => LaunchError::PortInUse { what, addr, flag },
        _ => LaunchError::Bind { what, addr, source },
    })?;
    TcpListener::from_std(std_listener).map_err(|source| LaunchError::Bind { what, addr, source })
}

/// Takes the data directory's lock file; the lock ends with the process, even on kill -9.
fn lock_data_dir(dir: &std::path::Path) -> Result<std::fs::File, LaunchError> {
    let storage = |source| LaunchError::Storage {
        dir: dir.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(storage)?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join("ehops.lock"))
        .map_err(storage)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(LaunchError::DataInUse {
            dir: dir.to_path_buf(),
        }),
        Err(std::fs::TryLockError::Error(source)) => Err(storage(source)),
    }
}

pub async fn launch(options: LaunchOptions) -> Result<RunningEmulator, LaunchError> {
    let config = Arc::new(options.config);
    let data_lock = lock_data_dir(&options.data_dir)?;
    let store = Store::open(&options.data_dir, &config).map_err(|source| LaunchError::Storage {
        dir: options.data_dir.clone(),
        source,
    })?;
    let store = Arc::new(store);
    let created_ms = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
    let plane = Arc::new(DataPlane::new(
        Arc::clone(&config),
        Arc::clone(&store),
        created_ms,
    ));
    let checkpoints = checkpoint_dir_layout(&options.data_dir);

    let main_listener = bind(options.amqp, "AMQP", "amqp")?;
    let amqp_addr = local_addr(&main_listener, "AMQP")?;
    // Bound before any task starts, so a port in use fails the launch with nothing left behind.
    let kafka_listener = match options.kafka {
        Some(addr) => Some(bind(addr, "Kafka", "kafka")?),
        None => None,
    };
    let mut tasks = Vec::new();
    let mut namespaces = Vec::new();
    let mut shared = Vec::new();
    for namespace in &config.namespaces {
        let addr = match namespace.listen {
            Some(own) => {
                let listener = bind(own, "AMQP", "amqp")?;
                let addr = local_addr(&listener, "AMQP")?;
                tasks.push(tokio::spawn(amqp::serve(
                    listener,
                    Arc::clone(&plane),
                    vec![namespace.name.clone()],
                )));
                addr
            }
            None => {
                shared.push(namespace.name.clone());
                amqp_addr
            }
        };
        namespaces.push(endpoint_for(namespace, addr));
    }
    tasks.push(tokio::spawn(amqp::serve(
        main_listener,
        Arc::clone(&plane),
        shared,
    )));

    let http_listener = bind(options.http, "HTTP", "http")?;
    let http_addr = local_addr(&http_listener, "HTTP")?;
    let catalog = Catalog::new(
        Arc::clone(&config),
        namespaces.iter().map(|ns| (ns.name.clone(), ns.amqp)),
        created_ms,
    );
    let registry_store =
        RegistryStore::open(&options.data_dir, &config).map_err(|source| LaunchError::Storage {
            dir: options.data_dir.clone(),
            source,
        })?;
    let registry = Arc::new(Registry::new(Arc::clone(&config), registry_store));
    if options.demo_activity {
        registry
            .register_demo_schemas()
            .await
            .map_err(|message| LaunchError::Storage {
                dir: options.data_dir.clone(),
                source: io::Error::other(message),
            })?;
    }
    let shutdown = CancellationToken::new();
    tasks.push(tokio::spawn(http::serve(
        http_listener,
        Arc::new(catalog),
        registry,
        (plane.faults.clone(), Arc::clone(&config)),
        shutdown.clone(),
    )));

    tasks.extend(capture::start(&config, &store, &options.data_dir));

    let kafka = match kafka_listener {
        Some(listener) => {
            let bound = local_addr(&listener, "Kafka")?;
            let broker = kafka::Broker::open(
                Arc::clone(&config),
                Arc::clone(&store),
                &options.data_dir,
                advertised(bound),
            )
            .map_err(|source| LaunchError::Storage {
                dir: options.data_dir.clone(),
                source,
            })?;
            tasks.push(tokio::spawn(kafka::serve(listener, Arc::new(broker))));
            Some(bound)
        }
        None => None,
    };

    if options.demo_activity {
        tasks.extend(demo::start(
            &config,
            &store,
            checkpoints.clone(),
            &demo::Activity::default(),
        ));
    }

    Ok(RunningEmulator {
        amqp: amqp_addr,
        http: http_addr,
        kafka,
        namespaces,
        checkpoints: checkpoints.root,
        capture: capture::capture_root(&options.data_dir),
        damage: store.damage(),
        faults: plane.faults.clone(),
        tasks,
        shutdown,
        _data_lock: data_lock,
    })
}

/// Where Kafka clients are sent back to: a wildcard bind is reached on loopback.
fn advertised(bound: SocketAddr) -> SocketAddr {
    if bound.ip().is_unspecified() {
        SocketAddr::from(([127, 0, 0, 1], bound.port()))
    } else {
        bound
    }
}

fn local_addr(listener: &TcpListener, what: &'static str) -> Result<SocketAddr, LaunchError> {
    listener.local_addr().map_err(|source| LaunchError::Bind {
        what,
        addr: SocketAddr::from(([0, 0, 0, 0], 0)),
        source,
    })
}

fn endpoint_for(namespace: &super::config::NamespaceConfig, amqp: SocketAddr) -> NamespaceEndpoint {
    let credential = |rule: &super::config::AccessRule, hub: Option<&str>| {
        let mut connection_string = format!(
            "Endpoint=sb://{amqp};SharedAccessKeyName={};SharedAccessKey={};UseDevelopmentEmulator=true",
            rule.name, rule.key
        );
        if let Some(hub) = hub {
            connection_string.push_str(&format!(";EntityPath={hub}"));
        }
        Credential {
            name: rule.name.clone(),
            scope: match hub {
                Some(hub) => format!("{}/{hub}", namespace.name),
                None => namespace.name.clone(),
            },
            rights: rule.rights.names(),
            key: rule.key.clone(),
            connection_string,
        }
    };
    let mut rules: Vec<Credential> = namespace
        .rules
        .iter()
        .map(|r| credential(r, None))
        .collect();
    for hub in &namespace.hubs {
        rules.extend(hub.rules.iter().map(|r| credential(r, Some(&hub.name))));
    }
    NamespaceEndpoint {
        name: namespace.name.clone(),
        amqp,
        custom_endpoint: format!("amqp://{amqp}"),
        rules,
    }
}
