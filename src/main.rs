//! The `microblog` binary: `serve` (default) runs the site, `check` lints content.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use microblog::content::{ContentStore, LoadOptions, RenderCache, Site};
use microblog::markdown::EmojiRenderer;
use microblog::server::config::Config;
use microblog::server::watch::{self, LiveReload};
use microblog::server::{assemble, metrics_router, AppState, SiteSettings};

#[derive(Parser)]
#[command(
    version,
    about = "A Leptos microblog for SRE, DevOps and MLOps writing"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the site (the default).
    Serve,
    /// Exit 0 when the server on LEPTOS_SITE_ADDR answers /healthz (for
    /// container HEALTHCHECKs: the runtime image has no curl).
    Healthcheck,
    /// Write the whole site into OUT as files for a static host (Netlify,
    /// Cloudflare Pages, GitHub Pages, S3). Needs the built site
    /// (LEPTOS_SITE_ROOT, default target/site); SITE_URL sets absolute URLs.
    Export {
        /// Output folder: missing, empty, or an earlier export.
        out: PathBuf,
        /// Replace the contents of a non-empty OUT.
        #[arg(long)]
        force: bool,
        /// Also write a meta-refresh page at every old URL (hosts without
        /// redirect rules: GitHub Pages, S3).
        #[arg(long)]
        meta_redirects: bool,
    },
    /// Load all content, print every diagnostic, exit 1 on any error.
    Check {
        /// Content folder; defaults to $CONTENT_DIR, then `content`.
        #[arg(long)]
        content_dir: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    // Before any thread starts: threads pick their arena on first use.
    microblog::content::limit_malloc_arenas();
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("microblog: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    match cli.command.unwrap_or(Command::Serve) {
        Command::Check { content_dir } => check(&config, content_dir),
        Command::Serve => serve(config),
        Command::Healthcheck => healthcheck(),
        Command::Export {
            out,
            force,
            meta_redirects,
        } => export(
            config,
            microblog::export::Options {
                out,
                force,
                meta_redirects,
                content_dir: PathBuf::new(),
            },
        ),
    }
}

fn load_options(config: &Config) -> LoadOptions {
    LoadOptions {
        emoji: EmojiRenderer::new(&config.emoji_base_url),
        now: None,
    }
}

fn check(config: &Config, dir: Option<PathBuf>) -> ExitCode {
    let dir = dir.unwrap_or_else(|| config.content_dir.clone());
    let site = match Site::load(&dir, &load_options(config)) {
        Ok(site) => site,
        Err(e) => {
            eprintln!("microblog: {e}");
            return ExitCode::from(2);
        }
    };
    let mut out = std::io::stdout().lock();
    let root = dir.display().to_string();
    for d in site.diagnostics() {
        // Paths are shown as the user can open them: content dir + relative path.
        let _ = writeln!(out, "{}/{d}", root.trim_end_matches('/'));
    }
    for s in site.scheduled() {
        let _ = writeln!(
            out,
            "{}/{}: scheduled: `{}` goes live at {}",
            root.trim_end_matches('/'),
            microblog::escape::log_text(&s.path),
            microblog::escape::log_text(&s.title),
            s.at_rfc3339()
        );
    }
    let _ = writeln!(
        out,
        "{} posts, {} drafts, {} glossary terms: {} errors, {} warnings",
        site.posts().len(),
        site.drafts(),
        site.glossary().map_or(0, |g| g.terms.len()),
        site.error_count(),
        site.warning_count()
    );
    if site.error_count() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn healthcheck() -> ExitCode {
    use std::io::Read;
    let addr = std::env::var("LEPTOS_SITE_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".into());
    // A server bound to every interface is reached on loopback.
    let addr = addr.replace("0.0.0.0", "127.0.0.1");
    let ask = || -> std::io::Result<bool> {
        let timeout = Some(std::time::Duration::from_secs(3));
        let mut stream = std::net::TcpStream::connect(&addr)?;
        stream.set_read_timeout(timeout)?;
        stream.set_write_timeout(timeout)?;
        write!(
            stream,
            "GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )?;
        let mut reply = String::new();
        stream.read_to_string(&mut reply)?;
        Ok(reply.starts_with("HTTP/1.1 200"))
    };
    match ask() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => startup_error("healthcheck: /healthz did not answer 200"),
        Err(e) => startup_error(format_args!("healthcheck: {addr}: {e}")),
    }
}

/// A startup problem: one line on stderr, exit code 2.
fn startup_error(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("microblog: {message}");
    ExitCode::from(2)
}

/// Leptos' settings from the environment, as `serve` and `export` use them.
fn leptos_options() -> Result<leptos::config::LeptosOptions, String> {
    // cargo-leptos bakes the output name into its builds; a plain `cargo build`
    // does not, so default it here, before any thread exists.
    if std::env::var_os("LEPTOS_OUTPUT_NAME").is_none()
        && option_env!("LEPTOS_OUTPUT_NAME").is_none()
    {
        // SAFETY: single-threaded at this point; nothing else reads the environment.
        std::env::set_var("LEPTOS_OUTPUT_NAME", "microblog");
    }
    let mut leptos_options = leptos::config::get_configuration(None)
        .map_err(|e| format!("configuration error: {}", e.to_string().replace('\n', " ")))?
        .leptos_options;
    // A release build from cargo-leptos names its assets by content hash and
    // lists them in hash.txt beside the binary; use them when present.
    if std::env::var_os("LEPTOS_HASH_FILES").is_none() {
        leptos_options.hash_files = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|d| d.join(&*leptos_options.hash_file)))
            .is_some_and(|p| p.is_file());
    }
    Ok(leptos_options)
}

fn serve(config: Config) -> ExitCode {
    // Everything the environment decides is checked before logging starts, so
    // a bad setting is one readable line, not a log record.
    let leptos_options = match leptos_options() {
        Ok(o) => o,
        Err(e) => return startup_error(e),
    };
    let _log_writer = microblog::server::logging::init(config.log_format);
    // A warm start reuses what the last run built from unchanged files.
    let render_cache = config.cache_dir.as_deref().map(RenderCache::new);
    let cache_started = std::time::Instant::now();
    let cached = render_cache.as_ref().and_then(|c| match c.load() {
        Ok(site) => Some(site),
        Err(e) => {
            tracing::warn!("render cache not used, loading cold: {e}");
            None
        }
    });
    let cache_ms = cache_started.elapsed().as_secs_f64() * 1000.0;
    let watching = config
        .content_watch
        .unwrap_or(leptos_options.env == leptos::config::Env::DEV);
    // The watcher keeps the files read, to serve the last good version of
    // any that breaks later.
    let options = load_options(&config);
    let loaded = if watching {
        Site::load_with_sources(&config.content_dir, &options, cached.as_ref())
            .map(|(site, sources)| (site, Some(sources)))
    } else {
        Site::reload(&config.content_dir, &options, cached.as_ref()).map(|site| (site, None))
    };
    let (site, sources) = match loaded {
        Ok(loaded) => loaded,
        Err(e) => return startup_error(format_args!("CONTENT_DIR: {e}")),
    };
    // The cached builds not taken are garbage now: give their memory back.
    drop(cached);
    microblog::content::release_free_memory();
    for d in site.diagnostics() {
        match d.severity {
            microblog::markdown::Severity::Error => tracing::error!("{d}"),
            microblog::markdown::Severity::Warning => tracing::warn!("{d}"),
        }
    }
    tracing::info!(
        dir = %config.content_dir.display(),
        posts = site.posts().len(),
        drafts = site.drafts(),
        terms = site.glossary().map_or(0, |g| g.terms.len()),
        errors = site.error_count(),
        warnings = site.warning_count(),
        files_reused = site.reused(),
        load_ms = site.load_duration().as_secs_f64() * 1000.0,
        cache_read_ms = cache_ms,
        phases = %site.phases(),
        "content loaded"
    );
    // The search index is built on its own thread once the store holds the
    // snapshot (`ContentStore::new`): serving starts without waiting for it,
    // and a query that comes first waits off the request workers.
    let addr = leptos_options.site_addr;
    let dev = leptos_options.env == leptos::config::Env::DEV;
    let (reused, built) = (site.reused(), site.files());
    let store = ContentStore::new(site);
    let saver = render_cache.and_then(microblog::server::persist::Saver::spawn);
    // Nothing to write when every file came from the cache.
    if let Some(saver) = saver.as_ref().filter(|_| reused < built) {
        saver.save(store.snapshot());
    }
    let state = AppState {
        leptos_options,
        store: store.clone(),
        settings: std::sync::Arc::new(SiteSettings::from_config(&config, watching, dev)),
        live: watching.then(LiveReload::new),
        readiness: Default::default(),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        // Built before the watcher, which publishes reloads through its cache.
        let assembled = assemble(state.clone());
        // Held for the life of the server: dropping it stops the watch.
        let _watch = match (&state.live, sources) {
            (Some(live), Some(sources)) => match watch::spawn(
                config.content_dir.clone(),
                load_options(&config),
                store,
                live.clone(),
                sources,
                Some(assembled.warmer.clone()),
                saver.clone(),
            ) {
                Ok(guard) => {
                    tracing::info!(dir = %config.content_dir.display(), "watching content for changes");
                    Some(guard)
                }
                Err(e) => {
                    tracing::error!("cannot watch {}: {e}", config.content_dir.display());
                    return ExitCode::from(2);
                }
            },
            _ => None,
        };
        // Publishes scheduled posts at their time; stops with the runtime.
        let _publisher = microblog::server::schedule::spawn(
            config.content_dir.clone(),
            load_options(&config),
            state.store.clone(),
            microblog::server::schedule::Publishing {
                warmer: Some(assembled.warmer.clone()),
                saver,
            },
        );
        let listener = match tokio::net::TcpListener::bind(addr).await {
            Ok(l) => l,
            Err(e) => {
                tracing::error!("cannot listen on {addr}: {e}");
                return ExitCode::from(2);
            }
        };
        tracing::info!("listening on http://{addr}");
        if let Some(metrics_addr) = config.metrics_addr {
            let listener = match tokio::net::TcpListener::bind(metrics_addr).await {
                Ok(l) => l,
                Err(e) => {
                    tracing::error!("cannot listen on METRICS_ADDR {metrics_addr}: {e}");
                    return ExitCode::from(2);
                }
            };
            tracing::info!("metrics on http://{metrics_addr}{}", microblog::server::METRICS_PATH);
            let metrics = metrics_router(state.clone());
            // Ends with the process: a scrape during the drain still answers.
            tokio::spawn(microblog::server::listen::serve(
                listener,
                metrics,
                config.header_timeout,
                std::future::pending(),
            ));
        }
        let readiness = state.readiness.clone();
        // Hits answered before routing (`cache::Front`).
        let app = assembled.front;
        let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
        let drain = config.shutdown_drain;
        let serving = microblog::server::listen::serve(listener, app, config.header_timeout, async move {
            shutdown_signal().await;
            // Load balancers probing /readyz see 503 from this moment; the
            // listener keeps accepting for `drain` while they notice.
            readiness.drain();
            if !drain.is_zero() {
                tracing::info!(drain_s = drain.as_secs_f64(), "draining: /readyz answers 503, still serving");
                tokio::time::sleep(drain).await;
            }
            let _ = stop_tx.send(true);
        });
        // In-flight requests get `grace` to finish after the signal; long-lived
        // ones (event streams) do not hold the process past it.
        let grace = config.shutdown_grace;
        let deadline = async move {
            let _ = stop_rx.wait_for(|stopped| *stopped).await;
            tokio::time::sleep(grace).await;
        };
        tokio::select! {
            () = serving => {
                tracing::info!("shut down cleanly");
                ExitCode::SUCCESS
            }
            () = deadline => {
                tracing::warn!(grace_s = grace.as_secs_f64(), "requests still open after the grace period; exiting");
                ExitCode::SUCCESS
            }
        }
    })
}

/// Resolves on SIGINT or SIGTERM so in-flight requests can finish.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown signal received");
}

/// `microblog export OUT`: one line of summary on success; a problem with
/// OUT is one line on stderr and exit code 2.
fn export(config: Config, mut options: microblog::export::Options) -> ExitCode {
    let leptos_options = match leptos_options() {
        Ok(o) => o,
        Err(e) => return startup_error(e),
    };
    options.content_dir = config.content_dir.clone();
    let mut loading = microblog::export::Stopwatch::start();
    let site = match Site::load(&config.content_dir, &load_options(&config)) {
        Ok(site) => site,
        Err(e) => return startup_error(format_args!("CONTENT_DIR: {e}")),
    };
    let load = loading.lap("content");
    // Content problems are reported as `check` does; the site is exported
    // with the broken files left out, as the server would serve it.
    let root = config.content_dir.display().to_string();
    for d in site.diagnostics() {
        eprintln!("{}/{d}", root.trim_end_matches('/'));
    }
    // Only warnings: the per-request access log is not wanted here.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("warn"))
        .with_writer(std::io::stderr)
        .init();
    let state = AppState {
        leptos_options,
        store: ContentStore::new(site),
        settings: std::sync::Arc::new(SiteSettings::from_config(&config, false, false)),
        live: None,
        readiness: Default::default(),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return startup_error(format_args!("cannot start the async runtime: {e}")),
    };
    match runtime.block_on(microblog::export::export(state, &options)) {
        Ok(report) => {
            for w in report.skipped.iter().chain(&report.warnings) {
                eprintln!("microblog: warning: {w}");
            }
            // Where the time went: loading the content, then the export's phases.
            let phases: Vec<String> = std::iter::once(&load)
                .chain(&report.phases)
                .map(|p| {
                    format!(
                        "{} {:.2}/{:.2}",
                        p.name,
                        p.wall.as_secs_f64(),
                        p.cpu.as_secs_f64()
                    )
                })
                .collect();
            println!(
                "exported {} files ({} pages, {} redirects) to {}: {} written, {} unchanged, {} removed, in {:.2} s (wall/CPU s: {})",
                report.files,
                report.pages,
                report.redirects,
                options.out.display(),
                report.written,
                report.unchanged,
                report.removed,
                report.elapsed.as_secs_f64(),
                phases.join(", ")
            );
            ExitCode::SUCCESS
        }
        Err(e) if e.is_usage() => startup_error(format_args!("export: {e}")),
        Err(e) => {
            eprintln!("microblog: export: {e}");
            ExitCode::FAILURE
        }
    }
}
