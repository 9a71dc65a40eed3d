//! Reading the content folder: which files are content, how they are read
//! (no symlinks, no special files, a size limit, UTF-8 checked with the
//! position of the first bad byte). The file IO of a load, kept apart from
//! parsing (`parse.rs`) so a reload's reads can be reasoned about alone.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::{diag, Diagnostic, Error};
use crate::markdown::Severity;

/// A file as read from disk, before rendering.
#[derive(Clone)]
pub(super) struct Source {
    pub(super) path: String,
    pub(super) text: String,
    pub(super) modified: Option<SystemTime>,
}

/// The content files of one load, as read from disk: what [`Site::build`]
/// renders. The watcher keeps the text of each file from the last published
/// load, to put it back in place of a file that is broken now.
#[derive(Clone)]
pub struct Sources {
    /// The content folder (images and page-bundle files are found there).
    pub(super) dir: PathBuf,
    pub(super) files: Vec<Source>,
    /// Problems met while reading (unreadable files, symlinks, …).
    pub(super) diags: Vec<Diagnostic>,
}

impl Sources {
    /// Reads `posts/**/*.md`, `about.md` and `glossary.md` under `dir`.
    pub fn read(dir: &Path) -> Result<Sources, Error> {
        let mut diags = Vec::new();
        let files = read_sources(dir, &mut diags)?;
        Ok(Sources {
            dir: dir.to_path_buf(),
            files,
            diags,
        })
    }

    /// `(path, text)` of every file read.
    pub fn texts(&self) -> impl Iterator<Item = (&str, &str)> {
        self.files
            .iter()
            .map(|f| (f.path.as_str(), f.text.as_str()))
    }

    /// Uses `text` for the file at `path` instead of what is on disk; false
    /// when no such file was read (deleted files are not brought back).
    pub fn substitute(&mut self, path: &str, text: &str) -> bool {
        match self.files.iter_mut().find(|f| f.path == path) {
            Some(f) if f.text != text => {
                f.text = text.to_string();
                true
            }
            _ => false,
        }
    }
}

/// Largest content file read (a post is text; anything bigger is a mistake
/// that would cost memory on every reload).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Collects `posts/**/*.md`, `about.md` and `glossary.md`. Symlinks are not
/// followed, so nothing outside the folder is ever read.
fn read_sources(dir: &Path, diags: &mut Vec<Diagnostic>) -> Result<Vec<Source>, Error> {
    let meta = std::fs::metadata(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    if !meta.is_dir() {
        return Err(Error::NotADirectory(dir.to_path_buf()));
    }
    let mut files = Vec::new();
    for name in ["about.md", "glossary.md"] {
        let path = dir.join(name);
        if path.symlink_metadata().is_ok() {
            files.push((name.to_string(), path));
        }
    }
    collect_posts(dir, &dir.join("posts"), &mut files, diags);
    files.sort();

    let mut sources = Vec::with_capacity(files.len());
    for (rel, path) in files {
        let modified = match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => {
                diags.push(diag(
                    &rel,
                    1,
                    1,
                    Severity::Error,
                    "symbolic link not followed",
                ));
                continue;
            }
            // A FIFO or device would block the load or never end.
            Ok(m) if !m.is_file() => {
                diags.push(diag(
                    &rel,
                    1,
                    1,
                    Severity::Error,
                    "not a regular file: skipped",
                ));
                continue;
            }
            Ok(m) if m.len() > MAX_FILE_BYTES => {
                diags.push(diag(
                    &rel,
                    1,
                    1,
                    Severity::Error,
                    format!(
                        "file is {} bytes, over the limit of {MAX_FILE_BYTES}: skipped",
                        m.len()
                    ),
                ));
                continue;
            }
            Ok(m) => m.modified().ok(),
            Err(e) => {
                diags.push(diag(
                    &rel,
                    1,
                    1,
                    Severity::Error,
                    format!("cannot read: {e}"),
                ));
                continue;
            }
        };
        match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => sources.push(Source {
                    path: rel,
                    text,
                    modified,
                }),
                Err(e) => {
                    let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                    let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
                    let line_start = valid.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
                    // `valid` is UTF-8 up to here, so this counts characters.
                    let col = String::from_utf8_lossy(&valid[line_start..])
                        .chars()
                        .count()
                        + 1;
                    diags.push(diag(
                        &rel,
                        line,
                        col,
                        Severity::Error,
                        "file is not valid UTF-8",
                    ));
                }
            },
            Err(e) => diags.push(diag(
                &rel,
                1,
                1,
                Severity::Error,
                format!("cannot read: {e}"),
            )),
        }
    }
    Ok(sources)
}

fn collect_posts(
    root: &Path,
    dir: &Path,
    files: &mut Vec<(String, PathBuf)>,
    diags: &mut Vec<Diagnostic>,
) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let rel = path
            .strip_prefix(root)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        let Ok(file_type) = entry.file_type() else {
            continue;
        };
        // `file_type` does not follow links: a linked folder is never entered,
        // and a linked `.md` file is reported when it is opened.
        if file_type.is_dir() {
            collect_posts(root, &path, files, diags);
        } else if file_type.is_symlink() && path.is_dir() {
            diags.push(diag(
                &rel,
                1,
                1,
                Severity::Warning,
                "symbolic link to a folder not followed",
            ));
        } else if path.extension().is_some_and(|e| e == "md") {
            files.push((rel, path));
        }
    }
}

/// A file's text as the pipeline sees it: without a UTF-8 byte-order mark,
/// with `\r\n` and lone `\r` line endings turned into `\n`.
pub fn normalize_source(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text.to_string()
    }
}
