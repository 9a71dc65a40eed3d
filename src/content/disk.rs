//! The persistent render cache (`CACHE_DIR`): what the last load built from
//! each file, so a restart renders only the files that changed since.
//!
//! It is the reload memo (`memo.rs`) on disk (and the related posts), with the same checks per file
//! (text hash, render context, resolved references). A cache must never
//! break startup or serve wrong content, so the file is used only whole:
//! - one header line names the format, the engine (crate version and a hash
//!   of the running executable, so any other build ignores it), and the
//!   length and xxh3 of the body;
//! - a missing, truncated, corrupt or other-engine file is reported and the
//!   load goes on cold;
//! - it is written to a temporary file and renamed into place, so a crash
//!   mid-write leaves the previous cache (or none).

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::memo::{Memo, Outcome};
use super::{related, PostEntry, Site};
use crate::model::Page;

/// Bumped when the file layout changes.
const FORMAT: u32 = 6;
/// A JSON header line, then the body in `postcard` (serde's data model,
/// lengths as prefixes): read back with little more than copies of the
/// strings, where JSON took seconds to scan 400 MB at 10,000 posts.
const FILE_NAME: &str = "render-cache.bin";
const LEGACY_FILE_NAME: &str = "render-cache.json";

/// Why a cache file was not used.
#[derive(Debug, thiserror::Error)]
pub enum CacheFileError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}: no header line (truncated or not a render cache)")]
    NoHeader(PathBuf),
    #[error("{path}: unreadable header: {source}")]
    Header {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("{path}: written by another engine ({found}), this is {expected}")]
    OtherEngine {
        path: PathBuf,
        found: String,
        expected: String,
    },
    #[error("{path}: body is {found} bytes, header says {expected} (truncated?)")]
    Length {
        path: PathBuf,
        found: usize,
        expected: usize,
    },
    #[error("{0}: checksum mismatch (corrupt)")]
    Checksum(PathBuf),
    #[error("{path}: unreadable body: {source}")]
    Body {
        path: PathBuf,
        #[source]
        source: postcard::Error,
    },
    #[error("cannot identify the running executable: {0}")]
    Engine(String),
}

#[derive(Serialize, Deserialize)]
struct Header {
    format: u32,
    engine: String,
    len: usize,
    checksum: u64,
}

/// The body: every file's build, and the related posts of the snapshot
/// (valid only for the same posts: see [`related::Picks`]).
#[derive(Deserialize)]
struct Body {
    files: Vec<Stored>,
    related: related::Picks,
}

/// One file's build.
#[derive(Serialize, Deserialize)]
struct Stored {
    memo: Memo,
    post: Option<PostEntry>,
    about: Option<Page>,
    /// The About page's search text (with `about`).
    about_text: String,
}

/// This build's identity: crate version and a hash of the executable, so a
/// rebuilt binary (new renderer, same version) never reads an old cache.
fn engine() -> Result<&'static str, CacheFileError> {
    static ENGINE: OnceLock<Result<String, String>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let exe = std::env::current_exe().map_err(|e| e.to_string())?;
            let bytes = std::fs::read(&exe).map_err(|e| format!("{}: {e}", exe.display()))?;
            Ok(format!(
                "{}+{:016x}",
                env!("CARGO_PKG_VERSION"),
                xxhash_rust::xxh3::xxh3_64(&bytes)
            ))
        })
        .as_deref()
        .map_err(|e| CacheFileError::Engine(e.clone()))
}

/// The render cache in one folder.
#[derive(Debug, Clone)]
pub struct RenderCache {
    file: PathBuf,
}

impl RenderCache {
    pub fn new(dir: &Path) -> Self {
        RenderCache {
            file: dir.join(FILE_NAME),
        }
    }

    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The cached builds, as a snapshot to pass to [`Site::reload`] as
    /// `previous` (only its reusable parts are filled).
    pub fn load(&self) -> Result<Site, CacheFileError> {
        let path = &self.file;
        let io = |source| CacheFileError::Io {
            path: path.clone(),
            source,
        };
        let bytes = std::fs::read(path).map_err(io)?;
        let newline = bytes
            .iter()
            .position(|b| *b == b'\n')
            .ok_or_else(|| CacheFileError::NoHeader(path.clone()))?;
        let header: Header =
            serde_json::from_slice(&bytes[..newline]).map_err(|source| CacheFileError::Header {
                path: path.clone(),
                source,
            })?;
        let expected = format!("{FORMAT}/{}", engine()?);
        let found = format!("{}/{}", header.format, header.engine);
        if found != expected {
            return Err(CacheFileError::OtherEngine {
                path: path.clone(),
                found,
                expected,
            });
        }
        let body = &bytes[newline + 1..];
        if body.len() != header.len {
            return Err(CacheFileError::Length {
                path: path.clone(),
                found: body.len(),
                expected: header.len,
            });
        }
        if xxhash_rust::xxh3::xxh3_64(body) != header.checksum {
            return Err(CacheFileError::Checksum(path.clone()));
        }
        let stored: Body = postcard::from_bytes(body).map_err(|source| CacheFileError::Body {
            path: path.clone(),
            source,
        })?;
        let mut site = Site {
            related: stored.related,
            ..Site::default()
        };
        for s in stored.files {
            if let Some(post) = s.post {
                site.by_slug
                    .insert(post.post.meta.slug.clone(), site.posts.len());
                site.posts.push(post);
            }
            if s.about.is_some() {
                site.about = s.about;
                site.about_text = s.about_text;
            }
            site.memos.insert(s.memo.path.clone(), s.memo);
        }
        Ok(site)
    }

    /// Writes what `site` built (atomically: temporary file, then rename).
    pub fn save(&self, site: &Site) -> Result<(), CacheFileError> {
        let by_slug: HashMap<&str, &PostEntry> = site
            .posts
            .iter()
            .map(|p| (p.post.meta.slug.as_str(), p))
            .collect();
        let stored: Vec<StoredRef<'_>> = site
            .memos
            .values()
            .map(|memo| StoredRef {
                memo,
                post: match &memo.outcome {
                    Outcome::Post(slug) => by_slug.get(slug.as_str()).copied(),
                    _ => None,
                },
                about: (memo.outcome == Outcome::About)
                    .then_some(site.about.as_ref())
                    .flatten(),
                about_text: if memo.outcome == Outcome::About {
                    &site.about_text
                } else {
                    ""
                },
            })
            .collect();
        let body = BodyRef {
            files: stored,
            related: &site.related,
        };
        let body = postcard::to_stdvec(&body).map_err(|source| CacheFileError::Body {
            path: self.file.clone(),
            source,
        })?;
        let header = Header {
            format: FORMAT,
            engine: engine()?.to_string(),
            len: body.len(),
            checksum: xxhash_rust::xxh3::xxh3_64(&body),
        };
        let io = |source| CacheFileError::Io {
            path: self.file.clone(),
            source,
        };
        if let Some(dir) = self.file.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let tmp = self.file.with_extension("bin.tmp");
        let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp).map_err(io)?);
        let head = serde_json::to_vec(&header).map_err(|source| CacheFileError::Header {
            path: self.file.clone(),
            source,
        })?;
        out.write_all(&head).map_err(io)?;
        out.write_all(b"\n").map_err(io)?;
        out.write_all(&body).map_err(io)?;
        out.into_inner()
            .map_err(|e| io(e.into_error()))?
            .sync_all()
            .map_err(io)?;
        std::fs::rename(&tmp, &self.file).map_err(io)?;
        // The JSON cache of format 3 and before: never read again.
        if let Some(dir) = self.file.parent() {
            let _ = std::fs::remove_file(dir.join(LEGACY_FILE_NAME));
        }
        Ok(())
    }
}

/// [`Body`], borrowed from a live snapshot for writing.
#[derive(Serialize)]
struct BodyRef<'a> {
    files: Vec<StoredRef<'a>>,
    related: &'a related::Picks,
}

/// [`Stored`], borrowed from a live snapshot for writing.
#[derive(Serialize)]
struct StoredRef<'a> {
    memo: &'a Memo,
    post: Option<&'a PostEntry>,
    about: Option<&'a Page>,
    about_text: &'a str,
}
