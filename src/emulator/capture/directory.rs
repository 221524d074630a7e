//! A local directory laid out as the blob container: `{root}/{archive name}`. A window's file
//! is written in a staging directory (one file per partition, written as the window lasts),
//! synced, then renamed into place, so a reader listing the directory never sees a partial
//! file; a crash leaves at most a staging file, removed at the next start. The staging
//! directory is the emulator's (`{data}/capture-staging/`) when the root is on the data
//! directory's file system, so the archive holds nothing else; a root on another file system
//! stages in its own `.staging/`, so its files are written once, on its own disk.

use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

const STAGING: &str = ".staging";

#[derive(Debug, Clone)]
pub struct Directory {
    root: PathBuf,
    /// The emulator's staging directory, shared by every partition.
    staging: PathBuf,
}

impl Directory {
    /// Opens the directory and clears what a crash left in its own staging directory (the
    /// emulator's, `data_staging`, is cleared once by the caller before any window starts).
    pub fn open(root: PathBuf, data_staging: PathBuf) -> io::Result<Self> {
        let own = root.join(STAGING);
        if own.exists() {
            std::fs::remove_dir_all(&own)?;
        }
        std::fs::create_dir_all(&root)?;
        std::fs::create_dir_all(&data_staging)?;
        let device = |path: &Path| std::fs::metadata(path).map(|m| m.dev());
        let staging = if device(&root)? == device(&data_staging)? {
            data_staging
        } else {
            std::fs::create_dir_all(&own)?;
            own
        };
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
        if staged.starts_with(&own) {
            return Err(io::Error::other(
                "the staging directory cannot reach the archive",
            ));
        }
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

    /// A root on another file system than the data directory (tmpfs here) stages beside
    /// itself: the file is written once, on its own disk, and the emulator's staging
    /// directory stays empty.
    #[test]
    fn a_root_on_another_file_system_stages_beside_itself() {
        let data = tempfile::tempdir().expect("temp dir");
        let other = tempfile::tempdir_in("/dev/shm").expect("a tmpfs directory");
        let device = |p: &Path| std::fs::metadata(p).expect("metadata").dev();
        assert_ne!(
            device(data.path()),
            device(other.path()),
            "two file systems"
        );
        let data_staging = data.path().join("capture-staging");
        std::fs::create_dir_all(&data_staging).expect("staging");
        let root = other.path().join("root");
        let directory = Directory::open(root.clone(), data_staging.clone()).expect("opens");
        let staged = directory.staging_path("ns", "hub", "0");
        assert!(
            staged.starts_with(root.join(STAGING)),
            "{}",
            staged.display()
        );
        std::fs::write(&staged, b"a window").expect("staged");
        let published = directory
            .publish(&staged, "ns/hub/0/a.avro")
            .expect("published");
        assert_eq!(std::fs::read(published).expect("visible"), b"a window");
        let left = std::fs::read_dir(&data_staging).expect("listed").count();
        assert_eq!(left, 0, "nothing staged in the data directory");
    }
}
