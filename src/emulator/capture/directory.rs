//! A local directory laid out as the blob container: `{root}/{archive name}`. A window's file
//! is written in the emulator's staging directory (`{data}/capture-staging/`, one file per
//! partition, written as the window lasts), synced, then renamed into place, so a reader
//! listing the directory never sees a partial file, and the directory holds nothing but the
//! archive; a crash leaves at most a staging file, removed at the next start. A root on
//! another file system (where a rename cannot reach) gets a copy, staged in its own
//! `.staging/` and renamed.

use std::io;
use std::path::{Path, PathBuf};

const STAGING: &str = ".staging";

#[derive(Debug, Clone)]
pub struct Directory {
    root: PathBuf,
    /// The emulator's staging directory, shared by every partition.
    staging: PathBuf,
}

impl Directory {
    /// Opens the directory and clears the copies a crash left in its own staging directory
    /// (the shared one, `staging`, is cleared once by the caller before any window starts).
    pub fn open(root: PathBuf, staging: PathBuf) -> io::Result<Self> {
        let own = root.join(STAGING);
        if own.exists() {
            std::fs::remove_dir_all(&own)?;
        }
        std::fs::create_dir_all(&root)?;
        Ok(Self { root, staging })
    }

    pub fn describe(&self) -> String {
        format!("directory {}", self.root.display())
    }

    pub fn exists(&self, name: &str) -> bool {
        self.root.join(name).is_file()
    }

    /// The staging file of one partition's window: partitions write at once, so each has
    /// its own.
    pub fn staging_path(&self, namespace: &str, hub: &str, partition: &str) -> PathBuf {
        (self.staging).join(format!("{namespace}_{hub}_{partition}.partial"))
    }

    /// Makes the synced file `staged` visible as `name`. Returns the file's path. Done
    /// again after a crash or a failed progress record, it finds the file already in place.
    pub fn publish(&self, staged: &Path, name: &str) -> io::Result<PathBuf> {
        let target = self.root.join(name);
        if !staged.exists() && target.is_file() {
            return Ok(target);
        }
        let parent = target
            .parent()
            .ok_or_else(|| io::Error::other("archive name has no directory"))?;
        std::fs::create_dir_all(parent)?;
        match std::fs::rename(staged, &target) {
            Err(error) if error.kind() == io::ErrorKind::CrossesDevices => {
                self.copy_into_place(staged, &target)?;
            }
            renamed => renamed?,
        }
        sync_dir(parent)?;
        Ok(target)
    }

    /// The rename across file systems: a synced copy in the root's own staging directory,
    /// renamed into place.
    fn copy_into_place(&self, staged: &Path, target: &Path) -> io::Result<()> {
        let own = self.root.join(STAGING);
        std::fs::create_dir_all(&own)?;
        let copy = own.join(staged.file_name().unwrap_or_default());
        std::fs::copy(staged, &copy)?;
        std::fs::File::open(&copy)?.sync_all()?;
        std::fs::rename(&copy, target)?;
        std::fs::remove_file(staged)
    }

    /// Makes `bytes` visible as `name`, whole or not at all. Returns the file's path.
    #[cfg(test)]
    pub fn put(&self, name: &str, bytes: &[u8]) -> io::Result<PathBuf> {
        std::fs::create_dir_all(&self.staging)?;
        let staged = (self.staging).join(format!("{}.partial", name.replace('/', "_")));
        let mut file = std::fs::File::create(&staged)?;
        std::io::Write::write_all(&mut file, bytes)?;
        file.sync_all()?;
        drop(file);
        self.publish(&staged, name)
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
        let root = dir.path().join("root");
        let directory = Directory::open(root.clone(), dir.path().join("staging")).expect("opens");
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
                let path = root.join(format!("ns/hub/{partition}/{round}.avro"));
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
