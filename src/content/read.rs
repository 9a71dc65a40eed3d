//! Reading the content folder: which files are content, how they are read
//! (no symlinks, no special files, a size limit, UTF-8 checked with the
//! position of the first bad byte). The file IO of a load, kept apart from
//! parsing (`parse.rs`) so a reload's reads can be reasoned about alone.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use super::parse::ParseOutcome;
use super::{diag, Diagnostic, Error};
use crate::markdown::Severity;

/// A file as read from disk, before rendering.
#[derive(Clone)]
pub(super) struct Source {
    pub(super) path: String,
    /// Shared with the watcher's copy of the last read, and with a later
    /// read that finds the file unchanged.
    pub(super) text: Arc<str>,
    pub(super) modified: Option<SystemTime>,
    /// The file's metadata when `text` was read; `None` for a text that did
    /// not come from the file (a last good version put back).
    pub(super) stamp: Option<Stamp>,
    /// What parsing `text` gave, once a load has parsed it (shared by every
    /// copy of this source, so the next load of an unchanged file skips it).
    pub(super) parsed: Arc<OnceLock<ParseOutcome>>,
}

/// What a file's metadata says about its content: size, modification and
/// status-change times, inode and device. Writing the file changes its
/// times, replacing it (an editor's rename) its inode; the status-change
/// time cannot be set back by a program (unlike the modification time, which
/// `touch -d` or `cp -p` set). A stamp that did not change means the text did
/// not either, with one caveat that [`SETTLED`] covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    changed: (i64, i64),
    inode: (u64, u64),
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Stamp {
        #[cfg(unix)]
        let (changed, inode) = {
            use std::os::unix::fs::MetadataExt as _;
            ((meta.ctime(), meta.ctime_nsec()), (meta.dev(), meta.ino()))
        };
        #[cfg(not(unix))]
        let (changed, inode) = ((0, 0), (0, 0));
        Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            changed,
            inode,
        }
    }

    /// The later of the two times, as a `SystemTime`.
    fn latest(&self) -> Option<SystemTime> {
        let (secs, nanos) = self.changed;
        let changed = u64::try_from(secs)
            .ok()
            .map(|s| SystemTime::UNIX_EPOCH + Duration::new(s, nanos.clamp(0, 999_999_999) as u32));
        match (self.modified, changed) {
            (Some(m), Some(c)) => Some(m.max(c)),
            (m, c) => m.or(c),
        }
    }
}

/// How long after a file's last change a read of it must have started for
/// its stamp to be trusted. File times have a granularity (a kernel clock
/// tick, or seconds on some file systems): two writes of the same length
/// within one tick leave the same stamp. A file changed less than this
/// before the previous read is therefore read again, whatever its stamp
/// (the rule git applies to its index, "racy git").
pub(super) const SETTLED: Duration = Duration::from_secs(3);

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
    /// When this read started (see [`SETTLED`]).
    pub(super) read_at: SystemTime,
    /// Files taken from a previous read instead of being read again.
    pub(super) taken: usize,
}

impl Sources {
    /// Reads `posts/**/*.md`, `about.md` and `glossary.md` under `dir`.
    pub fn read(dir: &Path) -> Result<Sources, Error> {
        Sources::read_after(dir, None)
    }

    /// As [`Sources::read`], taking from `before` (an earlier read of the
    /// same folder) each file whose [`Stamp`] did not change and that had
    /// settled when `before` was read: its text, and its parse once a load
    /// parsed it. Editing one file of 10,000 then reads and parses one file.
    pub fn read_after(dir: &Path, before: Option<&Sources>) -> Result<Sources, Error> {
        let read_at = SystemTime::now();
        let mut diags = Vec::new();
        let reusable: HashMap<&str, &Source> = before
            .filter(|b| b.dir == dir)
            .map(|b| {
                b.files
                    .iter()
                    .filter(|f| f.settled_before(b.read_at))
                    .map(|f| (f.path.as_str(), f))
                    .collect()
            })
            .unwrap_or_default();
        let (files, taken) = read_sources(dir, &reusable, &mut diags)?;
        Ok(Sources {
            dir: dir.to_path_buf(),
            files,
            diags,
            read_at,
            taken,
        })
    }

    /// How many files this read took from the read before it.
    pub fn taken(&self) -> usize {
        self.taken
    }

    /// `(path, text)` of every file read.
    pub fn texts(&self) -> impl Iterator<Item = (&str, &Arc<str>)> {
        self.files.iter().map(|f| (f.path.as_str(), &f.text))
    }

    /// Uses `text` for the file at `path` instead of what is on disk; false
    /// when no such file was read (deleted files are not brought back).
    pub fn substitute(&mut self, path: &str, text: &str) -> bool {
        match self.files.iter_mut().find(|f| f.path == path) {
            Some(f) if &*f.text != text => {
                f.text = Arc::from(text);
                // Not what the file holds: never taken by a later read.
                f.stamp = None;
                f.parsed = Arc::default();
                true
            }
            _ => false,
        }
    }
}

impl Source {
    /// True when this text came from its file, whose last change was at
    /// least [`SETTLED`] before `read_at`.
    fn settled_before(&self, read_at: SystemTime) -> bool {
        self.stamp
            .and_then(|s| s.latest())
            .and_then(|latest| latest.checked_add(SETTLED))
            .is_some_and(|settled| settled <= read_at)
    }
}

/// Largest content file read (a post is text; anything bigger is a mistake
/// that would cost memory on every reload).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Collects `posts/**/*.md`, `about.md` and `glossary.md`. Symlinks are not
/// followed, so nothing outside the folder is ever read. A file in
/// `reusable` whose stamp is unchanged is taken from there (and counted).
fn read_sources(
    dir: &Path,
    reusable: &HashMap<&str, &Source>,
    diags: &mut Vec<Diagnostic>,
) -> Result<(Vec<Source>, usize), Error> {
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
    let mut taken = 0;
    for (rel, path) in files {
        let meta = match std::fs::symlink_metadata(&path) {
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
            Ok(m) => m,
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
        let stamp = Stamp::of(&meta);
        if let Some(same) = reusable
            .get(rel.as_str())
            .filter(|s| s.stamp == Some(stamp))
        {
            sources.push((*same).clone());
            taken += 1;
            continue;
        }
        match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => sources.push(Source {
                    path: rel,
                    text: Arc::from(text),
                    modified: meta.modified().ok(),
                    stamp: Some(stamp),
                    parsed: Arc::default(),
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
    Ok((sources, taken))
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
