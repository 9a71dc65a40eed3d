//! Front matter: YAML between `---` lines (the existing content's format) or
//! TOML between `+++` lines. Unknown keys are errors so typos never pass silently.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

/// A date as written: a YAML string, or a TOML date/datetime literal.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum RawDate {
    Text(String),
    Toml(toml::value::Datetime),
}

impl RawDate {
    fn as_text(&self) -> String {
        match self {
            RawDate::Text(s) => s.trim().to_string(),
            RawDate::Toml(d) => d.to_string(),
        }
    }

    /// `YYYY-MM-DD` or RFC 3339; the calendar day is what the site shows.
    pub fn parse(&self) -> Result<NaiveDate, String> {
        let text = self.as_text();
        NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .or_else(|_| DateTime::parse_from_rfc3339(&text).map(|d| d.date_naive()))
            .map_err(|_| format!("invalid date `{text}`: expected YYYY-MM-DD or RFC 3339"))
    }

    /// The instant the date names: RFC 3339 as written, a bare `YYYY-MM-DD`
    /// as the start of that day in UTC. Decides when a post is published.
    pub fn instant(&self) -> Result<DateTime<Utc>, String> {
        let text = self.as_text();
        DateTime::parse_from_rfc3339(&text)
            .map(|d| d.with_timezone(&Utc))
            .or_else(|_| {
                NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                    .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc())
            })
            .map_err(|_| format!("invalid date `{text}`: expected YYYY-MM-DD or RFC 3339"))
    }
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub date: Option<RawDate>,
    pub updated: Option<RawDate>,
    #[serde(default)]
    pub draft: bool,
    #[serde(default)]
    pub tags: Vec<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub slug: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub lang: Option<String>,
    /// Name of the series the post belongs to; parts are ordered by date.
    pub series: Option<String>,
    /// Who wrote the post; default: the site's author (`SITE_AUTHOR`).
    pub author: Option<String>,
    /// Social-card image: a site path, an absolute URL, or a file next to
    /// the post in its page bundle.
    pub image: Option<String>,
}

/// Which syntax the front matter used; also tells how to find a key's line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Toml,
}

/// A document split into its parts, with line numbers kept for diagnostics.
#[derive(Debug, Clone)]
pub struct Split<'a> {
    pub format: Format,
    pub front: &'a str,
    /// 1-based file line of the first front-matter line.
    pub front_line: usize,
    pub body: &'a str,
    /// Lines of the file that precede the body.
    pub body_line_offset: usize,
}

/// A front-matter problem at a 1-based line of the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FrontMatterError {
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl FrontMatterError {
    fn at(line: usize, message: impl Into<String>) -> Self {
        FrontMatterError {
            line,
            col: 1,
            message: message.into(),
        }
    }
}

/// Splits `text` (BOM and CRLF already removed) at its front-matter fences.
pub fn split(text: &str) -> Result<Split<'_>, FrontMatterError> {
    let (format, fence) = if text.starts_with("---\n") || text == "---" {
        (Format::Yaml, "---")
    } else if text.starts_with("+++\n") || text == "+++" {
        (Format::Toml, "+++")
    } else if text.trim().is_empty() {
        return Err(FrontMatterError::at(
            1,
            "empty file: expected front matter with a title",
        ));
    } else {
        return Err(FrontMatterError::at(
            1,
            "missing front matter: the file must start with `---` (YAML) or `+++` (TOML)",
        ));
    };
    let start = fence.len() + 1;
    let mut offset = start.min(text.len());
    for (line, l) in (2..).zip(text[offset..].split_inclusive('\n')) {
        let trimmed = l.trim_end();
        if trimmed == fence || (format == Format::Yaml && trimmed == "...") {
            return Ok(Split {
                format,
                front: &text[start.min(text.len())..offset],
                front_line: 2,
                body: &text[offset + l.len()..],
                body_line_offset: line,
            });
        }
        offset += l.len();
    }
    Err(FrontMatterError::at(
        1,
        format!("front matter opened with `{fence}` is never closed"),
    ))
}

/// Parses the front matter; errors point at the file line of the problem.
pub fn parse(split: &Split<'_>) -> Result<FrontMatter, FrontMatterError> {
    match split.format {
        Format::Yaml => {
            if split.front.trim().is_empty() {
                return Ok(FrontMatter::default());
            }
            serde_saphyr::from_str::<FrontMatter>(split.front).map_err(|e| {
                let (line, col) = e
                    .location()
                    .map(|l| (l.line() as usize, l.column() as usize))
                    .unwrap_or((1, 1));
                FrontMatterError {
                    line: split.front_line + line.saturating_sub(1),
                    col: col.max(1),
                    message: first_line(&e.to_string()),
                }
            })
        }
        Format::Toml => toml::from_str::<FrontMatter>(split.front).map_err(|e| {
            let (line, col) = e
                .span()
                .map(|s| position(split.front, s.start))
                .unwrap_or((1, 1));
            FrontMatterError {
                line: split.front_line + line - 1,
                col,
                message: first_line(e.message()),
            }
        }),
    }
}

/// The file line where `key` is set, for errors about its value.
pub fn key_line(split: &Split<'_>, key: &str) -> usize {
    split
        .front
        .lines()
        .position(|l| {
            let l = l.trim_start();
            l.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with([':', '=']))
        })
        .map_or(1, |i| split.front_line + i)
}

fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, col)
}

/// serde-saphyr renders a source snippet under its message; a diagnostic wants
/// only the message, without the position it already carries.
fn first_line(message: &str) -> String {
    let mut line = message.lines().next().unwrap_or(message).trim();
    line = line.strip_prefix("error:").unwrap_or(line).trim_start();
    // `line 3 column 1: unknown field …`
    if let Some(rest) = line.strip_prefix("line ") {
        if let Some((_, msg)) = rest.split_once(": ") {
            line = msg;
        }
    }
    match line.find(" at line ") {
        Some(i) => line[..i].to_string(),
        None => line.to_string(),
    }
}
