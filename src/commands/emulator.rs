//! `ehops emulator`: a local Event Hubs for Microsoft's SDKs and for ehops itself.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::emulator::{self, EmulatorConfig, LaunchOptions, NamespaceEndpoint, RunningEmulator};

use super::exit;

pub struct EmulatorArgs {
    pub config: Option<PathBuf>,
    pub data: Option<PathBuf>,
    pub amqp: SocketAddr,
    pub http: SocketAddr,
    pub kafka: SocketAddr,
    pub demo: bool,
    pub json: bool,
    /// A faults file to load before saying ready.
    pub faults: Option<PathBuf>,
    /// A blob endpoint to pass through with checkpoint-store faults, and where to listen.
    pub checkpoint_store_proxy: Option<(String, SocketAddr)>,
}

pub async fn run(args: EmulatorArgs) -> u8 {
    // Without a config file the demo organisation runs, and then it runs live.
    let demo_activity = args.demo || args.config.is_none();
    let config = match (&args.config, args.demo) {
        (Some(_), true) => {
            eprintln!("error: give either --config FILE or --demo, not both");
            return exit::USAGE;
        }
        (Some(path), false) => EmulatorConfig::load(path),
        (None, _) => emulator::demo::organisation(),
    };
    let config = match config {
        Ok(config) => config,
        Err(error) => {
            eprintln!("error: {error}");
            return exit::USAGE;
        }
    };
    let faults = match &args.faults {
        Some(path) => match read_faults(path) {
            Ok(faults) => Some(faults),
            Err(message) => {
                eprintln!("error: {message}");
                return exit::USAGE;
            }
        },
        None => None,
    };
    let upstream = match &args.checkpoint_store_proxy {
        Some((text, _)) => match emulator::checkpoint_proxy::parse_upstream(text) {
            Ok(url) => Some(url),
            Err(message) => {
                eprintln!("error: {message}");
                return exit::USAGE;
            }
        },
        None => None,
    };
    let Some(data_dir) = args.data.clone().or_else(default_data_dir) else {
        eprintln!("error: no data directory could be determined; pass --data DIR");
        return exit::USAGE;
    };
    let running = match emulator::launch(LaunchOptions {
        config,
        data_dir: data_dir.clone(),
        amqp: args.amqp,
        http: args.http,
        kafka: Some(args.kafka),
        demo_activity,
    })
    .await
    {
        Ok(running) => running,
        Err(error) => {
            eprintln!("error: {error}");
            return exit::USAGE;
        }
    };
    if let Some((faults, text)) = faults {
        running.faults.replace(faults, text);
    }
    let proxy = match (upstream, &args.checkpoint_store_proxy) {
        (Some(upstream), Some((_, listen))) => {
            match start_proxy(*listen, upstream, &running).await {
                Ok(proxy) => Some(proxy),
                Err(message) => {
                    eprintln!("error: {message}");
                    return exit::USAGE;
                }
            }
        }
        _ => None,
    };
    for report in &running.damage {
        eprintln!("warning: {report}");
    }
    // Listen for the signals before saying ready: a supervisor (or a test) that stops the
    // emulator the moment it is ready must get a clean shutdown, not the default kill.
    let shutdown = shutdown_signal();
    let proxy_addr = proxy.as_ref().map(|p| p.addr);
    if args.json {
        println!("{}", ready_json(&running, proxy_addr));
    } else {
        print_banner(&running, &data_dir, proxy_addr);
    }
    shutdown.await;
    drop(proxy);
    drop(running);
    exit::OK
}

/// The faults of a file, and its text; an error names the file, line and field.
fn read_faults(path: &std::path::Path) -> Result<(Vec<emulator::faults::Fault>, String), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read faults file {}: {e}", path.display()))?;
    let faults = emulator::faults::spec::parse(&text, path).map_err(|e| e.to_string())?;
    Ok((faults, text))
}

/// The checkpoint-store proxy on `listen`, failing as the emulator's faults say.
async fn start_proxy(
    listen: SocketAddr,
    upstream: azure_core::http::Url,
    running: &RunningEmulator,
) -> Result<emulator::checkpoint_proxy::CheckpointProxy, String> {
    let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| {
        format!("cannot listen on {listen} for the checkpoint-store proxy ({e}); choose another with --checkpoint-store-listen")
    })?;
    emulator::checkpoint_proxy::start(listener, upstream, running.faults.clone())
        .map_err(|e| format!("checkpoint-store proxy on {listen}: {e}"))
}

fn default_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "ehops").map(|dirs| dirs.data_dir().join("emulator"))
}

/// One line a script can wait for: the bound addresses and every credential.
fn ready_json(running: &RunningEmulator, proxy: Option<SocketAddr>) -> serde_json::Value {
    serde_json::json!({
        "ready": true,
        "amqp": running.amqp.to_string(),
        "http": running.http.to_string(),
        "kafka": running.kafka.map(|k| k.to_string()),
        "checkpoint_store_proxy": proxy.map(|p| p.to_string()),
        "checkpoints": running.checkpoints,
        "namespaces": running.namespaces,
        "damage": running.damage,
    })
}

fn print_banner(running: &RunningEmulator, data_dir: &std::path::Path, proxy: Option<SocketAddr>) {
    println!("ehops emulator ready");
    println!("  health:  http://{}/health", running.http);
    println!(
        "  catalog: http://{}/subscriptions?api-version={}",
        running.http,
        emulator::catalog::API_VERSION
    );
    if let Some(kafka) = running.kafka {
        println!(
            "  kafka:   {kafka} (SASL_PLAINTEXT, PLAIN: username $ConnectionString, password a connection string below)"
        );
    }
    if let Some(proxy) = proxy {
        println!("  checkpoint store (with faults): http://{proxy}");
    }
    println!("  data:    {}", data_dir.display());
    println!("  checkpoints: {}", running.checkpoints.display());
    for namespace in &running.namespaces {
        print_namespace(namespace);
    }
    println!("\nStop with Ctrl-C.");
}

fn print_namespace(namespace: &NamespaceEndpoint) {
    println!(
        "\nnamespace {} on amqp://{}",
        namespace.name, namespace.amqp
    );
    println!(
        "  Rust SDK: ProducerClient::builder().with_custom_endpoint(\"{}\".into()).open(\"{}\", HUB, credential)",
        namespace.custom_endpoint, namespace.name
    );
    for rule in &namespace.rules {
        println!(
            "  rule {} on {} ({})",
            rule.name,
            rule.scope,
            rule.rights.join(", ")
        );
        println!("    Python/JS: {}", rule.connection_string);
    }
}

/// Resolves on SIGINT or SIGTERM. Both handlers are installed when this is called, not when
/// the future is first polled (tokio's `ctrl_c()` installs its handler only when polled).
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let term = signal(SignalKind::terminate()).ok();
        let interrupt = signal(SignalKind::interrupt()).ok();
        async move {
            match (term, interrupt) {
                (Some(mut term), Some(mut interrupt)) => {
                    tokio::select! {
                        _ = term.recv() => {}
                        _ = interrupt.recv() => {}
                    }
                }
                (Some(mut only), None) | (None, Some(mut only)) => {
                    only.recv().await;
                }
                (None, None) => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}
