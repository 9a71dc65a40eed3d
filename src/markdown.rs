//! The Markdown pipeline: a pure function of (text, context) → HTML + metadata.
//!
//! Order matters: lines starting with an emoji shortcode are protected and
//! Hugo shortcodes are expanded on the raw text first (`prepass`, `refs`: they
//! are not valid link destinations), then pulldown-cmark parses, text runs are
//! merged so shortcodes like `:t-rex:` are seen whole, and one pass over the
//! events (`pass`) renders emoji, heading ids, code blocks and the summary.
//! Every rewrite before parsing is recorded (`positions`) so diagnostics name
//! the author's line and column. No Leptos, axum or tokio here.

pub mod emoji;
pub mod headings;
pub mod highlight;
pub mod images;
pub mod math;
mod pass;
mod positions;
mod prepass;
pub mod refs;
mod summary;
pub mod tables;
pub mod terms;

use pulldown_cmark::{Options, Parser, TextMergeWithOffset};

pub use emoji::EmojiRenderer;
pub use prepass::Fences;
pub use refs::{RefResolver, ResolveError};
pub use terms::TermLinker;

/// How serious a content diagnostic is: errors fail `microblog check`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Severity {
    Warning,
    Error,
}

/// A problem found in a document, positioned in the *body* (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub line: usize,
    pub col: usize,
    pub severity: Severity,
    pub message: String,
}

/// What the pipeline needs to know about the document's surroundings.
pub struct RenderContext<'a> {
    /// Content-relative path of the document, e.g. `posts/netlify.md`.
    pub path: &'a str,
    pub emoji: &'a EmojiRenderer,
    pub resolver: &'a dyn RefResolver,
    /// Glossary terms to link on first mention (posts only).
    pub terms: Option<&'a TermLinker>,
    /// The content's images, for sizes and `srcset`; `None` leaves `<img>` as written.
    pub images: Option<&'a dyn images::ImageResolver>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rendered {
    pub html: String,
    pub toc: Vec<crate::model::TocEntry>,
    /// Plain text before `<!--more-->`, if the marker is present.
    pub more_summary: Option<String>,
    /// Plain text of the first paragraph (the fallback summary).
    pub first_paragraph: String,
    /// Words outside code blocks and inline code.
    pub words: usize,
    /// The whole text as the page shows it, white space collapsed: what the
    /// search index reads (prose, link text, code as written, formulas as
    /// their TeX source, emoji glyphs; not image alt text or markup).
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
    /// Ids of the glossary terms linked from the text, in order of first mention.
    pub terms: Vec<String>,
}

/// The parser options every document uses (smart punctuation stays off: the
/// author's quotes and dashes are kept as typed).
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_DEFINITION_LIST
        | Options::ENABLE_MATH
}

/// Marks links whose `{{< ref >}}` could not be resolved; rewritten to a
/// visibly broken `<a>` during rendering.
const BROKEN_REF: &str = "#microblog-broken-ref:";

/// Renders one document body.
pub fn render(body: &str, ctx: &RenderContext<'_>) -> Rendered {
    run(body, ctx, Mode::Render)
}

/// [`render`]'s HTML alone, the same bytes: what a post's body is rendered
/// for on request, when the load has already collected the rest with
/// [`analyse`]. The plain-text collection (summaries, words, search text)
/// is skipped: it was about a sixth of rendering a body.
pub fn render_html(body: &str, ctx: &RenderContext<'_>) -> String {
    run(body, ctx, Mode::Html).html
}

/// [`render`] without the HTML (`html` is empty): the table of contents,
/// summary, words, search text, diagnostics and glossary terms are the same
/// as `render` gives. A content load needs only these; code highlighting,
/// most of a render's cost, is left to when a post's HTML is asked for.
pub fn analyse(body: &str, ctx: &RenderContext<'_>) -> Rendered {
    run(body, ctx, Mode::Analyse)
}

/// What one pass over the events makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Everything but the HTML ([`analyse`]).
    Analyse,
    /// The HTML and everything else ([`render`]).
    Render,
    /// The HTML alone ([`render_html`]).
    Html,
}

fn run(body: &str, ctx: &RenderContext<'_>, mode: Mode) -> Rendered {
    let (protected, protect_edits) = prepass::protect_emoji_lines(body);
    let (expanded, ref_edits, ref_problems) = refs::expand(&protected, ctx.path, ctx.resolver);
    let positions = positions::Positions::new(body, ref_edits, protect_edits);
    let diagnostics = ref_problems
        .into_iter()
        // Ref problems are positioned before the expansion: only unprotect them.
        .map(|(offset, severity, message)| {
            positions.diagnostic(offset, &positions.edits[1..], severity, message)
        })
        .collect();
    let reserved = headings::reserved_ids(&expanded);

    let parser = Parser::new_ext(&expanded, options()).into_offset_iter();
    let mut state = pass::State::new(ctx, &positions, reserved, diagnostics, mode);
    for (event, range) in TextMergeWithOffset::new(parser) {
        state.event(event, range);
    }
    state.finish(expanded.len())
}

/// Text as HTML text or attribute value (all five specials escaped).
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests;
