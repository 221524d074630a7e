//! Resident memory of processes, read from /proc (Linux), for tests that watch memory stay
//! flat over a long run.

/// The resident set of `pid` in KiB, or `None` once the process is gone.
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The first child of `parent` whose command name is `name`.
pub fn child_named(parent: u32, name: &str) -> Option<u32> {
    let entries = std::fs::read_dir("/proc").ok()?;
    entries.flatten().find_map(|entry| {
        let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
        // `pid (comm) state ppid ...`; comm may hold spaces, so split after its ')'.
        let (head, rest) = stat.rsplit_once(')')?;
        let comm = head.split_once('(')?.1;
        let ppid: u32 = rest.split_whitespace().nth(1)?.parse().ok()?;
        (ppid == parent && comm == name).then_some(pid)
    })
}

/// Samples of one process's memory over a run.
#[derive(Debug, Default)]
pub struct MemoryTrace {
    pub kib: Vec<u64>,
}

impl MemoryTrace {
    /// The largest sample of the first and of the last quarter of the run.
    pub fn first_and_last_quarter_max(&self) -> (u64, u64) {
        let quarter = (self.kib.len() / 4).max(1);
        let max = |s: &[u64]| s.iter().copied().max().unwrap_or(0);
        (
            max(&self.kib[..quarter.min(self.kib.len())]),
            max(&self.kib[self.kib.len().saturating_sub(quarter)..]),
        )
    }
}
