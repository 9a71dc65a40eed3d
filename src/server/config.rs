//! Settings from the environment (12-factor), validated once at startup.

use std::path::PathBuf;

use crate::markdown::emoji::DEFAULT_EMOJI_BASE_URL;

/// Author of posts that name none, until `SITE_AUTHOR` says otherwise: the
/// site's name, which is what the feeds and JSON-LD said before authors.
pub const DEFAULT_AUTHOR: &str = crate::model::SITE_NAME;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub content_dir: PathBuf,
    /// Absolute base URL of the public site, without a trailing `/`.
    pub site_url: String,
    pub emoji_base_url: String,
    pub log_format: LogFormat,
    /// Posts per home-list page (`/`, `/page/2`, …).
    pub posts_per_page: usize,
    /// `CONTENT_WATCH`: `None` means "on in development only".
    pub content_watch: Option<bool>,
    /// How long in-flight requests may run after SIGTERM/SIGINT.
    pub shutdown_grace: std::time::Duration,
    /// `HEADER_TIMEOUT_SECS`: how long a client may take to send a request head.
    pub header_timeout: std::time::Duration,
    /// `SITE_AUTHOR`: the author of posts without an `author:` of their own.
    pub site_author: String,
    /// `CACHE_DIR`: where the render cache lives (`None`: no cache on disk).
    pub cache_dir: Option<PathBuf>,
    /// `METRICS_ADDR`: where `/metrics` is served, on a listener of its own
    /// so the public site port never exposes it. `None` (unset, empty or
    /// `off`): no metrics listener.
    pub metrics_addr: Option<std::net::SocketAddr>,
    /// `SHUTDOWN_DRAIN_SECS`: after SIGTERM, how long the listener keeps
    /// accepting (with `/readyz` at 503) before it closes.
    pub shutdown_drain: std::time::Duration,
    /// `CACHE_CONTROL`: sent with pages and feeds.
    pub cache_control: String,
    /// `PAGE_CACHE_ENTRIES` / `PAGE_CACHE_MB`: the rendered-page cache budget.
    pub page_cache: crate::server::cache::Limits,
    /// `SEARCH_CACHE_ENTRIES`: most search answers held (0: none).
    pub search_cache: usize,
    /// `CARD_CACHE_MB`: most bytes of drawn social cards held (0: none).
    pub card_cache: usize,
}

/// What pages and feeds may be cached for: a minute fresh, then served stale
/// for up to ten while a CDN revalidates. Every reader gets the same bytes.
pub const DEFAULT_CACHE_CONTROL: &str = "public, max-age=60, stale-while-revalidate=600";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("{name} must be an absolute http(s) URL, got `{value}`")]
    NotAbsoluteUrl { name: &'static str, value: String },
    #[error("LOG_FORMAT must be `pretty` or `json`, got `{0}`")]
    LogFormat(String),
    #[error("POSTS_PER_PAGE must be a whole number from 1 to 100, got `{0}`")]
    PostsPerPage(String),
    #[error("CONTENT_WATCH must be 1/true/on or 0/false/off, got `{0}`")]
    ContentWatch(String),
    #[error("SHUTDOWN_GRACE_SECS must be a whole number from 0 to 300, got `{0}`")]
    ShutdownGrace(String),
    #[error("HEADER_TIMEOUT_SECS must be a whole number from 1 to 300, got `{0}`")]
    HeaderTimeout(String),
    #[error("METRICS_ADDR must be `host:port` (e.g. `0.0.0.0:9090`) or `off`, got `{0}`")]
    MetricsAddr(String),
    #[error("SHUTDOWN_DRAIN_SECS must be a whole number from 0 to 300, got `{0}`")]
    ShutdownDrain(String),
    #[error("CACHE_CONTROL must be a valid header value (visible ASCII), got `{0}`")]
    CacheControl(String),
    #[error("{name} must be a whole number from {min} to {max}, got `{value}`")]
    OutOfRange {
        name: &'static str,
        min: u64,
        max: u64,
        value: String,
    },
}

/// A whole number from `min` to `max`, or `default` when unset or empty.
fn bounded(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    (min, max): (u64, u64),
    default: u64,
) -> Result<u64, ConfigError> {
    match get(name).filter(|v| !v.trim().is_empty()) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|n| (min..=max).contains(n))
            .ok_or(ConfigError::OutOfRange {
                name,
                min,
                max,
                value: v,
            }),
    }
}

fn absolute_url(name: &'static str, value: String) -> Result<String, ConfigError> {
    let ok = ["http://", "https://"].iter().any(|p| {
        value
            .strip_prefix(p)
            .is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'))
    });
    if ok {
        Ok(value.trim_end_matches('/').to_string())
    } else {
        Err(ConfigError::NotAbsoluteUrl { name, value })
    }
}

impl Config {
    /// Reads the settings through `get` (the process environment in `main`).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let log_format = match get("LOG_FORMAT").as_deref() {
            None | Some("") | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => return Err(ConfigError::LogFormat(other.to_string())),
        };
        let posts_per_page = match get("POSTS_PER_PAGE").filter(|v| !v.is_empty()) {
            None => 10,
            Some(v) => v
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=100).contains(n))
                .ok_or(ConfigError::PostsPerPage(v))?,
        };
        let content_watch = match get("CONTENT_WATCH").filter(|v| !v.is_empty()) {
            None => None,
            Some(v) => match v.to_ascii_lowercase().as_str() {
                "1" | "true" | "on" | "yes" => Some(true),
                "0" | "false" | "off" | "no" => Some(false),
                _ => return Err(ConfigError::ContentWatch(v)),
            },
        };
        let shutdown_grace = match get("SHUTDOWN_GRACE_SECS").filter(|v| !v.is_empty()) {
            None => std::time::Duration::from_secs(10),
            Some(v) => v
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|n| *n <= 300)
                .map(std::time::Duration::from_secs)
                .ok_or(ConfigError::ShutdownGrace(v))?,
        };
        let header_timeout = match get("HEADER_TIMEOUT_SECS").filter(|v| !v.is_empty()) {
            None => crate::server::listen::DEFAULT_HEADER_TIMEOUT,
            Some(v) => v
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|n| (1..=300).contains(n))
                .map(std::time::Duration::from_secs)
                .ok_or(ConfigError::HeaderTimeout(v))?,
        };
        let metrics_addr = match get("METRICS_ADDR").filter(|v| !v.trim().is_empty()) {
            None => None,
            Some(v) if v.trim().eq_ignore_ascii_case("off") => None,
            Some(v) => Some(
                v.trim()
                    .parse::<std::net::SocketAddr>()
                    .map_err(|_| ConfigError::MetricsAddr(v))?,
            ),
        };
        let shutdown_drain = match get("SHUTDOWN_DRAIN_SECS").filter(|v| !v.is_empty()) {
            None => std::time::Duration::ZERO,
            Some(v) => v
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|n| *n <= 300)
                .map(std::time::Duration::from_secs)
                .ok_or(ConfigError::ShutdownDrain(v))?,
        };
        let cache_control = match get("CACHE_CONTROL").filter(|v| !v.trim().is_empty()) {
            None => DEFAULT_CACHE_CONTROL.to_string(),
            Some(v) if v.bytes().all(|b| b == b' ' || b.is_ascii_graphic()) => v.trim().to_string(),
            Some(v) => return Err(ConfigError::CacheControl(v)),
        };
        let defaults = crate::server::cache::Limits::default();
        let page_cache = crate::server::cache::Limits {
            max_entries: bounded(
                &get,
                "PAGE_CACHE_ENTRIES",
                (0, 1_000_000),
                defaults.max_entries as u64,
            )? as usize,
            max_bytes: bounded(
                &get,
                "PAGE_CACHE_MB",
                (0, 65_536),
                (defaults.max_bytes / (1024 * 1024)) as u64,
            )? as usize
                * 1024
                * 1024,
        };
        let search_cache = bounded(
            &get,
            "SEARCH_CACHE_ENTRIES",
            (0, 100_000),
            crate::server::cache::answers::DEFAULT_ENTRIES as u64,
        )? as usize;
        let card_cache = bounded(
            &get,
            "CARD_CACHE_MB",
            (0, 65_536),
            crate::server::images::DEFAULT_CARD_CACHE_MB as u64,
        )? as usize
            * 1024
            * 1024;
        Ok(Config {
            card_cache,
            site_author: get("SITE_AUTHOR")
                .map(|a| a.trim().to_string())
                .filter(|a| !a.is_empty())
                .unwrap_or_else(|| DEFAULT_AUTHOR.to_string()),
            cache_dir: get("CACHE_DIR")
                .filter(|s| !s.trim().is_empty())
                .map(PathBuf::from),
            page_cache,
            search_cache,
            cache_control,
            shutdown_drain,
            metrics_addr,
            header_timeout,
            shutdown_grace,
            content_watch,
            posts_per_page,
            content_dir: get("CONTENT_DIR")
                .filter(|s| !s.is_empty())
                .map_or_else(|| PathBuf::from("content"), PathBuf::from),
            site_url: absolute_url(
                "SITE_URL",
                get("SITE_URL").unwrap_or_else(|| "http://127.0.0.1:3000".into()),
            )?,
            emoji_base_url: absolute_url(
                "EMOJI_BASE_URL",
                get("EMOJI_BASE_URL").unwrap_or_else(|| DEFAULT_EMOJI_BASE_URL.into()),
            )
            .or_else(|e| match get("EMOJI_BASE_URL") {
                // A site-relative folder (e.g. `/emoji`) is fine for self-hosting.
                Some(v) if v.starts_with('/') => Ok(v.trim_end_matches('/').to_string()),
                _ => Err(e),
            })?,
            log_format,
        })
    }

    pub fn from_env() -> Result<Config, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn with(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    /// What `field` reads with only `name` set to each case's value (`None`:
    /// unset), against the case's expected result.
    fn cases<T: PartialEq + std::fmt::Debug>(
        name: &str,
        field: fn(Config) -> T,
        cases: Vec<(Option<&str>, Result<T, ConfigError>)>,
    ) {
        for (value, expected) in cases {
            let vars: Vec<(&str, &str)> = value.map(|v| (name, v)).into_iter().collect();
            assert_eq!(with(&vars).map(field), expected, "{name}={value:?}");
        }
    }

    #[test]
    fn defaults_run_from_a_fresh_clone() {
        let c = with(&[]).expect("defaults are valid");
        assert_eq!(c.content_dir, PathBuf::from("content"));
        assert_eq!(c.site_url, "http://127.0.0.1:3000");
        assert_eq!(c.emoji_base_url, DEFAULT_EMOJI_BASE_URL);
        assert_eq!(c.log_format, LogFormat::Pretty);
    }

    #[test]
    fn site_url_must_be_absolute() {
        let err = with(&[("SITE_URL", "example.com")]).unwrap_err();
        assert_eq!(
            err,
            ConfigError::NotAbsoluteUrl {
                name: "SITE_URL",
                value: "example.com".into()
            }
        );
        let ok = with(&[("SITE_URL", "https://blog.example.com/")]).expect("valid");
        assert_eq!(ok.site_url, "https://blog.example.com");
    }

    #[test]
    fn emoji_base_may_be_self_hosted_folder() {
        let c = with(&[("EMOJI_BASE_URL", "/emoji/")]).expect("valid");
        assert_eq!(c.emoji_base_url, "/emoji");
        assert!(with(&[("EMOJI_BASE_URL", "emoji")]).is_err());
    }

    #[test]
    fn posts_per_page_is_bounded() {
        cases(
            "POSTS_PER_PAGE",
            |c| c.posts_per_page,
            vec![
                (None, Ok(10)),
                (Some("3"), Ok(3)),
                (Some("0"), Err(ConfigError::PostsPerPage("0".into()))),
                (Some("101"), Err(ConfigError::PostsPerPage("101".into()))),
                (Some("ten"), Err(ConfigError::PostsPerPage("ten".into()))),
            ],
        );
    }

    #[test]
    fn header_timeout_is_bounded() {
        use std::time::Duration;
        cases(
            "HEADER_TIMEOUT_SECS",
            |c| c.header_timeout,
            vec![
                (None, Ok(Duration::from_secs(10))),
                (Some("2"), Ok(Duration::from_secs(2))),
                (Some("0"), Err(ConfigError::HeaderTimeout("0".into()))),
                (Some("301"), Err(ConfigError::HeaderTimeout("301".into()))),
                (Some("soon"), Err(ConfigError::HeaderTimeout("soon".into()))),
            ],
        );
    }

    #[test]
    fn metrics_listener_is_off_unless_asked_for() {
        cases(
            "METRICS_ADDR",
            |c| c.metrics_addr,
            vec![
                (None, Ok(None)),
                (Some(""), Ok(None)),
                (Some("off"), Ok(None)),
                (Some("0.0.0.0:9090"), Ok(Some(([0, 0, 0, 0], 9090).into()))),
                (Some("9090"), Err(ConfigError::MetricsAddr("9090".into()))),
            ],
        );
    }

    #[test]
    fn shutdown_drain_is_off_by_default_and_bounded() {
        cases(
            "SHUTDOWN_DRAIN_SECS",
            |c| c.shutdown_drain.as_secs(),
            vec![
                (None, Ok(0)),
                (Some("5"), Ok(5)),
                (Some("-1"), Err(ConfigError::ShutdownDrain("-1".into()))),
            ],
        );
    }

    #[test]
    fn cache_control_has_a_cdn_friendly_default() {
        cases(
            "CACHE_CONTROL",
            |c| c.cache_control,
            vec![
                (
                    None,
                    Ok("public, max-age=60, stale-while-revalidate=600".to_string()),
                ),
                (Some("no-cache"), Ok("no-cache".to_string())),
                (
                    Some("public\nmax-age=1"),
                    Err(ConfigError::CacheControl("public\nmax-age=1".into())),
                ),
            ],
        );
    }

    #[test]
    fn page_cache_budget_comes_from_the_environment() {
        let limits = |v: &[(&str, &str)]| with(v).map(|c| c.page_cache);
        assert_eq!(limits(&[]), Ok(crate::server::cache::Limits::default()));
        assert_eq!(
            limits(&[("PAGE_CACHE_ENTRIES", "100"), ("PAGE_CACHE_MB", "8")]),
            Ok(crate::server::cache::Limits {
                max_entries: 100,
                max_bytes: 8 * 1024 * 1024,
            })
        );
        assert_eq!(
            limits(&[("PAGE_CACHE_ENTRIES", "0"), ("PAGE_CACHE_MB", "0")]),
            Ok(crate::server::cache::Limits::DISABLED)
        );
        assert_eq!(
            limits(&[("PAGE_CACHE_MB", "lots")]),
            Err(ConfigError::OutOfRange {
                name: "PAGE_CACHE_MB",
                min: 0,
                max: 65_536,
                value: "lots".into()
            })
        );
    }

    #[test]
    fn card_cache_budget_comes_from_the_environment() {
        let bytes = |v: &[(&str, &str)]| with(v).map(|c| c.card_cache);
        assert_eq!(
            bytes(&[]),
            Ok(crate::server::images::DEFAULT_CARD_CACHE_MB * 1024 * 1024)
        );
        assert_eq!(bytes(&[("CARD_CACHE_MB", "0")]), Ok(0));
        assert_eq!(bytes(&[("CARD_CACHE_MB", "8")]), Ok(8 * 1024 * 1024));
        assert_eq!(
            bytes(&[("CARD_CACHE_MB", "-1")]),
            Err(ConfigError::OutOfRange {
                name: "CARD_CACHE_MB",
                min: 0,
                max: 65_536,
                value: "-1".into()
            })
        );
    }

    #[test]
    fn search_cache_budget_comes_from_the_environment() {
        let entries = |v: &[(&str, &str)]| with(v).map(|c| c.search_cache);
        assert_eq!(
            entries(&[]),
            Ok(crate::server::cache::answers::DEFAULT_ENTRIES)
        );
        assert_eq!(entries(&[("SEARCH_CACHE_ENTRIES", "0")]), Ok(0));
        assert_eq!(entries(&[("SEARCH_CACHE_ENTRIES", " 64 ")]), Ok(64));
        assert_eq!(
            entries(&[("SEARCH_CACHE_ENTRIES", "100001")]),
            Err(ConfigError::OutOfRange {
                name: "SEARCH_CACHE_ENTRIES",
                min: 0,
                max: 100_000,
                value: "100001".into()
            })
        );
    }

    #[test]
    fn content_watch_values() {
        cases(
            "CONTENT_WATCH",
            |c| c.content_watch,
            vec![
                (None, Ok(None)),
                (Some("1"), Ok(Some(true))),
                (Some("off"), Ok(Some(false))),
                (
                    Some("maybe"),
                    Err(ConfigError::ContentWatch("maybe".into())),
                ),
            ],
        );
    }

    #[test]
    fn shutdown_grace_is_bounded() {
        cases(
            "SHUTDOWN_GRACE_SECS",
            |c| c.shutdown_grace.as_secs(),
            vec![
                (None, Ok(10)),
                (Some("3"), Ok(3)),
                (Some("301"), Err(ConfigError::ShutdownGrace("301".into()))),
            ],
        );
    }

    #[test]
    fn log_format_is_checked() {
        assert_eq!(
            with(&[("LOG_FORMAT", "json")]).map(|c| c.log_format),
            Ok(LogFormat::Json)
        );
        assert_eq!(
            with(&[("LOG_FORMAT", "xml")]).map(|c| c.log_format),
            Err(ConfigError::LogFormat("xml".into()))
        );
    }
}
