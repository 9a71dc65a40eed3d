//! Passes over the raw lines, before pulldown-cmark sees the text.
//!
//! Some rewrites must happen on the source itself: a line that starts with an
//! emoji shortcode would otherwise parse as a definition-list entry. These
//! passes must leave fenced code alone, so they share the fence tracking here
//! (the glossary's section splitter uses it too). Every rewrite is recorded as
//! an [`Edit`] so diagnostics still point at the author's text.

use std::borrow::Cow;

use super::positions::Edit;

/// Tracks fenced code blocks (```` ``` ```` or `~~~`) line by line, for the
/// passes that look at raw lines before parsing.
#[derive(Default)]
pub struct Fences {
    open: Option<&'static str>,
}

impl Fences {
    /// Whether `line` is code: inside a fence, or a fence line itself.
    pub fn is_code(&mut self, line: &str) -> bool {
        let trimmed = line.trim_start();
        match self.open {
            Some(f) => {
                if trimmed.starts_with(f) {
                    self.open = None;
                }
                true
            }
            None => {
                self.open = ["```", "~~~"].into_iter().find(|f| trimmed.starts_with(f));
                self.open.is_some()
            }
        }
    }
}

/// A line that starts with a shortcode (`:cloud:` alone under a paragraph, as
/// the About page has) would open a definition-list entry; escaping its first
/// colon keeps it an emoji. Lines inside fenced code are left alone.
pub(super) fn protect_emoji_lines(text: &str) -> (Cow<'_, str>, Vec<Edit>) {
    let starts_with_shortcode = |line: &str| {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let rest = &line[indent..];
        indent <= 3
            && rest.strip_prefix(':').is_some_and(|r| {
                let n = r
                    .bytes()
                    .take_while(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || b"_+-".contains(c)
                    })
                    .count();
                n > 0 && r[n..].starts_with(':')
            })
    };
    let mut fences = Fences::default();
    let mut out: Option<String> = None;
    let mut edits = Vec::new();
    let mut line_start = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let protect = !fences.is_code(line) && starts_with_shortcode(line);
        if protect && out.is_none() {
            let done: usize = text.split_inclusive('\n').take(i).map(str::len).sum();
            out = Some(text[..done].to_string());
        }
        if let Some(o) = &mut out {
            if protect {
                let indent = line.len() - line.trim_start_matches(' ').len();
                o.push_str(&line[..indent]);
                edits.push(Edit {
                    new_start: o.len(),
                    new_end: o.len() + 1,
                    old_start: line_start + indent,
                    old_end: line_start + indent,
                });
                o.push('\\');
                o.push_str(&line[indent..]);
            } else {
                o.push_str(line);
            }
        }
        line_start += line.len();
    }
    match out {
        Some(o) => (Cow::Owned(o), edits),
        None => (Cow::Borrowed(text), edits),
    }
}
