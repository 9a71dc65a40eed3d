//! One file built: a post's front matter checked and its body rendered into
//! a [`PostEntry`], or a page's into a [`Page`].

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use rayon::prelude::*;

use super::assets::Assets;
use super::body::{Body, EAGER_BYTES};
use super::index::{valid_slug, PageIndex};
use super::memo::{self, Memo, Outcome};
use super::packed::Split;
use super::parse::Parsed;
use super::{diag, Diagnostic, Kind, PostEntry, Site};
use crate::markdown::{self, EmojiRenderer, RenderContext, Severity, TermLinker};
use crate::model::{Page, Post, PostSummary};

/// What one file became.
pub(super) enum Built {
    Post(Box<PostEntry>),
    Draft,
    /// The page and its text for search.
    About(Page, String),
    Nothing,
}

/// What every file of one load is built with, besides its own text.
pub(super) struct Inputs<'a> {
    pub emoji: &'a EmojiRenderer,
    pub index: &'a PageIndex,
    pub assets: &'a Assets,
    /// Links a post's first mention of each glossary term.
    pub linker: Option<&'a TermLinker>,
    /// [`memo::context_hash`] of this load.
    pub context: u64,
}

/// Builds every file but the glossary, over the cores, in file order; a file
/// whose inputs did not change since `previous` is taken from it (see
/// `memo`). Also returns how many were taken.
pub(super) fn build_files(
    parsed: &[Arc<Parsed>],
    inputs: &Inputs<'_>,
    previous: Option<&Site>,
) -> (Vec<(Built, Vec<Diagnostic>, Memo)>, usize) {
    let reused = AtomicUsize::new(0);
    let built = parsed
        .par_iter()
        .filter(|p| p.kind != Kind::Glossary)
        .map(|p| {
            if let Some(done) = previous.and_then(|prev| reuse(prev, p, inputs)) {
                reused.fetch_add(1, Ordering::Relaxed);
                return done;
            }
            build_file(p, inputs)
        })
        .collect();
    (built, reused.into_inner())
}

/// Renders `p`, recording what the render looked up (references, images).
fn build_file(p: &Parsed, inputs: &Inputs<'_>) -> (Built, Vec<Diagnostic>, Memo) {
    let mut found = Vec::new();
    let recorder = memo::Recorder::new(inputs.index);
    let images = memo::ImageRecorder::new(inputs.assets);
    let ctx = RenderContext {
        path: &p.path,
        emoji: inputs.emoji,
        resolver: &recorder,
        terms: inputs.linker.filter(|_| p.kind == Kind::Post),
        images: Some(&images),
    };
    let (mut built, outcome) = match p.kind {
        Kind::Post => match build_post(p, &ctx, inputs.index, &mut found) {
            Some(_) if p.fm.draft => (Built::Draft, Outcome::Draft),
            Some(entry) => {
                let slug = entry.post.meta.slug.clone();
                (Built::Post(Box::new(entry)), Outcome::Post(slug))
            }
            None => (Built::Nothing, Outcome::Nothing),
        },
        Kind::About => (
            {
                let (page, text) = build_page(p, &ctx, &mut found);
                Built::About(page, text)
            },
            Outcome::About,
        ),
        Kind::Glossary => (Built::Nothing, Outcome::Nothing),
    };
    let memo = Memo {
        path: p.path.clone(),
        text: p.text_hash,
        context: inputs.context,
        indexed: inputs.index.contains_path(&p.path),
        refs: recorder.into_refs(),
        images: images.into_images(),
        diagnostics: found.clone(),
        outcome,
    };
    if let Built::Post(entry) = &mut built {
        entry.body.set_key(memo.key());
    }
    (built, found, memo)
}

/// What `prev` built from `p`, if `p`'s inputs are unchanged:
/// the built result, its diagnostics and its memo, as a fresh build
/// would give them.
fn reuse(prev: &Site, p: &Parsed, inputs: &Inputs<'_>) -> Option<(Built, Vec<Diagnostic>, Memo)> {
    let m = prev.memos.get(&p.path)?;
    if !m.holds(
        p.text_hash,
        inputs.context,
        &p.path,
        inputs.index,
        inputs.assets,
    ) {
        return None;
    }
    let built = match &m.outcome {
        Outcome::Post(slug) => {
            let mut entry = prev.posts.get(*prev.by_slug.get(slug)?)?.clone();
            // Set again once the new snapshot is sorted.
            entry.post.newer = None;
            entry.post.older = None;
            entry.post.series = None;
            entry.post.related = Vec::new();
            Built::Post(Box::new(entry))
        }
        Outcome::Draft => Built::Draft,
        Outcome::About => Built::About(prev.about.clone()?, prev.about_text.clone()),
        Outcome::Nothing => Built::Nothing,
    };
    Some((built, m.diagnostics.clone(), m.clone()))
}

/// Positions from the renderer are relative to the body; make them file lines.
pub(super) fn push_render_diags(
    path: &str,
    offset: usize,
    found: Vec<markdown::Diagnostic>,
    diags: &mut Vec<Diagnostic>,
) {
    diags.extend(
        found
            .into_iter()
            .map(|d| diag(path, d.line + offset, d.col, d.severity, d.message)),
    );
}

/// Front-matter text fields may use shortcodes too; shown as plain text.
pub(super) fn plain_text(emoji: &EmojiRenderer, s: &str) -> String {
    emoji.replace(s).plain
}

pub(super) const SUMMARY_MAX_CHARS: usize = 280;

pub(super) fn truncate_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => {
            let cut = s[..i].rfind(' ').unwrap_or(i);
            format!("{}…", s[..cut].trim_end_matches([',', '.', ';', ':']))
        }
        None => s.to_string(),
    }
}

pub(super) fn build_post(
    p: &Parsed,
    ctx: &RenderContext<'_>,
    index: &PageIndex,
    diags: &mut Vec<Diagnostic>,
) -> Option<PostEntry> {
    let slug = p.slug();
    if !valid_slug(&slug) {
        diags.push(diag(
            &p.path,
            p.key_line("slug"),
            1,
            Severity::Error,
            format!("invalid slug `{slug}`: use lower-case letters, digits, `-` and `_` only"),
        ));
        return None;
    }
    if !p.fm.draft && !index.contains_path(&p.path) {
        // Rejected as a duplicate while indexing; already reported.
        return None;
    }
    let Some(raw_date) = &p.fm.date else {
        diags.push(diag(
            &p.path,
            1,
            1,
            Severity::Error,
            "missing required field `date`",
        ));
        return None;
    };
    let (date, publish_at) = match raw_date.parse().and_then(|d| Ok((d, raw_date.instant()?))) {
        Ok(d) => d,
        Err(msg) => {
            diags.push(diag(&p.path, p.key_line("date"), 1, Severity::Error, msg));
            return None;
        }
    };
    let updated = match p.fm.updated.as_ref().map(|d| d.parse()) {
        Some(Ok(d)) => Some(d),
        Some(Err(msg)) => {
            diags.push(diag(
                &p.path,
                p.key_line("updated"),
                1,
                Severity::Error,
                msg,
            ));
            return None;
        }
        None => None,
    };
    let mut tags = Vec::new();
    for tag in &p.fm.tags {
        let t = tag.trim().to_lowercase();
        if !valid_slug(&t) {
            diags.push(diag(
                &p.path,
                p.key_line("tags"),
                1,
                Severity::Error,
                format!("invalid tag `{tag}`: use lower-case letters, digits, `-` and `_` only"),
            ));
            return None;
        }
        if !tags.contains(&t) {
            tags.push(t);
        }
    }

    // Everything but the HTML: that is rendered when asked for (`body.rs`),
    // except for a huge body.
    let eager = p.body().len() > EAGER_BYTES;
    let mut rendered = if eager {
        markdown::render(p.body(), ctx)
    } else {
        markdown::analyse(p.body(), ctx)
    };
    let eager_html = eager.then(|| std::mem::take(&mut rendered.html));
    push_render_diags(&p.path, p.body_line_offset, rendered.diagnostics, diags);
    let summary = rendered
        .more_summary
        .or_else(|| p.fm.summary.as_deref().map(|s| plain_text(ctx.emoji, s)))
        .or_else(|| {
            p.fm.description
                .as_deref()
                .map(|s| plain_text(ctx.emoji, s))
        })
        .unwrap_or(rendered.first_paragraph);
    let series = match p.fm.series.as_deref().map(str::trim) {
        Some("") => {
            diags.push(diag(
                &p.path,
                p.key_line("series"),
                1,
                Severity::Error,
                "empty `series`: name the series or remove the key",
            ));
            return None;
        }
        Some(name) => Some((name.to_string(), p.key_line("series"))),
        None => None,
    };
    let author = match p.fm.author.as_deref().map(str::trim) {
        Some("") => {
            diags.push(diag(
                &p.path,
                p.key_line("author"),
                1,
                Severity::Error,
                "empty `author`: name the author or remove the key for the site's default",
            ));
            return None;
        }
        other => other.map(|a| plain_text(ctx.emoji, a)),
    };
    let image = match post_image(p, &slug).and_then(|image| {
        // A file the site owns must be there: a missing one would be a
        // broken preview wherever the post is shared. Asked through the
        // render's resolver, so the memo notices when it appears.
        let raw = p.fm.image.as_deref().map(str::trim).unwrap_or_default();
        match (&image, ctx.images) {
            (Some(_), Some(images)) => images
                .image(&p.path, raw)
                .map(|_| image)
                .map_err(|msg| format!("`image`: {msg}")),
            _ => Ok(image),
        }
    }) {
        Ok(image) => image,
        Err(msg) => {
            diags.push(diag(&p.path, p.key_line("image"), 1, Severity::Error, msg));
            return None;
        }
    };
    let words = rendered.words;
    let title = plain_text(ctx.emoji, p.fm.title.as_deref().unwrap_or_default().trim());
    Some(PostEntry {
        search_text: Split::new(&rendered.text, super::search::PLAIN_START_BYTES),
        body: Body::new(p.body(), eager_html),
        term_ids: rendered.terms,
        series,
        path: p.path.clone(),
        date,
        publish_at,
        updated,
        aliases: p.fm.aliases.clone(),
        post: Post {
            meta: PostSummary {
                slug,
                title,
                date: date.format("%Y-%m-%d").to_string(),
                date_display: date.format("%-d %B %Y").to_string(),
                summary: truncate_chars(&summary, SUMMARY_MAX_CHARS),
                tags,
                reading_minutes: words.div_ceil(200).max(1) as u32,
            },
            updated: updated.map(|d| d.format("%Y-%m-%d").to_string()),
            lang: p.fm.lang.clone().unwrap_or_else(|| "en".to_string()),
            // Filled when the post is handed out (`Site::post_page`).
            html: String::new(),
            toc: rendered.toc,
            terms: Vec::new(),
            words,
            newer: None,
            older: None,
            series: None,
            related: Vec::new(),
            author,
            image,
        },
    })
}

/// The `image:` of a post as a URL: `https://…` and `/site/path` as given,
/// anything else a file beside the post (`/posts/<slug>/<file>`).
fn post_image(p: &Parsed, slug: &str) -> Result<Option<String>, String> {
    let Some(raw) = p.fm.image.as_deref().map(str::trim) else {
        return Ok(None);
    };
    if raw.is_empty() {
        return Err("empty `image`: give a path or URL, or remove the key".into());
    }
    if raw.starts_with("https://") || raw.starts_with("http://") || raw.starts_with('/') {
        if raw
            .chars()
            .any(|c| c.is_whitespace() || c == '"' || c == '<')
        {
            return Err(format!("invalid `image` URL `{raw}`"));
        }
        return Ok(Some(raw.to_string()));
    }
    if raw.contains("..") || raw.contains("://") || raw.contains('\\') {
        return Err(format!(
            "invalid `image` `{raw}`: use a file beside the post, a /site/path or an https:// URL"
        ));
    }
    Ok(Some(format!(
        "{}/{}",
        Post::path(slug),
        raw.trim_start_matches("./")
    )))
}

/// A page's `updated` (else `date`) as `YYYY-MM-DD`; a bad value is reported.
pub(super) fn page_updated(p: &Parsed, diags: &mut Vec<Diagnostic>) -> Option<String> {
    let (key, raw) = match (&p.fm.updated, &p.fm.date) {
        (Some(u), _) => ("updated", u),
        (None, Some(d)) => ("date", d),
        (None, None) => return None,
    };
    match raw.parse() {
        Ok(d) => Some(d.format("%Y-%m-%d").to_string()),
        Err(msg) => {
            diags.push(diag(&p.path, p.key_line(key), 1, Severity::Error, msg));
            None
        }
    }
}

/// The page, and its text for search.
pub(super) fn build_page(
    p: &Parsed,
    ctx: &RenderContext<'_>,
    diags: &mut Vec<Diagnostic>,
) -> (Page, String) {
    let rendered = markdown::render(p.body(), ctx);
    push_render_diags(&p.path, p.body_line_offset, rendered.diagnostics, diags);
    let summary =
        p.fm.summary
            .as_deref()
            .or(p.fm.description.as_deref())
            .map(|s| plain_text(ctx.emoji, s))
            .unwrap_or(rendered.first_paragraph);
    let page = Page {
        updated: page_updated(p, diags),
        title: plain_text(ctx.emoji, p.fm.title.as_deref().unwrap_or_default().trim()),
        summary: truncate_chars(&summary, SUMMARY_MAX_CHARS),
        lang: p.fm.lang.clone().unwrap_or_else(|| "en".to_string()),
        html: rendered.html,
    };
    (page, rendered.text)
}
