//! A local directory laid out as the blob container: `{root}/{archive name}`. A file is
//! written under `{root}/.staging/`, synced, then renamed into place, so a reader listing
//! the directory never sees a partial file; a crash leaves at most a staging file, removed at
//! the next start.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

const STAGING: &str = ".staging";

#[derive(Debug, Clone)]
pub struct Directory {
    root: PathBuf,
}

impl Directory {
    /// Opens the directory and clears staging files a crash left behind.
    pub fn open(root: PathBuf) -> io::Result<Self> {
        let staging = root.join(STAGING);
        if staging.exists() {
            std::fs::remove_dir_all(&staging)?;
        }
        std::fs::create_dir_all(&staging)?;
        Ok(Self { root })
    }

    pub fn describe(&self) -> String {
        format!("directory {}", self.root.display())
    }

    pub fn exists(&self, name: &str) -> bool {
        self.root.join(name).is_file()
    }

    /// Makes `bytes` visible as `name`, whole or not at all. Returns the file's path.
    /// Partitions write at once: the staging file is named after the target, never shared.
    pub fn put(&self, name: &str, bytes: &[u8]) -> io::Result<PathBuf> {
        let target = self.root.join(name);
        let parent = target
            .parent()
            .ok_or_else(|| io::Error::other("archive name has no directory"))?;
        std::fs::create_dir_all(parent)?;
        let staged = self
            .root
            .join(STAGING)
            .join(format!("{}.partial", name.replace('/', "_")));
        let mut file = std::fs::File::create(&staged)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&staged, &target)?;
        sync_dir(parent)?;
        Ok(target)
    }
}

/// The rename is durable only once its directory is synced.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Partitions write at the same time: each file must hold its own bytes (their staging
    /// files were once named by first sequence number, which every partition shares).
    #[test]
    fn partitions_writing_at_once_never_swap_contents() {
        let dir = tempfile::tempdir().expect("temp dir");
        let directory = Directory::open(dir.path().to_path_buf()).expect("opens");
        let writers: Vec<_> = (0..4u8)
            .map(|partition| {
                let directory = directory.clone();
                std::thread::spawn(move || {
                    for round in 0..100u32 {
                        let name = format!("ns/hub/{partition}/{round}.avro");
                        let bytes = vec![partition; 4096];
                        directory.put(&name, &bytes).expect("written");
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.join().expect("writer");
        }
        for partition in 0..4u8 {
            for round in 0..100u32 {
                let path = dir.path().join(format!("ns/hub/{partition}/{round}.avro"));
                let bytes = std::fs::read(&path).expect("visible");
                assert!(
                    bytes.iter().all(|b| *b == partition),
                    "{} holds another partition's bytes",
                    path.display()
                );
            }
        }
    }
}
