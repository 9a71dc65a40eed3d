//! Hugo's `{{< ref "x.md" >}}` / `{{< relref "x.md#a" >}}` (and `{{% %}}`),
//! expanded on the raw text before parsing.

use super::positions::Edit;
use super::{Severity, BROKEN_REF};

/// A problem at a byte offset of the text given to [`expand`].
pub type Problem = (usize, Severity, String);

/// Why a reference target could not be turned into a URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum ResolveError {
    #[error("no page `{0}` in the content folder")]
    NotFound(String),
    #[error("`{0}` points outside the content folder, and no page has that file name")]
    EscapesRoot(String),
    #[error("`{target}` is ambiguous: it matches {}", .candidates.join(", "))]
    Ambiguous {
        target: String,
        candidates: Vec<String>,
    },
}

/// Maps a content file (as written in the shortcode) to the URL of its page.
pub trait RefResolver {
    /// `from` is the content-relative path of the referring file, `target` the
    /// path as written (no `#fragment`).
    fn resolve(&self, from: &str, target: &str) -> Result<String, ResolveError>;
}

/// A resolver that knows no pages: every reference is broken. For tests and
/// documents rendered outside a site.
pub struct NoPages;

impl RefResolver for NoPages {
    fn resolve(&self, _from: &str, target: &str) -> Result<String, ResolveError> {
        Err(ResolveError::NotFound(target.to_string()))
    }
}

/// Joins `target` onto the directory of `from` and normalises `.`/`..`.
/// `None` when the result would climb above the content root.
pub fn join_relative(from: &str, target: &str) -> Option<String> {
    let mut parts: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        let mut dir: Vec<&str> = from.split('/').collect();
        dir.pop();
        dir
    };
    for seg in target.split(['/', '\\']) {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

struct Shortcode<'s> {
    /// Byte range of the whole `{{< … >}}` in the text.
    start: usize,
    end: usize,
    /// `<` or `%`: which delimiters it uses.
    open: char,
    /// Everything between the delimiters, untrimmed.
    inner: &'s str,
    name: &'s str,
    arg: Option<&'s str>,
}

impl Shortcode<'_> {
    /// The edit that records this shortcode's bytes replaced by `new` in the
    /// output, so positions after it map back to the source.
    fn replaced_by(&self, new: std::ops::Range<usize>) -> Edit {
        Edit {
            new_start: new.start,
            new_end: new.end,
            old_start: self.start,
            old_end: self.end,
        }
    }

    /// Hugo's escape, `{{</* ref "x.md" */>}}`: the shortcode as text,
    /// `{{< ref "x.md" >}}`, never expanded.
    fn escaped(&self) -> Option<String> {
        let trimmed = self.inner.trim();
        let lead = self.inner.len() - self.inner.trim_start().len();
        let tail = self.inner.len() - self.inner.trim_end().len();
        let body = trimmed.strip_prefix("/*")?.strip_suffix("*/")?;
        let (open, close) = if self.open == '<' {
            ("{{<", ">}}")
        } else {
            ("{{%", "%}}")
        };
        Some(format!(
            "{open}{}{body}{}{close}",
            &self.inner[..lead],
            &self.inner[self.inner.len() - tail..]
        ))
    }
}

/// Byte ranges of code spans and code blocks: shortcodes there are text.
/// The text is parsed once more for this, only when it has a `{{`.
fn code_ranges(text: &str) -> Vec<std::ops::Range<usize>> {
    use pulldown_cmark::{Event, Parser, Tag};
    let mut ranges = Vec::new();
    for (event, range) in Parser::new_ext(text, super::options()).into_offset_iter() {
        match event {
            Event::Code(_) | Event::Start(Tag::CodeBlock(_)) => ranges.push(range),
            _ => {}
        }
    }
    ranges
}

/// The next occurrence of a pattern at or after a position, remembered so a
/// run of openers without a closer does not rescan the rest of the text for
/// each of them (that was quadratic). Positions asked for only grow.
struct NextMatch {
    pattern: &'static str,
    /// Last answer and the position it was searched from.
    found: Option<usize>,
    searched_from: usize,
}

impl NextMatch {
    fn new(pattern: &'static str) -> Self {
        NextMatch {
            pattern,
            found: None,
            searched_from: usize::MAX,
        }
    }

    fn at_or_after(&mut self, text: &str, from: usize) -> Option<usize> {
        match self.found {
            Some(at) if at >= from => return Some(at),
            None if self.searched_from <= from => return None,
            _ => {}
        }
        self.searched_from = from;
        self.found = text.get(from..)?.find(self.pattern).map(|i| from + i);
        self.found
    }
}

/// Finds shortcodes left to right.
struct Scanner<'s> {
    text: &'s str,
    angle_close: NextMatch,
    percent_close: NextMatch,
    blank_line: NextMatch,
}

impl<'s> Scanner<'s> {
    fn new(text: &'s str) -> Self {
        Scanner {
            text,
            angle_close: NextMatch::new(">}}"),
            percent_close: NextMatch::new("%}}"),
            blank_line: NextMatch::new("\n\n"),
        }
    }

    /// The next `{{<`/`{{%` shortcode at or after `from`.
    fn next_shortcode(&mut self, from: usize) -> Option<Shortcode<'s>> {
        let text = self.text;
        let mut search = from;
        loop {
            let rel = text.get(search..)?.find("{{")?;
            let start = search + rel;
            let open = text[start + 2..].chars().next()?;
            let (close, finder) = match open {
                '<' => (">}}", &mut self.angle_close),
                '%' => ("%}}", &mut self.percent_close),
                _ => {
                    search = start + 2;
                    continue;
                }
            };
            let inner_start = start + 3;
            let Some(inner_end) = finder.at_or_after(text, inner_start) else {
                search = start + 2;
                continue;
            };
            // A shortcode never spans paragraphs.
            if self
                .blank_line
                .at_or_after(text, inner_start)
                .is_some_and(|blank| blank < inner_end)
            {
                search = start + 2;
                continue;
            }
            let inner = text[inner_start..inner_end].trim();
            let (name, rest) = inner.split_once(char::is_whitespace).unwrap_or((inner, ""));
            let rest = rest.trim();
            let arg = if let Some(q) = rest.strip_prefix('"') {
                q.split_once('"').map(|(a, _)| a)
            } else if !rest.is_empty() {
                rest.split_whitespace().next()
            } else {
                None
            };
            return Some(Shortcode {
                start,
                end: inner_end + close.len(),
                open,
                inner: &text[inner_start..inner_end],
                name,
                arg,
            });
        }
    }
}

/// Replaces every `ref`/`relref` shortcode with the target page's URL. A target
/// that does not resolve becomes a marked broken link and an error. Shortcodes
/// in code spans and blocks are left as written; Hugo's escape
/// `{{</* … */>}}` becomes the literal `{{< … >}}` everywhere (as in Hugo,
/// where it is how docs show shortcode syntax, in code too). Returns the new
/// text, the edits made (to map positions back) and the problems found.
pub fn expand(
    text: &str,
    path: &str,
    resolver: &dyn RefResolver,
) -> (String, Vec<Edit>, Vec<Problem>) {
    let mut edits = Vec::new();
    let mut problems = Vec::new();
    if !text.contains("{{") {
        return (text.to_string(), edits, problems);
    }
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut pos = 0;
    let mut scanner = Scanner::new(text);
    let code = code_ranges(text);
    let in_code = |at: usize| code.iter().any(|r| r.contains(&at));
    while let Some(sc) = scanner.next_shortcode(pos) {
        pos = sc.end;
        let start = sc.start;
        if let Some(literal) = sc.escaped() {
            out.push_str(&text[copied..sc.start]);
            copied = sc.end;
            let new_start = out.len();
            if in_code(sc.start) {
                out.push_str(&literal);
            } else {
                // As text, `<ref …>` could be read as an HTML tag.
                out.push_str(&literal.replacen('<', "&lt;", 1));
            }
            edits.push(sc.replaced_by(new_start..out.len()));
            continue;
        }
        if in_code(sc.start) {
            continue;
        }
        let mut report = |severity, message| problems.push((start, severity, message));
        if !matches!(sc.name, "ref" | "relref") {
            report(
                Severity::Warning,
                format!("unsupported shortcode `{}` left as text", sc.name),
            );
            continue;
        }
        out.push_str(&text[copied..sc.start]);
        copied = sc.end;
        let new_start = out.len();
        let Some(arg) = sc.arg else {
            report(
                Severity::Error,
                format!("`{}` shortcode without a target", sc.name),
            );
            out.push_str(BROKEN_REF);
            edits.push(sc.replaced_by(new_start..out.len()));
            continue;
        };
        let (target, fragment) = match arg.split_once('#') {
            Some((t, f)) => (t, Some(f)),
            None => (arg, None),
        };
        let url = if target.is_empty() {
            Ok(String::new())
        } else {
            resolver.resolve(path, target)
        };
        match url {
            Ok(url) => {
                out.push_str(&url);
                if let Some(f) = fragment {
                    out.push('#');
                    out.push_str(f);
                }
            }
            Err(e) => {
                report(Severity::Error, format!("broken reference: {e}"));
                out.push_str(BROKEN_REF);
                out.push_str(&arg.replace([' ', '(', ')', '<', '>'], "_"));
            }
        }
        edits.push(sc.replaced_by(new_start..out.len()));
    }
    out.push_str(&text[copied..]);
    (out, edits, problems)
}
