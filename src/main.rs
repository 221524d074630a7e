//! `ehops`: the command line. Parses arguments and hands each subcommand to `ehops::commands`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};
use ehops::commands::capture::CaptureCommand;
use ehops::commands::deadletter::DeadLetterArgs;
use ehops::commands::decode::DecodeArgs;
use ehops::commands::emulator::EmulatorArgs;
use ehops::commands::export::ExportArgs;
use ehops::commands::hubs::HubsArgs;
use ehops::commands::import::ImportArgs;
use ehops::commands::lag::LagArgs;
use ehops::commands::lint::LintArgs;
use ehops::commands::partitions::PartitionsArgs;
use ehops::commands::replay::{RedriveArgs, ReplayArgs};
use ehops::commands::reset::ResetArgs;
use ehops::commands::schemas::{SchemaCommand, SchemasArgs};
use ehops::commands::search::SearchArgs;
use ehops::commands::tail::TailArgs;
use ehops::commands::target::{self, DEFAULT_CONSUMER_GROUP, TargetArgs};
use ehops::commands::trace::TraceArgs;
use ehops::commands::watch::WatchArgs;
use ehops::commands::{self};

#[derive(Parser)]
#[command(
    name = "ehops",
    version,
    about = "Operations console for Azure Event Hubs",
    long_about = "Operations console for Azure Event Hubs. With no subcommand, opens the \
                  console on the embedded emulator's demo organisation, or on \
                  --connection-string."
)]
struct Cli {
    #[command(flatten)]
    target: TargetArgs,
    /// The consumer group the console's tails read with (its own, never an application's).
    #[arg(long, value_name = "CG", default_value = DEFAULT_CONSUMER_GROUP)]
    consumer_group: String,
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
        /// AMQP listen address (port 0 picks a free port).
        #[arg(long, default_value = ehops::emulator::DEFAULT_AMQP)]
        amqp: SocketAddr,
        /// HTTP listen address (health, the ARM-shaped catalog under /subscriptions, and the
        /// Schema Registry under /$schemaGroups).
        #[arg(long, default_value = ehops::emulator::DEFAULT_HTTP)]
        http: SocketAddr,
        /// Kafka listen address (SASL_PLAINTEXT with PLAIN; port 0 picks a free port).
        #[arg(long, default_value = ehops::emulator::DEFAULT_KAFKA)]
        kafka: SocketAddr,
        /// Serve the demo organisation with live traffic and consumers (also the default
        /// without --config).
        #[arg(long)]
        demo: bool,
        /// Print one JSON line with endpoints and credentials when ready.
        #[arg(long)]
        json: bool,
        /// Faults to inject, as a TOML file (docs/fault-injection.md); changed while running
        /// with PUT /faults on the HTTP port.
        #[arg(long, value_name = "FILE")]
        faults: Option<PathBuf>,
        /// A blob endpoint (Azurite's http://127.0.0.1:10000, or a storage account) to pass
        /// through on --checkpoint-store-listen, failing as faults of surface
        /// "checkpoint-store" say: point a checkpoint store at it to test it under faults.
        #[arg(long, value_name = "UPSTREAM")]
        checkpoint_store_proxy: Option<String>,
        /// Listen address of --checkpoint-store-proxy (port 0 picks a free port).
        #[arg(long, value_name = "ADDR", default_value = ehops::emulator::DEFAULT_CHECKPOINT_PROXY)]
        checkpoint_store_listen: SocketAddr,
    },
    /// List the hubs of the namespace with their owning team and consumer groups.
    Hubs(HubsArgs),
    /// Show each partition of a hub: retained range, newest event.
    Partitions(PartitionsArgs),
    /// Show how far consumer groups are behind, per partition, from their checkpoints.
    Lag(LagArgs),
    /// Sample consumer-group lag on an interval and print each change of status; with
    /// --once, exit 8 when a group is over --max-behind or --max-time-behind.
    Watch(WatchArgs),
    /// Sample a hub's events and report how well they keep the mandate (exit 7 on violations).
    Lint(LintArgs),
    /// Print a hub's events as they arrive, or from a position.
    Tail(TailArgs),
    /// Find every retained event of some hubs that an expression (CEL, or a bare word)
    /// matches, with what was read per partition.
    Search(SearchArgs),
    /// Every event of one aggregate (CloudEvents subject or partition key) across hubs, in
    /// enqueued order, reading only the partition the key hashes to where hubs key by it.
    Trace(TraceArgs),
    /// List the Schema Registry's groups, a group's schemas, or a schema's versions.
    Schemas(SchemasArgs),
    /// Work with one schema's versions (`ehops schema diff GROUP NAME V1 V2`).
    #[command(subcommand)]
    Schema(SchemaCommand),
    /// Move a consumer group's checkpoints (dry run unless --execute --confirm CG).
    Reset(ResetArgs),
    /// Copy a poison event to the dead-letter hub and move the group past it, or with
    /// --checkpoint-only just move past it (dry run unless --execute).
    #[command(name = "deadletter")]
    DeadLetter(DeadLetterArgs),
    /// Re-publish a range of a partition, to the same hub or another (dry run unless --execute).
    Replay(ReplayArgs),
    /// Send dead-lettered events back to the hub they came from (dry run unless --execute).
    Redrive(RedriveArgs),
    /// Read a hub's Event Hubs Capture files: `capture ls HUB`, `capture read HUB`.
    #[command(subcommand)]
    Capture(CaptureCommand),
    /// Write a range of a partition as a Capture file (Avro, Azure's EventData record).
    Export(ExportArgs),
    /// Replay a Capture file into a hub (dry run unless --execute).
    Import(ImportArgs),
    /// Decode one event from stdin (a line of `tail --json`, or raw bytes): CloudEvent
    /// attributes, Avro/JSON/text data, schema id, mandate violations.
    Decode(DecodeArgs),
    /// Print the shell completion script for SHELL (e.g. `ehops completions bash >
    /// ~/.local/share/bash-completion/completions/ehops`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to stdout, or write one page per command into --out-dir.
    Man {
        /// Write `ehops.1` and a page per subcommand (`ehops-tail.1`, ...) here instead.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Generated from the command definitions; no runtime, no logs, no connection.
    match &cli.command {
        Some(Command::Completions { shell }) => return completions(*shell),
        Some(Command::Man { out_dir }) => return man(out_dir.as_deref()),
        _ => {}
    }
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
    let target = &cli.target;
    let code = match &cli.command {
        Some(Command::Emulator {
            config,
            amqp,
            http,
            kafka,
            demo,
            json,
            faults,
            checkpoint_store_proxy,
            checkpoint_store_listen,
        }) => {
            init_stderr_logging();
            runtime.block_on(commands::emulator::run(EmulatorArgs {
                config: config.clone(),
                data: target.data.clone(),
                amqp: *amqp,
                http: *http,
                kafka: *kafka,
                demo: *demo,
                json: *json,
                faults: faults.clone(),
                checkpoint_store_proxy: checkpoint_store_proxy
                    .as_deref()
                    .map(|upstream| (upstream.to_owned(), *checkpoint_store_listen)),
            }))
        }
        Some(Command::Hubs(args)) => {
            init_file_logging(target);
            runtime.block_on(commands::hubs::run(target, args))
        }
        Some(Command::Partitions(args)) => {
            init_file_logging(target);
            runtime.block_on(commands::partitions::run(target, args))
        }
        Some(Command::Lag(args)) => {
            init_file_logging(target);
            runtime.block_on(commands::lag::run(target, args))
        }
        Some(Command::Watch(args)) => {
            init_file_logging(target);
            runtime.block_on(commands::watch::run(target, args))
        }
        Some(Command::Lint(args)) => {
            init_file_logging(target);
            runtime.block_on(commands::lint::run(target, args))
        }
        Some(Command::Reset(args)) => {
            init_file_logging(target);
            runtime.block_on(commands::reset::run(target, args))
        }
        Some(Command::DeadLetter(args)) => {
            init_file_logging(target);
            runtime.block_on(commands::deadletter::run(target, args))
        }
        Some(Command::Replay(args)) => {
            init_file_logging(target);
            runtime.block_on(commands::replay::replay(target, args))
        }
        Some(Command::Redrive(args)) => {
            init_file_logging(target);
            runtime.block_on(commands::replay::redrive(target, args))
        }
        Some(Command::Capture(command)) => {
            init_file_logging(target);
            runtime.block_on(commands::capture::run(target, command))
        }
        Some(Command::Export(args)) => {
            init_file_logging(target);
            runtime.block_on(commands::export::run(target, args))
        }
        Some(Command::Import(args)) => {
            init_file_logging(target);
            runtime.block_on(commands::import::run(target, args))
        }
        Some(Command::Decode(args)) => {
            init_file_logging(target);
            runtime.block_on(commands::decode::run(target, args))
        }
        Some(Command::Tail(args)) => {
            init_file_logging(target);
            runtime.block_on(commands::tail::run(target, args))
        }
        Some(Command::Search(args)) => {
            init_file_logging(target);
            runtime.block_on(commands::search::run(target, args))
        }
        Some(Command::Trace(args)) => {
            init_file_logging(target);
            runtime.block_on(commands::trace::run(target, args))
        }
        Some(Command::Schemas(args)) => {
            init_file_logging(target);
            runtime.block_on(commands::schemas::run(target, args))
        }
        Some(Command::Schema(SchemaCommand::Diff(args))) => {
            init_file_logging(target);
            runtime.block_on(commands::schemas::diff(target, args))
        }
        Some(Command::Completions { .. } | Command::Man { .. }) => commands::exit::OK,
        None => {
            init_file_logging(target);
            runtime.block_on(commands::console::run(target, &cli.consumer_group))
        }
    };
    // Receivers and emulator tasks may still be winding down; do not wait for them.
    runtime.shutdown_background();
    ExitCode::from(code)
}

fn completions(shell: clap_complete::Shell) -> ExitCode {
    // Into memory first: the generators panic on a failed write, and `| head` closes the pipe.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "ehops", &mut script);
    let _ = std::io::Write::write_all(&mut std::io::stdout(), &script);
    ExitCode::from(commands::exit::OK)
}

fn man(out_dir: Option<&std::path::Path>) -> ExitCode {
    let written = match out_dir {
        Some(dir) => std::fs::create_dir_all(dir)
            .and_then(|()| clap_mangen::generate_to(Cli::command(), dir)),
        None => {
            // A closed pipe (`| head`) is not an error: only the rendering can fail here.
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut page)
                .map(|()| drop(std::io::Write::write_all(&mut std::io::stdout(), &page)))
        }
    };
    match written {
        Ok(()) => ExitCode::from(commands::exit::OK),
        Err(error) => {
            eprintln!("error: cannot write the man page: {error}");
            ExitCode::from(commands::exit::USAGE)
        }
    }
}

fn log_filter() -> tracing_subscriber::EnvFilter {
    tracing_subscriber::EnvFilter::try_from_env("EHOPS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"))
}

/// The emulator is a server: its logs belong on stderr, filtered by `EHOPS_LOG`.
fn init_stderr_logging() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(log_filter())
        .with_writer(std::io::stderr)
        .try_init();
}

/// The console owns the screen, and scripts own stdout and stderr: logs go to
/// `{data}/logs/ehops.log` (filtered by `EHOPS_LOG`, default warnings), or nowhere if the
/// file cannot be opened.
fn init_file_logging(target: &TargetArgs) {
    let Some(dir) = target::data_dir(target).map(|d| d.join("logs")) else {
        return;
    };
    let file = std::fs::create_dir_all(&dir).and_then(|()| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("ehops.log"))
    });
    let Ok(file) = file else {
        return;
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(log_filter())
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .try_init();
}
