//! Content diagnostics: a problem with the file, line and column it comes
//! from, and the one-line form logs and `microblog check` print. Every step of
//! a load (reading, parsing, building, the glossary, related posts) reports
//! through [`diag`], so the shape is decided here once.

use std::fmt;

use crate::markdown::Severity;

/// A content problem with the file and position it comes from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    /// Content-relative path, `/`-separated (e.g. `posts/netlify.md`).
    pub path: String,
    pub line: usize,
    pub col: usize,
    pub severity: Severity,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        // Messages quote content (a slug, a tag, a ref target): keep each
        // diagnostic on one line in logs and `check` output.
        write!(
            f,
            "{}:{}:{}: {level}: {}",
            crate::escape::log_text(&self.path),
            self.line,
            self.col,
            crate::escape::log_text(&self.message)
        )
    }
}

/// A diagnostic at `line`:`col` of the content file `path`.
pub(super) fn diag(
    path: &str,
    line: usize,
    col: usize,
    severity: Severity,
    message: impl Into<String>,
) -> Diagnostic {
    Diagnostic {
        path: path.to_string(),
        line,
        col,
        severity,
        message: message.into(),
    }
}
