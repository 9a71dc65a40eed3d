//! `microblog export OUT`: the whole site as files for a static host.
//!
//! Every page is rendered by the server's own router, in process (a request
//! per URL through `tower::ServiceExt::oneshot`), so an exported file is by
//! construction the document the server sends for that URL. The URLs come
//! from [`crate::server::documents`], the list the sitemap is built from. The
//! built assets (`/pkg`, with their `.br`/`.gz`) and public files are copied
//! from the site root. Around them the export writes what static hosts read:
//! `_redirects`, `_headers`, `netlify.toml`, optionally one small redirect page
//! per old URL (`--meta-redirects`), and the split search index.
//!
//! Writing is incremental: a file whose bytes are unchanged is not touched,
//! files of an earlier export that are no longer produced are removed, and
//! nothing outside `OUT` is ever written or deleted (see [`tree`]).

pub mod render;
pub mod rules;
pub mod search_index;
pub mod tree;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::server::AppState;

/// What the command line asked for.
#[derive(Debug, Clone)]
pub struct Options {
    pub out: PathBuf,
    /// Replace whatever `OUT` holds (files the export does not produce are removed).
    pub force: bool,
    /// Also write a `<meta http-equiv="refresh">` page at every old URL.
    pub meta_redirects: bool,
    /// The content folder, which `OUT` may neither be inside nor contain.
    pub content_dir: PathBuf,
}

/// Why an export stopped. Problems with `OUT` are the user's to fix
/// ([`ExportError::is_usage`]); the others are the site's.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{0} is not empty and holds no earlier export (use --force to replace its contents)")]
    NotEmpty(PathBuf),
    #[error("{out} is inside the content folder {content}")]
    InsideContent { out: PathBuf, content: PathBuf },
    #[error("{out} contains the content folder {content}: the export would delete it")]
    ContainsContent { out: PathBuf, content: PathBuf },
    #[error("{out} overlaps the built site {root} it copies from")]
    OverlapsSiteRoot { out: PathBuf, root: PathBuf },
    #[error("{0} exists and is not a folder")]
    NotADirectory(PathBuf),
    #[error("{0} is a symbolic link; refusing to write through it (use --force to replace it)")]
    Symlink(PathBuf),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the built site {0} has no pkg/ folder: build it first (make build)")]
    NoSiteRoot(PathBuf),
    #[error("the server answered {status} for {path}")]
    Status { path: String, status: u16 },
    #[error("rendering {path}: {message}")]
    Render { path: String, message: String },
    #[error("{0} cannot be a file name in the export")]
    BadPath(String),
}

impl ExportError {
    /// A problem with the output folder the user named (exit code 2).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            ExportError::NotEmpty(_)
                | ExportError::InsideContent { .. }
                | ExportError::ContainsContent { .. }
                | ExportError::OverlapsSiteRoot { .. }
                | ExportError::NotADirectory(_)
                | ExportError::Symlink(_)
                | ExportError::Write { .. }
                | ExportError::NoSiteRoot(_)
        )
    }
}

/// What an export did.
#[derive(Debug, Default, Clone)]
pub struct Report {
    pub files: usize,
    pub pages: usize,
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
    pub redirects: usize,
    /// Old URLs a rules file cannot carry safely, with the reason.
    pub skipped: Vec<String>,
    /// Limits of particular hosts the rules files go past.
    pub warnings: Vec<String>,
    pub elapsed: Duration,
    /// Where the time went, in order (for the summary line and the benchmark).
    pub phases: Vec<Phase>,
}

/// One step of an export: wall time, and the CPU time of the whole process
/// meanwhile (every thread), which a busy machine distorts less.
#[derive(Debug, Clone, Copy)]
pub struct Phase {
    pub name: &'static str,
    pub wall: Duration,
    pub cpu: Duration,
}

/// Times consecutive phases.
#[derive(Debug, Clone, Copy)]
pub struct Stopwatch {
    wall: Instant,
    cpu: Duration,
}

impl Stopwatch {
    pub fn start() -> Self {
        Stopwatch {
            wall: Instant::now(),
            cpu: process_cpu(),
        }
    }

    /// The phase since the start or the last lap, named `name`.
    pub fn lap(&mut self, name: &'static str) -> Phase {
        let now = Stopwatch::start();
        let phase = Phase {
            name,
            wall: now.wall - self.wall,
            cpu: now.cpu.saturating_sub(self.cpu),
        };
        *self = now;
        phase
    }
}

/// CPU time used by this process so far, all threads.
fn process_cpu() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    Duration::new(
        u64::try_from(t.tv_sec).unwrap_or(0),
        u32::try_from(t.tv_nsec).unwrap_or(0),
    )
}

/// The file name a URL path is exported as: pages become `path/index.html`
/// (so `/about` resolves as on the server), other documents keep their name.
pub fn file_for(
    path: &str,
    kind: crate::server::documents::DocKind,
) -> Result<String, ExportError> {
    use crate::server::documents::DocKind;
    let rel = path.trim_start_matches('/');
    let file = match kind {
        DocKind::Page if rel.is_empty() => "index.html".to_string(),
        DocKind::Page => format!("{}/index.html", rel.trim_end_matches('/')),
        DocKind::File => rel.to_string(),
    };
    tree::check_relative(&file)?;
    Ok(file)
}

/// Exports the site that `state` serves into `options.out`.
pub async fn export(state: AppState, options: &Options) -> Result<Report, ExportError> {
    let started = Instant::now();
    let site_root = PathBuf::from(&*state.leptos_options.site_root);
    let pkg = site_root.join(&*state.leptos_options.site_pkg_dir);
    if !pkg.is_dir() {
        return Err(ExportError::NoSiteRoot(site_root));
    }
    let out = tree::prepare(
        &options.out,
        &options.content_dir,
        &site_root,
        options.force,
    )?;

    let mut report = Report::default();
    let mut clock = Stopwatch::start();
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    // Built assets and public files first: a page at the same path wins, as
    // on the server, whose routes come before its static files.
    for (rel, bytes) in tree::read_site_root(&site_root)? {
        files.insert(rel, bytes);
    }
    let site = state.store.snapshot();
    report.phases.push(clock.lap("site files"));
    let mut rendered = render::render_all(state.clone(), &files).await?;
    report.phases.extend(rendered.phases.iter().copied());
    clock = Stopwatch::start();
    // The bodies move into the file list (the rules need only the headers):
    // copying them was ~1 GB of memcpy at 10,000 posts.
    for doc in &mut rendered.documents {
        files.insert(doc.file.clone(), std::mem::take(&mut doc.body));
        if doc.kind == crate::server::documents::DocKind::Page {
            report.pages += 1;
        }
    }
    let redirects = rules::redirects(&site, &files, &state.settings.info);
    report.redirects = redirects.rules.len();
    report.skipped = redirects.skipped.clone();
    files.insert(rules::REDIRECTS_FILE.into(), redirects.file().into_bytes());
    if options.meta_redirects {
        for (file, page) in redirects.meta_pages(&files) {
            files.insert(file, page.into_bytes());
        }
    }
    let headers = rules::headers(&rendered);
    report.warnings.extend(headers.warnings.iter().cloned());
    report.warnings.extend(redirects.warnings());
    files.insert(rules::HEADERS_FILE.into(), headers.file.into_bytes());
    files.insert(
        rules::NETLIFY_FILE.into(),
        rules::netlify_toml().into_bytes(),
    );
    // GitHub Pages would otherwise run Jekyll, which skips `_`-prefixed names.
    files.insert(".nojekyll".into(), Vec::new());
    report.phases.push(clock.lap("rules"));
    for (rel, bytes) in search_index::files(&site) {
        files.insert(rel, bytes);
    }
    report.phases.push(clock.lap("search index"));

    let written = tree::write(&out, &files, options.force)?;
    report.phases.push(clock.lap("writing"));
    report.files = files.len();
    report.written = written.written;
    report.unchanged = written.unchanged;
    report.removed = written.removed;
    report.elapsed = started.elapsed();
    Ok(report)
}
