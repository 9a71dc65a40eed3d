//! Settings from the environment (12-factor), validated once at startup.

use std::path::PathBuf;

use crate::markdown::emoji::DEFAULT_EMOJI_BASE_URL;

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
    /// `CACHE_DIR`: where the render cache lives (`None`: no cache on disk).
    pub cache_dir: Option<PathBuf>,
}

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
        Ok(Config {
            cache_dir: get("CACHE_DIR")
                .filter(|s| !s.trim().is_empty())
                .map(PathBuf::from),
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
        assert_eq!(with(&[]).map(|c| c.posts_per_page), Ok(10));
        assert_eq!(
            with(&[("POSTS_PER_PAGE", "3")]).map(|c| c.posts_per_page),
            Ok(3)
        );
        for bad in ["0", "101", "ten"] {
            assert_eq!(
                with(&[("POSTS_PER_PAGE", bad)]).map(|c| c.posts_per_page),
                Err(ConfigError::PostsPerPage(bad.into()))
            );
        }
    }

    #[test]
    fn header_timeout_is_bounded() {
        assert_eq!(
            with(&[]).map(|c| c.header_timeout),
            Ok(std::time::Duration::from_secs(10))
        );
        assert_eq!(
            with(&[("HEADER_TIMEOUT_SECS", "2")]).map(|c| c.header_timeout),
            Ok(std::time::Duration::from_secs(2))
        );
        for bad in ["0", "301", "soon"] {
            assert_eq!(
                with(&[("HEADER_TIMEOUT_SECS", bad)]).map(|c| c.header_timeout),
                Err(ConfigError::HeaderTimeout(bad.into()))
            );
        }
    }

    #[test]
    fn content_watch_values() {
        assert_eq!(with(&[]).map(|c| c.content_watch), Ok(None));
        assert_eq!(
            with(&[("CONTENT_WATCH", "1")]).map(|c| c.content_watch),
            Ok(Some(true))
        );
        assert_eq!(
            with(&[("CONTENT_WATCH", "off")]).map(|c| c.content_watch),
            Ok(Some(false))
        );
        assert_eq!(
            with(&[("CONTENT_WATCH", "maybe")]).map(|c| c.content_watch),
            Err(ConfigError::ContentWatch("maybe".into()))
        );
    }

    #[test]
    fn shutdown_grace_is_bounded() {
        let secs = |v: &[(&str, &str)]| with(v).map(|c| c.shutdown_grace.as_secs());
        assert_eq!(secs(&[]), Ok(10));
        assert_eq!(secs(&[("SHUTDOWN_GRACE_SECS", "3")]), Ok(3));
        assert_eq!(
            secs(&[("SHUTDOWN_GRACE_SECS", "301")]),
            Err(ConfigError::ShutdownGrace("301".into()))
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
