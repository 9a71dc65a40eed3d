//! The one pass over pulldown-cmark's events that turns a parsed document into
//! the site's HTML: code blocks highlighted, headings given ids and anchors,
//! images sized, formulas as MathML, emoji shortcodes rendered, glossary terms
//! linked on first mention, and the plain text collected for summaries. Each
//! of those jobs lives in its own module; this one routes events to them and
//! keeps the state that spans events (open heading, image, links).

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, LinkType, Tag, TagEnd};

use super::positions::Positions;
use super::summary::{collapse_ws, TextStats};
use super::{
    escape_html, headings, highlight, images, math, tables, terms, Diagnostic, RenderContext,
    Rendered, Severity, TermLinker, BROKEN_REF,
};

const MORE_MARKER: &str = "<!--more-->";

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

/// The pass in progress: what one event needs to know about those before it.
pub(super) struct State<'c, 'a> {
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
    /// Footnote labels in order of first use: the number the HTML shows.
    footnotes: HashMap<String, usize>,
    /// False for [`super::analyse`]: everything but the HTML is collected,
    /// and code blocks are not highlighted (the costly part of a render).
    html: bool,
}

impl<'c, 'a> State<'c, 'a> {
    /// `reserved`: heading ids the text or the page already uses;
    /// `diagnostics`: those found before parsing.
    pub(super) fn new(
        ctx: &'c RenderContext<'c>,
        positions: &'c Positions,
        reserved: HashSet<String>,
        diagnostics: Vec<Diagnostic>,
        mode: super::Mode,
    ) -> Self {
        let html = mode != super::Mode::Analyse;
        State {
            ctx,
            positions,
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
            text: if mode == super::Mode::Html {
                TextStats::off()
            } else {
                TextStats::default()
            },
            unknown_emoji: HashSet::new(),
            terms_done: vec![false; ctx.terms.map_or(0, TermLinker::len)],
            terms_found: Vec::new(),
            footnotes: HashMap::new(),
            html,
        }
    }

    /// The HTML and what was collected; `size_hint`: the parsed text's length.
    pub(super) fn finish(self, size_hint: usize) -> Rendered {
        let mut html = String::new();
        if self.html {
            html.reserve(size_hint * 3 / 2);
            pulldown_cmark::html::push_html(&mut html, tables::row_headers(self.out).into_iter());
        }
        let mut diagnostics = self.diagnostics;
        diagnostics.sort_by_key(|d| (d.line, d.col));
        let terms = match self.ctx.terms {
            Some(linker) => self
                .terms_found
                .iter()
                .map(|&t| linker.id(t).to_string())
                .collect(),
            None => Vec::new(),
        };
        let summary = self.text.finish();
        Rendered {
            html,
            toc: self.toc,
            more_summary: summary.more,
            first_paragraph: summary.first_paragraph,
            words: summary.words,
            text: summary.text,
            diagnostics,
            terms,
        }
    }
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
        if !self.html {
            return;
        }
        match &mut self.heading {
            Some(h) => h.events.push(event),
            None => self.out.push(event),
        }
    }

    pub(super) fn event(&mut self, event: Event<'a>, range: Range<usize>) {
        // Every event but text is markup in the HTML: an element boundary.
        let boundary = !matches!(event, Event::Text(_));
        if boundary {
            self.text.separate();
        }
        if let Event::FootnoteReference(label) | Event::Start(Tag::FootnoteDefinition(label)) =
            &event
        {
            self.footnote_number(label);
        }
        self.route(event, range);
        if boundary {
            self.text.separate();
        }
    }

    /// The number the HTML shows for a footnote (its reference and its
    /// definition both show it), numbered by first use like pulldown-cmark.
    fn footnote_number(&mut self, label: &str) {
        let next = self.footnotes.len() + 1;
        let number = *self.footnotes.entry(label.to_string()).or_insert(next);
        self.text.push_shown(&number.to_string());
    }

    fn route(&mut self, event: Event<'a>, range: Range<usize>) {
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
                if self.html {
                    let html = highlight::code_block_html(&lang, &self.code_buf);
                    self.emit(Event::Html(html.into()));
                }
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
                self.text.paragraph_start(self.heading.is_some());
                self.emit(Event::Start(Tag::Paragraph));
            }
            Event::End(TagEnd::Paragraph) => {
                self.text.paragraph_end();
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
                if self.image_depth > 0 {
                    self.text.push_alt(&code, true);
                } else {
                    self.text.push(&code, true);
                }
                self.emit(Event::Code(code));
            }
            Event::Html(html) | Event::InlineHtml(html)
                if html.trim() == MORE_MARKER && !self.text.has_more() =>
            {
                self.text.mark_more();
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
            s.diagnostics
                .push(s.positions.at(offset, severity, message));
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
                self.diagnostics.push(self.positions.at(
                    range.start,
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
            self.emit(Event::InlineHtml(terms::link_open(id, &title).into()));
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
        self.text.count_words(&text);
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
                terms::link_open(linker.id(term), "").into(),
            ));
            let name = rest[start..end].to_string();
            self.text.separate();
            self.text.push(&name, true);
            self.text.separate();
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
            if self.image_depth > 0 {
                self.text.push_alt(&text, !count_words);
            } else {
                self.text.push(&text, !count_words);
            }
            self.emit(Event::Text(text));
            return;
        }
        let out = self.ctx.emoji.replace(&text);
        for (name, at) in out.unknown.into_iter().zip(out.unknown_at) {
            if self.unknown_emoji.insert(name.clone()) {
                let offset = range.start + at;
                self.diagnostics.push(self.positions.at(
                    offset,
                    Severity::Warning,
                    format!("unknown emoji shortcode `:{name}:`"),
                ));
            }
        }
        if let Some(h) = &mut self.heading {
            h.text.push_str(&out.plain);
        }
        self.text.push_as(&out.plain, &out.shown, !count_words);
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
                self.diagnostics.push(self.positions.at(
                    h.start,
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
        self.out.push(Event::Html(
            headings::open_tag(level, &id, &h.classes).into(),
        ));
        self.out.extend(h.events);
        self.out
            .push(Event::Html(headings::close_tag(level, &id).into()));
        if headings::has_anchor(level) {
            self.text.separate();
            self.text.push_shown(headings::ANCHOR_TEXT);
        }
        self.text.push(" ", true);
    }
}
