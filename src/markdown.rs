//! The Markdown pipeline: a pure function of (text, context) → HTML + metadata.
//!
//! Order matters: Hugo shortcodes are expanded on the raw text first (they are not
//! valid link destinations), then pulldown-cmark parses, text runs are merged so
//! shortcodes like `:t-rex:` are seen whole, and one pass over the events renders
//! emoji, heading ids, code blocks and the summary. No Leptos, axum or tokio here.

pub mod emoji;
pub mod headings;
pub mod highlight;
pub mod images;
pub mod math;
pub mod refs;
pub mod tables;
pub mod terms;

use std::collections::HashSet;
use std::ops::Range;

use pulldown_cmark::{
    CodeBlockKind, CowStr, Event, LinkType, Options, Parser, Tag, TagEnd, TextMergeWithOffset,
};

pub use emoji::EmojiRenderer;
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

const MORE_MARKER: &str = "<!--more-->";

/// Renders one document body.
pub fn render(body: &str, ctx: &RenderContext<'_>) -> Rendered {
    let (protected, protect_edits) = protect_emoji_lines(body);
    let (expanded, ref_edits, ref_problems) = refs::expand(&protected, ctx.path, ctx.resolver);
    let positions = Positions {
        lines: LineIndex::new(body),
        edits: [ref_edits, protect_edits],
    };
    let diagnostics = ref_problems
        .into_iter()
        // Ref problems are positioned before the expansion: only unprotect them.
        .map(|(offset, severity, message)| {
            positions.diagnostic(offset, &positions.edits[1..], severity, message)
        })
        .collect();
    let reserved = headings::reserved_ids(&expanded);

    let parser = Parser::new_ext(&expanded, options()).into_offset_iter();
    let mut state = State {
        ctx,
        positions: &positions,
        ids: headings::IdAllocator::new(reserved),
        out: Vec::new(),
        toc: Vec::new(),
        diagnostics,
        in_code: None,
        code_buf: String::new(),
        heading: None,
        image_depth: 0,
        image: None,
        images_seen: 0,
        link_stack: Vec::new(),
        text: TextStats::default(),
        unknown_emoji: HashSet::new(),
        terms_done: vec![false; ctx.terms.map_or(0, TermLinker::len)],
        terms_found: Vec::new(),
    };
    for (event, range) in TextMergeWithOffset::new(parser) {
        state.event(event, range);
    }

    let mut html = String::with_capacity(expanded.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, tables::row_headers(state.out).into_iter());
    let mut diagnostics = state.diagnostics;
    diagnostics.sort_by_key(|d| (d.line, d.col));
    let terms = match ctx.terms {
        Some(linker) => state
            .terms_found
            .iter()
            .map(|&t| linker.id(t).to_string())
            .collect(),
        None => Vec::new(),
    };
    Rendered {
        html,
        toc: state.toc,
        more_summary: state.text.more.map(|s| collapse_ws(&s)),
        first_paragraph: collapse_ws(&state.text.first_paragraph),
        words: state.text.words,
        diagnostics,
        terms,
    }
}

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
fn protect_emoji_lines(text: &str) -> (std::borrow::Cow<'_, str>, Vec<Edit>) {
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
        Some(o) => (std::borrow::Cow::Owned(o), edits),
        None => (std::borrow::Cow::Borrowed(text), edits),
    }
}

/// Maps byte offsets to 1-based (line, column), columns counted in characters
/// as editors show them.
pub struct LineIndex {
    text: String,
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            text: text.to_string(),
            starts,
        }
    }

    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line, col + 1)
    }
}

/// One rewrite of the source before parsing: `new` bytes replaced `old` bytes.
#[derive(Debug, Clone, Copy)]
pub struct Edit {
    pub new_start: usize,
    pub new_end: usize,
    pub old_start: usize,
    pub old_end: usize,
}

/// Maps an offset in rewritten text back to the text before the rewrite.
/// Edits are in increasing order of position.
fn to_old(edits: &[Edit], pos: usize) -> usize {
    // Binary search: a document may have thousands of edits and diagnostics.
    let before = edits.partition_point(|e| e.new_start <= pos);
    match before.checked_sub(1).map(|i| &edits[i]) {
        None => pos,
        Some(e) if pos < e.new_end => e.old_start,
        Some(e) => pos - e.new_end + e.old_end,
    }
}

/// Turns offsets in the parsed text into positions in the author's file.
struct Positions {
    lines: LineIndex,
    /// Applied last-first: the ref expansion, then the emoji-line protection.
    edits: [Vec<Edit>; 2],
}

impl Positions {
    /// `edits`: the rewrites that `offset` has been through, latest first.
    fn diagnostic(
        &self,
        offset: usize,
        edits: &[Vec<Edit>],
        severity: Severity,
        message: String,
    ) -> Diagnostic {
        let original = edits.iter().fold(offset, |pos, e| to_old(e, pos));
        let (line, col) = self.lines.position(original);
        Diagnostic {
            line,
            col,
            severity,
            message,
        }
    }
}

#[derive(Default)]
struct TextStats {
    words: usize,
    first_paragraph: String,
    /// Paragraph nesting seen so far: 0 = none started, 1 = inside the first, 2 = done.
    first_paragraph_state: u8,
    /// Plain text collected until the `<!--more-->` marker.
    before_more: String,
    more: Option<String>,
}

impl TextStats {
    fn push(&mut self, text: &str, in_code: bool) {
        if !in_code {
            self.words += text.split_whitespace().count();
        }
        if self.first_paragraph_state == 1 {
            self.first_paragraph.push_str(text);
        }
        if self.more.is_none() {
            self.before_more.push_str(text);
        }
    }

    fn soft_break(&mut self) {
        self.push(" ", true);
    }
}

struct HeadingBuf<'a> {
    /// Where the heading starts in the source, for diagnostics.
    start: usize,
    level: pulldown_cmark::HeadingLevel,
    id: Option<CowStr<'a>>,
    classes: Vec<CowStr<'a>>,
    text: String,
    events: Vec<Event<'a>>,
}

enum LinkKind {
    Normal,
    Auto,
    Broken,
    /// The author's own link to a glossary term, rendered with its card hook.
    Term,
}

struct State<'c, 'a> {
    ctx: &'c RenderContext<'c>,
    positions: &'c Positions,
    ids: headings::IdAllocator,
    out: Vec<Event<'a>>,
    toc: Vec<crate::model::TocEntry>,
    diagnostics: Vec<Diagnostic>,
    /// Language of the code block being collected, if any (`Some("")` = none given).
    in_code: Option<String>,
    code_buf: String,
    heading: Option<HeadingBuf<'a>>,
    image_depth: usize,
    /// The outermost open image: `(src, title, alt text so far, offset)`.
    image: Option<(String, String, String, usize)>,
    images_seen: usize,
    link_stack: Vec<LinkKind>,
    text: TextStats,
    unknown_emoji: HashSet<String>,
    /// Per glossary term: already linked in this document.
    terms_done: Vec<bool>,
    terms_found: Vec<usize>,
}

/// The opening tag of a link to a glossary term; the post page renders the
/// card it describes.
fn term_link_open(id: &str, title: &str) -> String {
    let card = escape_html(&crate::ids::term_card(id));
    let id = escape_html(id);
    let title = if title.is_empty() {
        String::new()
    } else {
        format!(" title=\"{}\"", escape_html(title))
    };
    format!(
        "<a class=\"term\" href=\"/glossary#{id}\" data-term=\"{id}\" aria-describedby=\"{card}\"{title}>"
    )
}

impl<'a> State<'_, 'a> {
    fn emit(&mut self, event: Event<'a>) {
        // Inside an image, text is its alt text; the `<img>` is written at its end.
        if let Some((_, _, alt, _)) = &mut self.image {
            if let Event::Text(t) | Event::Code(t) = &event {
                alt.push_str(t);
            }
            return;
        }
        match &mut self.heading {
            Some(h) => h.events.push(event),
            None => self.out.push(event),
        }
    }

    fn event(&mut self, event: Event<'a>, range: Range<usize>) {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split([' ', ',', '{']).next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                self.in_code = Some(lang);
                self.code_buf.clear();
            }
            Event::End(TagEnd::CodeBlock) => {
                let lang = self.in_code.take().unwrap_or_default();
                let html = code_block_html(&lang, &self.code_buf);
                self.emit(Event::Html(html.into()));
            }
            Event::Text(text) if self.in_code.is_some() => {
                self.code_buf.push_str(&text);
                self.text.push(&text, true);
            }
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs: _,
            }) => {
                self.heading = Some(HeadingBuf {
                    start: range.start,
                    level,
                    id,
                    classes,
                    text: String::new(),
                    events: Vec::new(),
                });
            }
            Event::End(TagEnd::Heading(_)) => self.finish_heading(),
            Event::Start(Tag::Paragraph) => {
                if self.text.first_paragraph_state == 0 && self.heading.is_none() {
                    self.text.first_paragraph_state = 1;
                }
                self.emit(Event::Start(Tag::Paragraph));
            }
            Event::End(TagEnd::Paragraph) => {
                if self.text.first_paragraph_state == 1 {
                    // A paragraph of only emoji or symbols makes a poor summary.
                    if self.text.first_paragraph.chars().any(char::is_alphabetic) {
                        self.text.first_paragraph_state = 2;
                    } else {
                        self.text.first_paragraph.clear();
                        self.text.first_paragraph_state = 0;
                    }
                }
                self.text.push(" ", true);
                self.emit(Event::End(TagEnd::Paragraph));
            }
            Event::Start(Tag::Image {
                dest_url, title, ..
            }) => {
                self.image_depth += 1;
                if self.image.is_none() {
                    self.image = Some((
                        dest_url.to_string(),
                        title.to_string(),
                        String::new(),
                        range.start,
                    ));
                }
            }
            Event::End(TagEnd::Image) => {
                self.image_depth = self.image_depth.saturating_sub(1);
                if self.image_depth == 0 {
                    self.finish_image();
                }
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => self.start_link(link_type, dest_url, title, id),
            Event::End(TagEnd::Link) => {
                if matches!(
                    self.link_stack.pop(),
                    Some(LinkKind::Broken | LinkKind::Term)
                ) {
                    self.emit(Event::InlineHtml("</a>".into()));
                } else {
                    self.emit(Event::End(TagEnd::Link));
                }
            }
            Event::Text(text) => self.text_event(text, range),
            Event::InlineMath(source) => self.math(&source, false, range),
            Event::DisplayMath(source) => self.math(&source, true, range),
            Event::Code(code) => {
                if let Some(h) = &mut self.heading {
                    h.text.push_str(&code);
                }
                self.text.push(&code, true);
                self.emit(Event::Code(code));
            }
            Event::Html(html) | Event::InlineHtml(html)
                if html.trim() == MORE_MARKER && self.text.more.is_none() =>
            {
                self.text.more = Some(std::mem::take(&mut self.text.before_more));
                self.emit(Event::Html(
                    format!("<span id=\"{}\"></span>", crate::ids::MORE).into(),
                ));
            }
            // Old-style `<a name>` anchors are obsolete HTML: the same
            // fragment works as an `id`.
            Event::Html(html) if html.contains("name=") => {
                let html = headings::name_anchors_as_ids(&html).map_or(html, Into::into);
                self.emit(Event::Html(html));
            }
            Event::InlineHtml(html) if html.contains("name=") => {
                let html = headings::name_anchors_as_ids(&html).map_or(html, Into::into);
                self.emit(Event::InlineHtml(html));
            }
            // The marker alone is an unlabelled form control to a screen reader.
            Event::TaskListMarker(done) => {
                let html = if done {
                    "<input type=\"checkbox\" disabled checked aria-label=\"done\"> "
                } else {
                    "<input type=\"checkbox\" disabled aria-label=\"to do\"> "
                };
                self.emit(Event::InlineHtml(html.into()));
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(h) = &mut self.heading {
                    h.text.push(' ');
                }
                self.text.soft_break();
                self.emit(event);
            }
            other => self.emit(other),
        }
    }

    /// Writes the image that just closed, sized from its file when the site
    /// owns it; a missing file is an error, a missing alt text a warning.
    fn finish_image(&mut self) {
        let Some((src, title, alt, offset)) = self.image.take() else {
            return;
        };
        let warn = |s: &mut Self, severity, message: String| {
            s.diagnostics.push(s.positions.diagnostic(
                offset,
                &s.positions.edits,
                severity,
                message,
            ));
        };
        let info = match self.ctx.images.map(|r| r.image(self.ctx.path, &src)) {
            Some(Ok(info)) => info,
            Some(Err(message)) => {
                warn(self, Severity::Error, message);
                None
            }
            None => None,
        };
        if alt.trim().is_empty() {
            warn(
                self,
                Severity::Warning,
                format!("image `{src}` has no alt text: describe it for readers who cannot see it"),
            );
        }
        let first = self.images_seen == 0;
        self.images_seen += 1;
        let html = images::img_html(&src, alt.trim(), &title, info.as_ref(), first);
        self.emit(Event::InlineHtml(html.into()));
    }

    /// A formula as MathML; one that does not parse stays visible as its
    /// source and becomes an error at the opening `$`.
    fn math(&mut self, source: &str, display: bool, range: Range<usize>) {
        if let Some(h) = &mut self.heading {
            h.text.push_str(source);
        }
        // Like code: part of the text, not words of prose.
        self.text.push(source, true);
        let html = match math::to_mathml(source, display) {
            Ok(html) => html,
            Err(reason) => {
                self.diagnostics.push(self.positions.diagnostic(
                    range.start,
                    &self.positions.edits,
                    Severity::Error,
                    format!("formula does not parse: {reason}"),
                ));
                math::fallback_html(source, display, &reason)
            }
        };
        self.emit(Event::InlineHtml(html.into()));
    }

    fn start_link(
        &mut self,
        link_type: LinkType,
        dest_url: CowStr<'a>,
        title: CowStr<'a>,
        id: CowStr<'a>,
    ) {
        if let Some(target) = dest_url.strip_prefix(BROKEN_REF) {
            self.link_stack.push(LinkKind::Broken);
            let html = format!(
                "<a class=\"broken-ref\" href=\"#\" title=\"broken reference: {}\">",
                escape_html(target)
            );
            self.emit(Event::InlineHtml(html.into()));
        } else if let Some(term) = self.ctx.terms.and_then(|l| l.term_of_link(&dest_url)) {
            self.link_stack.push(LinkKind::Term);
            self.mark_term(term);
            let id = self.ctx.terms.map_or("", |l| l.id(term));
            self.emit(Event::InlineHtml(term_link_open(id, &title).into()));
        } else {
            // An autolink's text is its URL: never a place for emoji.
            let kind = if matches!(link_type, LinkType::Autolink | LinkType::Email) {
                LinkKind::Auto
            } else {
                LinkKind::Normal
            };
            self.link_stack.push(kind);
            self.emit(Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }));
        }
    }

    fn mark_term(&mut self, term: usize) {
        if let Some(done) = self.terms_done.get_mut(term) {
            if !*done {
                *done = true;
                self.terms_found.push(term);
            }
        }
    }

    /// Links the first mention of each glossary term in plain running text
    /// (not in headings, links or images; code never reaches here).
    fn text_event(&mut self, text: CowStr<'a>, range: Range<usize>) {
        let linker = match self.ctx.terms {
            Some(l)
                if self.heading.is_none()
                    && self.link_stack.is_empty()
                    && self.image_depth == 0 =>
            {
                l
            }
            _ => return self.text_segment(text, range, true),
        };
        let Some(first) = linker.find(&text, &self.terms_done) else {
            return self.text_segment(text, range, true);
        };
        // Words are counted on the whole run: splitting it must not add any.
        self.text.words += text.split_whitespace().count();
        let mut rest: &str = &text;
        let mut offset = 0;
        let mut next = Some(first);
        while let Some((start, end, term)) = next {
            let seg_start = range.start + offset;
            if start > 0 {
                let before = rest[..start].to_string();
                self.text_segment(before.into(), seg_start..seg_start + start, false);
            }
            self.mark_term(term);
            self.emit(Event::InlineHtml(
                term_link_open(linker.id(term), "").into(),
            ));
            let name = rest[start..end].to_string();
            self.text.push(&name, true);
            self.emit(Event::Text(name.into()));
            self.emit(Event::InlineHtml("</a>".into()));
            rest = &rest[end..];
            offset += end;
            next = linker.find(rest, &self.terms_done);
        }
        if !rest.is_empty() {
            let seg_start = range.start + offset;
            let after = rest.to_string();
            self.text_segment(after.into(), seg_start..range.end, false);
        }
    }

    /// Plain text: emoji shortcodes rendered, words counted.
    fn text_segment(&mut self, text: CowStr<'a>, range: Range<usize>, count_words: bool) {
        let in_autolink = self.link_stack.iter().any(|k| matches!(k, LinkKind::Auto));
        if self.image_depth > 0 || in_autolink || !text.contains(':') {
            if let Some(h) = &mut self.heading {
                h.text.push_str(&text);
            }
            self.text.push(&text, !count_words);
            self.emit(Event::Text(text));
            return;
        }
        let out = self.ctx.emoji.replace(&text);
        for (name, at) in out.unknown.into_iter().zip(out.unknown_at) {
            if self.unknown_emoji.insert(name.clone()) {
                let offset = range.start + at;
                self.diagnostics.push(self.positions.diagnostic(
                    offset,
                    &self.positions.edits,
                    Severity::Warning,
                    format!("unknown emoji shortcode `:{name}:`"),
                ));
            }
        }
        if let Some(h) = &mut self.heading {
            h.text.push_str(&out.plain);
        }
        self.text.push(&out.plain, !count_words);
        match out.html {
            Some(html) => self.emit(Event::InlineHtml(html.into())),
            None => self.emit(Event::Text(text)),
        }
    }

    fn finish_heading(&mut self) {
        let Some(h) = self.heading.take() else {
            return;
        };
        let text = collapse_ws(&h.text);
        let id = match &h.id {
            Some(id) if crate::ids::is_reserved(id) => {
                let given = self.ids.allocate(id);
                self.diagnostics.push(self.positions.diagnostic(
                    h.start,
                    &self.positions.edits,
                    Severity::Warning,
                    format!(
                        "heading id `{id}` is one the page itself uses; the heading gets `{given}`"
                    ),
                ));
                given
            }
            Some(id) => self.ids.claim_explicit(id),
            None => self.ids.allocate(&headings::slugify(&text)),
        };
        let level = h.level as u8;
        if (2..=3).contains(&level) {
            self.toc.push(crate::model::TocEntry {
                level,
                id: id.clone(),
                text: text.clone(),
            });
        }
        let class = if h.classes.is_empty() {
            String::new()
        } else {
            let joined: Vec<&str> = h.classes.iter().map(|c| c.as_ref()).collect();
            format!(" class=\"{}\"", escape_html(&joined.join(" ")))
        };
        self.out.push(Event::Html(
            format!("<h{level} id=\"{}\"{class}>", escape_html(&id)).into(),
        ));
        self.out.extend(h.events);
        if (2..=4).contains(&level) {
            self.out.push(Event::Html(
                format!(
                    "<a class=\"anchor\" href=\"#{}\" aria-label=\"Link to this section\">#</a>",
                    escape_html(&id)
                )
                .into(),
            ));
        }
        self.out.push(Event::Html(format!("</h{level}>\n").into()));
        self.text.push(" ", true);
    }
}

/// A code block: highlighted when the language is known, escaped text otherwise.
fn code_block_html(lang: &str, code: &str) -> String {
    let lang = lang.trim();
    if lang.is_empty() {
        return format!("<pre><code>{}</code></pre>\n", escape_html(code));
    }
    let lang = escape_html(lang);
    match highlight::highlight(&lang, code) {
        Some(html) => format!(
            "<pre class=\"hl\" data-lang=\"{lang}\"><code class=\"language-{lang}\">{html}</code></pre>\n"
        ),
        None => format!(
            "<pre data-lang=\"{lang}\"><code class=\"language-{lang}\">{}</code></pre>\n",
            escape_html(code)
        ),
    }
}

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

fn collapse_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests;
