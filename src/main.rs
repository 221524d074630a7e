//! `ehops`: the command line. Parses arguments and hands each subcommand to `ehops::commands`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ehops::commands::{self, emulator::EmulatorArgs};

#[derive(Parser)]
#[command(
    name = "ehops",
    version,
    about = "Operations console for Azure Event Hubs"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run a local Event Hubs-compatible emulator for Microsoft's SDKs (AMQP, plain TCP).
    Emulator {
        /// Config file: ehops TOML or Microsoft's emulator Config.json. Default: the demo.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Where events are stored. Default: the user's data directory.
        #[arg(long)]
        data: Option<PathBuf>,
        /// AMQP listen address (port 0 picks a free port).
        #[arg(long, default_value = ehops::emulator::DEFAULT_AMQP)]
        amqp: SocketAddr,
        /// HTTP listen address (health, and the ARM-shaped catalog under /subscriptions).
        #[arg(long, default_value = ehops::emulator::DEFAULT_HTTP)]
        http: SocketAddr,
        /// Serve the demo organisation with live traffic and consumers (also the default
        /// without --config).
        #[arg(long)]
        demo: bool,
        /// Print one JSON line with endpoints and credentials when ready.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(commands::exit::USAGE);
        }
    };
    let code = match cli.command {
        Some(Command::Emulator {
            config,
            data,
            amqp,
            http,
            demo,
            json,
        }) => runtime.block_on(commands::emulator::run(EmulatorArgs {
            config,
            data,
            amqp,
            http,
            demo,
            json,
        })),
        None => {
            eprintln!("The console is not built yet; run `ehops emulator`.");
            commands::exit::USAGE
        }
    };
    ExitCode::from(code)
}

/// Logs go to stderr, filtered by `EHOPS_LOG` (e.g. `EHOPS_LOG=debug`); quiet by default.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("EHOPS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
