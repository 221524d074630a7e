//! Code cites its design notes as `docs/NAME.md`: every file cited exists, and nothing cites
//! notes the repository does not hold.

use std::path::{Path, PathBuf};

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Every `docs/NAME.md` in `text`.
fn cited_docs(text: &str) -> Vec<&str> {
    text.match_indices("docs/")
        .filter_map(|(at, _)| {
            let rest = &text[at..];
            let end = rest.find(".md")? + 3;
            let name = &rest[..end];
            name["docs/".len()..end - 3]
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                .then_some(name)
        })
        .collect()
}

#[test]
fn every_cited_doc_exists_and_no_missing_note_is_cited() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src", "tests", "benches", "scripts", ".config", "docs"] {
        files_under(&root.join(dir), &mut files);
    }
    files.push(root.join("README.md"));
    let mut cited = 0;
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue; // not text
        };
        for doc in cited_docs(&text) {
            cited += 1;
            assert!(
                root.join(doc).is_file(),
                "{} cites {doc}, which does not exist",
                file.display()
            );
        }
        if file.ends_with("docs_citations.rs") {
            continue;
        }
        for retired in ["ARCHITECTURE.md", "DEMO-ORG", "design notes"] {
            assert!(
                !text.contains(retired),
                "{} cites {retired:?}; cite docs/ instead",
                file.display()
            );
        }
    }
    assert!(
        cited > 20,
        "the code cites its notes ({cited} citations found)"
    );
}
