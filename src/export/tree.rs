//! The output folder: checks before anything is written, the copy of the
//! built site, and incremental writing.
//!
//! Safety rules, in order of importance:
//! - nothing outside `OUT` is written or deleted: every path is `OUT` joined
//!   with a relative path of plain segments (no `..`, no root, no empty
//!   segment), and no symbolic link is followed (one in the way is an error,
//!   or with `--force` is removed — the link, never its target);
//! - without `--force`, `OUT` must be missing, empty, or an earlier export
//!   (it holds [`MANIFEST`]); only files that manifest lists are ever removed;
//! - `OUT` may not be inside the content folder, contain it, or overlap the
//!   built site it copies from.

use std::collections::{BTreeMap, BTreeSet};
use std::io::ErrorKind;
use std::path::{Component, Path, PathBuf};

use super::ExportError;

/// Lists the files of the last export, one per line: what a re-export may
/// remove when it no longer produces them.
pub const MANIFEST: &str = ".microblog-export";

/// `rel` is a relative path of plain segments.
pub fn check_relative(rel: &str) -> Result<(), ExportError> {
    let bad = || ExportError::BadPath(rel.to_string());
    if rel.is_empty() || rel.starts_with('/') || rel.contains('\\') || rel.contains('\0') {
        return Err(bad());
    }
    for segment in rel.split('/') {
        if segment.is_empty() || segment == "." || segment == ".." {
            return Err(bad());
        }
        if segment.chars().any(char::is_control) {
            return Err(bad());
        }
    }
    if Path::new(rel)
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return Err(bad());
    }
    Ok(())
}

/// Absolute and normalised, resolving symbolic links of the part that
/// exists (`OUT` itself may not exist yet).
fn resolve(path: &Path) -> Result<PathBuf, ExportError> {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|source| ExportError::Read {
                path: PathBuf::from("."),
                source,
            })?
            .join(path)
    };
    let mut existing = absolute.clone();
    let mut rest: Vec<std::ffi::OsString> = Vec::new();
    loop {
        match existing.canonicalize() {
            Ok(real) => {
                let mut out = real;
                for part in rest.iter().rev() {
                    match Path::new(part).components().next() {
                        Some(Component::ParentDir) => {
                            out.pop();
                        }
                        Some(Component::CurDir) | None => {}
                        _ => out.push(part),
                    }
                }
                return Ok(out);
            }
            Err(_) => {
                let Some(name) = existing.file_name().map(|n| n.to_os_string()) else {
                    return Ok(absolute);
                };
                rest.push(name);
                if !existing.pop() {
                    return Ok(absolute);
                }
            }
        }
    }
}

/// Checks `out` and creates it; returns it resolved.
pub fn prepare(
    out: &Path,
    content_dir: &Path,
    site_root: &Path,
    force: bool,
) -> Result<PathBuf, ExportError> {
    let resolved = resolve(out)?;
    let content = resolve(content_dir)?;
    let root = resolve(site_root)?;
    if resolved.starts_with(&content) {
        return Err(ExportError::InsideContent {
            out: out.to_path_buf(),
            content: content_dir.to_path_buf(),
        });
    }
    if content.starts_with(&resolved) {
        return Err(ExportError::ContainsContent {
            out: out.to_path_buf(),
            content: content_dir.to_path_buf(),
        });
    }
    if resolved.starts_with(&root) || root.starts_with(&resolved) {
        return Err(ExportError::OverlapsSiteRoot {
            out: out.to_path_buf(),
            root: site_root.to_path_buf(),
        });
    }
    match std::fs::symlink_metadata(out) {
        Ok(meta) if meta.file_type().is_symlink() && !out.is_dir() => {
            return Err(ExportError::NotADirectory(out.to_path_buf()))
        }
        Ok(_) if !out.is_dir() => return Err(ExportError::NotADirectory(out.to_path_buf())),
        Ok(_) => {
            let mut entries = std::fs::read_dir(out).map_err(|source| ExportError::Write {
                path: out.to_path_buf(),
                source,
            })?;
            let empty = entries.next().is_none();
            if !empty && !force && !out.join(MANIFEST).is_file() {
                return Err(ExportError::NotEmpty(out.to_path_buf()));
            }
        }
        Err(e) if e.kind() == ErrorKind::NotFound => {
            std::fs::create_dir_all(out).map_err(|source| ExportError::Write {
                path: out.to_path_buf(),
                source,
            })?;
        }
        Err(source) => {
            return Err(ExportError::Write {
                path: out.to_path_buf(),
                source,
            })
        }
    }
    // Find out now, not halfway through, that the folder is read-only.
    let probe = out.join(".microblog-write-test");
    std::fs::write(&probe, b"").map_err(|source| ExportError::Write {
        path: out.to_path_buf(),
        source,
    })?;
    let _ = std::fs::remove_file(&probe);
    Ok(out.to_path_buf())
}

/// Every regular file under the built site, by relative path (`/`-separated).
/// Symbolic links are not followed: the server's file handler would not
/// serve what they point at from outside either.
pub fn read_site_root(root: &Path) -> Result<BTreeMap<String, Vec<u8>>, ExportError> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let read = |source| ExportError::Read {
            path: dir.clone(),
            source,
        };
        for entry in std::fs::read_dir(&dir).map_err(read)? {
            let entry = entry.map_err(read)?;
            let path = entry.path();
            let kind = entry.file_type().map_err(read)?;
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() {
                let Ok(rel) = path.strip_prefix(root) else {
                    continue;
                };
                let rel: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                let rel = rel.join("/");
                if check_relative(&rel).is_err() {
                    continue;
                }
                let bytes = std::fs::read(&path).map_err(|source| ExportError::Read {
                    path: path.clone(),
                    source,
                })?;
                out.insert(rel, bytes);
            }
        }
    }
    Ok(out)
}

/// What [`write`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

fn write_error(path: &Path) -> impl Fn(std::io::Error) -> ExportError + '_ {
    move |source| ExportError::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// Makes `out/rel_dir` a folder; its parent is one already.
fn ensure_last_dir(out: &Path, rel_dir: &str, force: bool) -> Result<(), ExportError> {
    let path = out.join(rel_dir);
    match std::fs::symlink_metadata(&path) {
        Ok(meta) if meta.is_dir() => return Ok(()),
        Ok(meta) => {
            if !force {
                return Err(if meta.file_type().is_symlink() {
                    ExportError::Symlink(path)
                } else {
                    ExportError::NotADirectory(path)
                });
            }
            std::fs::remove_file(&path).map_err(write_error(&path))?;
        }
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(source) => return Err(ExportError::Write { path, source }),
    }
    std::fs::create_dir(&path).map_err(write_error(&path))
}

/// Makes the folder `out/rel_dir` in a folder that was empty when the
/// export started: one `mkdir`, and the full check of [`ensure_last_dir`]
/// only if something is there after all.
fn create_last_dir(out: &Path, rel_dir: &str, force: bool) -> Result<(), ExportError> {
    let path = out.join(rel_dir);
    match std::fs::create_dir(&path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => ensure_last_dir(out, rel_dir, force),
        Err(source) => Err(ExportError::Write { path, source }),
    }
}

/// Writes a file into a folder that was empty when the export started:
/// created in place, never replacing anything (`O_EXCL`, which also refuses
/// a symbolic link). A file that is there after all gets [`write_one`].
/// No temporary name is needed: no earlier version of the file exists that
/// a reader could see half replaced. One `open` instead of a check, an
/// `open` and a `rename` was a quarter of the writing's system calls.
fn create_one(out: &Path, rel: &str, bytes: &[u8], force: bool) -> Result<bool, ExportError> {
    use std::io::Write as _;
    let path = out.join(rel);
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path);
    match file {
        Ok(mut file) => {
            file.write_all(bytes).map_err(write_error(&path))?;
            Ok(true)
        }
        Err(e) if e.kind() == ErrorKind::AlreadyExists => write_one(out, rel, bytes, force),
        Err(source) => Err(ExportError::Write { path, source }),
    }
}

/// Writes one file unless its bytes are there already; `true` if written.
fn write_one(out: &Path, rel: &str, bytes: &[u8], force: bool) -> Result<bool, ExportError> {
    let path = out.join(rel);
    match std::fs::symlink_metadata(&path) {
        Ok(meta) if meta.file_type().is_symlink() || meta.is_dir() => {
            if !force {
                return Err(ExportError::Symlink(path));
            }
            if meta.is_dir() {
                std::fs::remove_dir_all(&path).map_err(write_error(&path))?;
            } else {
                std::fs::remove_file(&path).map_err(write_error(&path))?;
            }
        }
        Ok(meta)
            if meta.len() == bytes.len() as u64
                && std::fs::read(&path).is_ok_and(|old| old == bytes) =>
        {
            return Ok(false);
        }
        _ => {}
    }
    let tmp = out.join(format!("{rel}.microblog-tmp"));
    std::fs::write(&tmp, bytes).map_err(write_error(&tmp))?;
    std::fs::rename(&tmp, &path).map_err(write_error(&path))?;
    Ok(true)
}

/// Writes `files` under `out`: a file whose bytes are already there is left
/// alone (its modification time too), others replace the old file through a
/// temporary name and a rename, so a reader never sees half a file. Into an
/// empty `out` (a first export) files are created in place. Files the
/// previous export listed and this one does not produce are removed; with
/// `force`, anything else in `out` is removed too.
pub fn write(
    out: &Path,
    files: &BTreeMap<String, Vec<u8>>,
    force: bool,
) -> Result<Written, ExportError> {
    use rayon::prelude::*;

    let mut done = Written::default();
    let previous: BTreeSet<String> = std::fs::read_to_string(out.join(MANIFEST))
        .map(|text| text.lines().map(str::to_string).collect())
        .unwrap_or_default();
    // A first export into an empty folder: nothing to compare or replace.
    let fresh = std::fs::read_dir(out)
        .map_err(write_error(out))?
        .next()
        .is_none();
    // Every folder once, by depth: each depth's folders in parallel, after
    // their parents. (A site of 10,000 posts has as many folders, and one
    // core spent most of the writing in their checks.)
    let mut dirs: BTreeSet<&str> = BTreeSet::new();
    for rel in files.keys() {
        check_relative(rel)?;
        let mut rest = rel.as_str();
        while let Some((dir, _)) = rest.rsplit_once('/') {
            if !dirs.insert(dir) {
                break;
            }
            rest = dir;
        }
    }
    let mut by_depth: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    for dir in dirs {
        by_depth
            .entry(dir.matches('/').count())
            .or_default()
            .push(dir);
    }
    for level in by_depth.values() {
        level.par_iter().try_for_each(|dir| {
            if fresh {
                create_last_dir(out, dir, force)
            } else {
                ensure_last_dir(out, dir, force)
            }
        })?;
    }
    // Then the files, in parallel: each one's own check, write and rename.
    let changed: Vec<bool> = files
        .par_iter()
        .map(|(rel, bytes)| {
            if fresh {
                create_one(out, rel, bytes, force)
            } else {
                write_one(out, rel, bytes, force)
            }
        })
        .collect::<Result<_, _>>()?;
    done.written = changed.iter().filter(|&&c| c).count();
    done.unchanged = changed.len() - done.written;
    for rel in previous.iter().filter(|rel| !files.contains_key(*rel)) {
        if check_relative(rel).is_err() {
            continue;
        }
        if remove_file_in(out, rel)? {
            done.removed += 1;
        }
    }
    if force {
        done.removed += remove_unlisted(out, out, files)?;
    }
    let manifest: String = files.keys().map(|k| format!("{k}\n")).collect();
    if std::fs::read_to_string(out.join(MANIFEST)).ok().as_deref() != Some(manifest.as_str()) {
        std::fs::write(out.join(MANIFEST), manifest).map_err(write_error(out))?;
    }
    Ok(done)
}

/// Removes `out/rel` if it is a file or link (never following one on the
/// way), then any folders it leaves empty, up to `out`.
fn remove_file_in(out: &Path, rel: &str) -> Result<bool, ExportError> {
    let mut path = out.to_path_buf();
    for segment in rel.split('/') {
        path.push(segment);
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            return Ok(false);
        };
        let last = path == out.join(rel);
        if !last && !meta.is_dir() {
            // A link or file where a folder was: not ours to walk through.
            return Ok(false);
        }
        if last && meta.is_dir() {
            return Ok(false);
        }
    }
    std::fs::remove_file(&path).map_err(write_error(&path))?;
    let mut dir = path.parent().map(Path::to_path_buf);
    while let Some(d) = dir {
        if d == out || !d.starts_with(out) {
            break;
        }
        if std::fs::remove_dir(&d).is_err() {
            break;
        }
        dir = d.parent().map(Path::to_path_buf);
    }
    Ok(true)
}

/// With `--force`: removes what in `dir` (under `out`) the export does not
/// produce. Links are removed as links, never followed.
fn remove_unlisted(
    out: &Path,
    dir: &Path,
    files: &BTreeMap<String, Vec<u8>>,
) -> Result<usize, ExportError> {
    let mut removed = 0;
    let entries = std::fs::read_dir(dir).map_err(write_error(dir))?;
    for entry in entries {
        let entry = entry.map_err(write_error(dir))?;
        let path = entry.path();
        let Ok(rel) = path.strip_prefix(out) else {
            continue;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        if rel == MANIFEST {
            continue;
        }
        let kind = entry.file_type().map_err(write_error(&path))?;
        if kind.is_dir() {
            removed += remove_unlisted(out, &path, files)?;
            if std::fs::read_dir(&path).is_ok_and(|mut d| d.next().is_none()) {
                std::fs::remove_dir(&path).map_err(write_error(&path))?;
            }
        } else if !files.contains_key(&rel) {
            std::fs::remove_file(&path).map_err(write_error(&path))?;
            removed += 1;
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_are_plain_segments() {
        for good in ["index.html", "posts/x/index.html", "tags/español/feed.xml"] {
            assert!(check_relative(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a//b",
            "./a",
            "a/.",
            "a\\b",
            "a\nb",
        ] {
            assert!(check_relative(bad).is_err(), "{bad:?}");
        }
    }
}
