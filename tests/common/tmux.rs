//! The real console in a real terminal: a tmux server of the test's own, keys in, the
//! screen out.

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// A tmux server of the test's own (its own socket), killed when dropped.
pub struct Terminal {
    socket: String,
}

impl Terminal {
    /// Runs `ehops ARGS` in a detached 120x40 session on a tmux server of its own, with
    /// `config_home` as its config directory and no ehops settings from the environment.
    pub fn start(socket: String, args: &[&OsStr], config_home: &Path) -> Self {
        Self::start_sized(socket, args, config_home, (120, 40))
    }

    /// The same in a terminal of `width` x `height`.
    pub fn start_sized(
        socket: String,
        args: &[&OsStr],
        config_home: &Path,
        size: (u16, u16),
    ) -> Self {
        Self::start_with_env(socket, args, config_home, size, &[])
    }

    /// The same with `env` set for the console (a fresh tmux server takes the environment of
    /// the command that starts it).
    pub fn start_with_env(
        socket: String,
        args: &[&OsStr],
        config_home: &Path,
        size: (u16, u16),
        env: &[(&str, &str)],
    ) -> Self {
        let mut program = vec![OsStr::new(env!("CARGO_BIN_EXE_ehops"))];
        program.extend(args);
        Self::new_session(socket, &program, config_home, size, env)
    }

    /// A shell (bash, no rc files, the prompt [`Self::PROMPT`]) in a detached 120x40
    /// session, for a test that runs commands in it and sees the terminal it leaves behind.
    pub fn start_shell(socket: String, config_home: &Path) -> Self {
        let program = ["bash", "--norc", "--noprofile"].map(OsStr::new);
        let env = [("PS1", Self::PROMPT)];
        Self::new_session(socket, &program, config_home, (120, 40), &env)
    }

    fn new_session(
        socket: String,
        program: &[&OsStr],
        config_home: &Path,
        (width, height): (u16, u16),
        env: &[(&str, &str)],
    ) -> Self {
        let terminal = Terminal { socket };
        let started = Command::new("tmux")
            .args(["-L", &terminal.socket, "-f", "/dev/null"])
            .args([
                "new-session",
                "-d",
                "-s",
                "console",
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string(),
            ])
            .args(program)
            .env("XDG_CONFIG_HOME", config_home)
            .env_remove("EHOPS_CONNECTION_STRING")
            .env_remove("EHOPS_TEAM")
            .env_remove("EHOPS_CAPTURE_STORE")
            .envs(env.iter().copied())
            .status()
            .expect("tmux starts");
        assert!(started.success());
        terminal
    }

    /// The prompt of [`Self::start_shell`]'s shell.
    pub const PROMPT: &str = "soak-shell$ ";

    /// Types `line` into the pane and presses Enter.
    pub fn type_line(&self, line: &str) {
        let typed = self.tmux(&["send-keys", "-t", "console", "-l", line]);
        assert!(typed.status.success(), "send-keys {line:?}");
        self.keys(&["Enter"]);
    }

    /// A format of the pane (`#{pane_pid}`, `#{alternate_on}`), as tmux fills it in.
    pub fn pane(&self, format: &str) -> String {
        let shown = self.tmux(&["display-message", "-p", "-t", "console", format]);
        String::from_utf8_lossy(&shown.stdout).trim().to_owned()
    }

    pub fn tmux(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs")
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "console"];
        args.extend(keys);
        assert!(self.tmux(&args).status.success(), "send-keys {keys:?}");
    }

    /// A left click on the first cell showing `text`, as an xterm SGR mouse report (what
    /// terminals send with mouse capture on).
    pub fn click_on(&self, text: &str) {
        let screen = self.screen();
        let (row, column) = screen
            .lines()
            .enumerate()
            .find_map(|(y, line)| {
                line.find(text)
                    .map(|x| (y + 1, line[..x].chars().count() + 1))
            })
            .unwrap_or_else(|| panic!("{text} is not on screen:\n{screen}"));
        for end in ["M", "m"] {
            let report = format!("\x1b[<0;{column};{row}{end}");
            let sent = self.tmux(&["send-keys", "-t", "console", "-l", &report]);
            assert!(sent.status.success(), "send mouse report");
        }
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.tmux(&["capture-pane", "-p", "-t", "console"]).stdout)
            .into_owned()
    }

    /// Waits until `text` has left the screen. Needed after Escape: a key sent before the
    /// console has read the Escape reaches the terminal right behind it, and the pair reads as
    /// Alt+key (the ESC prefix), which is not the key meant.
    pub async fn wait_gone(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.screen();
            if !screen.contains(text) {
                return;
            }
            assert!(Instant::now() < deadline, "screen kept {text:?}:\n{screen}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Waits until the console has ended (its tmux session closes with it).
    pub async fn wait_quit(&self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while self
            .tmux(&["has-session", "-t", "console"])
            .status
            .success()
        {
            assert!(Instant::now() < deadline, "the console did not quit");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the screen shows every one of `texts`; fails with the last screen.
    pub async fn wait_for(&self, texts: &[&str]) -> String {
        self.wait_for_within(texts, Duration::from_secs(30)).await
    }

    /// [`Self::wait_for`] with a limit of its own.
    pub async fn wait_for_within(&self, texts: &[&str], limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        loop {
            let screen = self.screen();
            if texts.iter().all(|t| screen.contains(t)) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "screen never showed {texts:?}:\n{screen}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
    }
}

/// Prints the console's log (`{data}/logs/ehops.log`) when the test holding it fails, so a
/// failed screen comes with what the console was doing.
pub struct LogOnFailure(pub std::path::PathBuf);

impl Drop for LogOnFailure {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let log = std::fs::read_to_string(self.0.join("logs/ehops.log")).unwrap_or_default();
            eprintln!("----- console log -----\n{log}");
        }
    }
}
