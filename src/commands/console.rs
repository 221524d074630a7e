//! `ehops` with no subcommand: the terminal console, connected like any other command and
//! driven by the backend task; user keymap and theme files come from the config directory.

use std::path::Path;

use tokio::task::JoinHandle;

use super::target::{self, Target, TargetArgs};
use super::{exit, fail};
use std::sync::Arc;

use crate::backend::{
    self, BackendOptions, ContextConnection, ContextSwitch, ContextTarget, Services,
};
use crate::connect::error::ConnectError;
use crate::model::{Identity, Teams};
use crate::protocol::{BackendLink, backend_channels};
use crate::tui::app::{App, AppConfig, Notice};
use crate::tui::keymap::Keymap;
use crate::tui::run;
use crate::tui::theme::ThemeCatalog;

/// Tail batches in flight between backend and console before the backend counts losses.
const TAIL_BATCHES: usize = 64;
/// Events the tail pane keeps.
const TAIL_CAPACITY: usize = 10_000;

/// A console ready to run: connected, its backend started, nothing drawn yet.
pub struct Launched {
    pub app: App,
    pub link: BackendLink,
    pub backend: JoinHandle<()>,
    /// The services and the embedded emulator, if any; keep until the console ends.
    pub target: Target,
}

/// Connects (starting the embedded emulator unless told otherwise) and starts the backend.
/// The console's first frame with data follows within one request.
pub async fn launch(
    target_args: &TargetArgs,
    consumer_group: &str,
) -> Result<Launched, ConnectError> {
    let (target_args, context) = super::context::resolve(target_args)?;
    let target_args = &target_args;
    let target = target::open(target_args, consumer_group).await?;
    let connection = target.plane.connection().clone();
    let config_dir =
        directories::ProjectDirs::from("", "", "ehops").map(|d| d.config_dir().to_path_buf());
    // On the embedded demo the identity is a team's; elsewhere (a connection string, an
    // Azure sign-in) the team is not known yet.
    let team = target.team.clone();
    let mut app = App::new(app_config(
        config_dir.as_deref(),
        Identity {
            name: connection.principal.clone(),
            team: team.clone(),
        },
        &connection.namespace,
    ));
    app.read_only = target_args.read_only;
    if let Some(theme) = context
        .theme
        .and_then(|name| app.themes.get(&name).cloned())
    {
        app.theme = theme;
    }
    app.own_team_only = context.own_team_only;
    match load_teams(config_dir.as_deref(), team.is_some()) {
        Ok(teams) => app.teams = teams,
        Err(message) => app.notice = Some(Notice::Error(message)),
    }
    let (link, end) = backend_channels(TAIL_BATCHES);
    let trail = target.audit_trail();
    let services = Services {
        plane: target.plane.clone(),
        checkpoints: target.checkpoints.clone(),
        sign_in: target.sign_in.clone(),
        switch_context: Some(context_switch(target_args, consumer_group)),
        trail,
        lag_history: Some(target.data.clone()),
        kafka: target.kafka.clone(),
        capture: capture_setting(&target),
    };
    let backend = backend::spawn(services, end, BackendOptions::default());
    Ok(Launched {
        app,
        link,
        backend,
        target,
    })
}

/// Where the capture pane reads: the container `EHOPS_CAPTURE_STORE` names (as for `ehops
/// capture ls`), else the embedded emulator's capture directory.
fn capture_setting(target: &Target) -> backend::CaptureSetting {
    let args = super::capture::CaptureSourceArgs {
        capture_dir: None,
        capture_store: std::env::var("EHOPS_CAPTURE_STORE").ok(),
        capture_container: std::env::var("EHOPS_CAPTURE_CONTAINER").ok(),
        capture_namespace: None,
        archive_name_format: None,
    };
    let source = super::capture::source(&args, target).map_err(|e| {
        format!("{e}; the console reads Capture from EHOPS_CAPTURE_STORE or the embedded emulator")
    })?;
    Ok(backend::CaptureAccess {
        source,
        namespace: target.plane.connection().namespace.clone(),
        emulator_data: target
            .embedded_capture()
            .and_then(|capture| capture.parent())
            .map(std::path::Path::to_path_buf),
    })
}

/// Connects the running console to a named context, as `--context NAME` would at start-up;
/// on the embedded demo a context's team is served by the emulator already running.
fn context_switch(base: &TargetArgs, consumer_group: &str) -> ContextSwitch {
    let data = base.data.clone();
    let group = consumer_group.to_owned();
    Arc::new(move |name| {
        let args = TargetArgs {
            data: data.clone(),
            context: Some(name),
            ..TargetArgs::default()
        };
        let group = group.clone();
        Box::pin(async move {
            let (resolved, context) = super::context::resolve(&args)?;
            let target = if resolved.is_embedded_demo() {
                let team = resolved.team.clone();
                ContextTarget::DemoTeam(
                    team.unwrap_or_else(|| super::team::DEFAULT_TEAM.to_owned()),
                )
            } else {
                let target = target::open(&resolved, &group).await?;
                ContextTarget::Elsewhere {
                    connection: Box::new(target.plane.connection().clone()),
                    checkpoints: target.checkpoints.clone(),
                }
            };
            Ok(ContextConnection {
                target,
                read_only: resolved.read_only,
                theme: context.theme,
                own_team_only: context.own_team_only,
            })
        })
    })
}

pub async fn run(target_args: &TargetArgs, consumer_group: &str) -> u8 {
    let launched = match launch(target_args, consumer_group).await {
        Ok(launched) => launched,
        Err(error) => return fail(&error),
    };
    let result = run::run(launched.app, launched.link).await;
    // The backend ends once the console is gone, after the incident actions under way (and
    // their audit records) finish; it bounds that wait itself.
    if let Err(error) = launched.backend.await {
        tracing::warn!(%error, "the backend task failed");
    }
    drop(launched.target);
    match result {
        Ok(()) => exit::OK,
        Err(error) => {
            eprintln!("error: the terminal failed: {error}");
            exit::USAGE
        }
    }
}

fn app_config(config_dir: Option<&Path>, identity: Identity, namespace: &str) -> AppConfig {
    let read = |path: &Path| std::fs::read_to_string(path).ok();
    let keymap_path = config_dir.map(|d| d.join("keymap.toml"));
    let keymap_text = keymap_path.as_deref().and_then(read);
    let keymap_origin = keymap_path
        .as_deref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let (keymap, keymap_warning) = Keymap::load(
        "default",
        keymap_text.as_deref().map(|t| (t, keymap_origin.as_str())),
    );
    let theme_files = config_dir
        .map(|d| user_themes(&d.join("themes")))
        .unwrap_or_default();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let (themes, mut warnings) = ThemeCatalog::new(&theme_files, no_color);
    warnings.extend(keymap_warning);
    AppConfig {
        identity,
        namespace: namespace.to_owned(),
        keymap,
        themes,
        theme: "dark".to_owned(),
        tail_capacity: TAIL_CAPACITY,
        warnings,
    }
}

/// The user's `teams.toml` when there is one, else the demo's teams on the embedded demo.
fn load_teams(config_dir: Option<&Path>, demo: bool) -> Result<Teams, String> {
    let path = config_dir.map(|d| d.join("teams.toml"));
    if let Some(path) = path.as_deref()
        && let Ok(text) = std::fs::read_to_string(path)
    {
        return Teams::parse(&text, &path.display().to_string());
    }
    if demo {
        return Teams::parse(crate::emulator::demo::TEAMS, "the demo's teams");
    }
    Ok(Teams::default())
}

/// `(name, text, origin)` of each `*.toml` in the user's theme directory.
fn user_themes(dir: &Path) -> Vec<(String, String, String)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .filter_map(|path| {
            let name = path.file_stem()?.to_str()?.to_owned();
            let text = std::fs::read_to_string(&path).ok()?;
            Some((name, text, path.display().to_string()))
        })
        .collect()
}
