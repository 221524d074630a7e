//! The capture files an emulator wrote, as a test sees them.

use std::path::{Path, PathBuf};

use ehops::codec::capture::read_capture_file;

/// Every file under `root` a listing shows: not the emulator's `.staging` directory, where a
/// file is written before it is renamed into place.
pub fn visible_files(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != ".staging") {
                    stack.push(path);
                }
            } else {
                files.push(path);
            }
        }
    }
    files
}

/// Every visible `.avro` file under `root` and how many records they hold, read with
/// ehops' reader.
pub fn captured(root: &Path) -> (Vec<PathBuf>, usize) {
    let files: Vec<PathBuf> = (visible_files(root).into_iter())
        .filter(|path| path.extension().is_some_and(|e| e == "avro"))
        .collect();
    let records = files
        .iter()
        .map(|f| {
            let bytes = std::fs::read(f).expect("readable");
            read_capture_file(&bytes)
                .expect("a capture file")
                .records
                .len()
        })
        .sum();
    (files, records)
}
