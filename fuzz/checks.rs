//! The checks behind each fuzz target, shared with `tests/fuzz_regressions.rs`
//! (which replays every input kept in `fuzz/regressions/<target>/`). Each
//! takes raw bytes, must not panic, and asserts the target's invariants.
#![allow(dead_code)]

use microblog::content::front_matter;
use microblog::markdown::refs::{expand, join_relative, NoPages, RefResolver};
use microblog::markdown::terms::{TermLinker, TermNames};
use microblog::markdown::{render as render_markdown, EmojiRenderer, RenderContext, ResolveError};

/// Front matter: BOM/CRLF clean-up, split at the fences, YAML/TOML parse.
/// Invariants: no panic; the parts are the file's own text; every error
/// points at a line of the file.
pub fn front_matter(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let text = microblog::content::normalize_source(text);
    let lines = text.lines().count().max(1);
    match front_matter::split(&text) {
        Ok(split) => {
            assert!(split.front.len() + split.body.len() <= text.len());
            assert!(text.ends_with(split.body));
            assert!(split.body_line_offset >= 1 && split.body_line_offset <= lines + 1);
            match front_matter::parse(&split) {
                Ok(fm) => {
                    for key in ["title", "date", "slug", "tags"] {
                        let line = front_matter::key_line(&split, key);
                        assert!(line >= 1 && line <= lines + 1);
                    }
                    if let Some(d) = &fm.date {
                        let _ = d.parse();
                    }
                }
                Err(e) => {
                    assert!(e.line >= 1 && e.line <= lines + 1, "{e:?} in {lines} lines");
                    assert!(!e.message.is_empty());
                }
            }
        }
        Err(e) => assert_eq!(e.line, 1),
    }
}

struct Pages;

const PAGES: [(&str, &str); 3] = [
    ("posts/a.md", "/posts/a"),
    ("posts/sub/b.md", "/posts/b"),
    ("about.md", "/about"),
];

impl RefResolver for Pages {
    fn resolve(&self, from: &str, target: &str) -> Result<String, ResolveError> {
        let joined = join_relative(from, target)
            .ok_or_else(|| ResolveError::EscapesRoot(target.to_string()))?;
        assert!(!joined.split('/').any(|s| s == ".."), "{joined}");
        PAGES
            .iter()
            .find(|(p, _)| *p == joined)
            .map(|(_, url)| url.to_string())
            .ok_or_else(|| ResolveError::NotFound(target.to_string()))
    }
}

/// `{{< ref >}}` expansion and relative-path joining, with a resolver that
/// knows a few pages. Invariants: no panic; problems and edits stay inside
/// the text; a path that resolves never climbs above the root.
pub fn refs(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (out, edits, problems) = expand(text, "posts/sub/c.md", &Pages);
    if !text.contains("{{") {
        assert_eq!(out, text);
    }
    let mut last_old = 0;
    let mut last_new = 0;
    for e in &edits {
        assert!(e.old_start >= last_old && e.old_start <= e.old_end && e.old_end <= text.len());
        assert!(e.new_start >= last_new && e.new_start <= e.new_end && e.new_end <= out.len());
        last_old = e.old_end;
        last_new = e.new_end;
    }
    for (offset, _, message) in &problems {
        assert!(*offset <= text.len());
        assert!(!message.is_empty());
    }
}

/// Emoji shortcode replacement on a text run. Invariants: no panic; the HTML
/// holds no markup but the emoji's own (the text is escaped), and nothing
/// changes when nothing matched.
pub fn emoji(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let renderer = EmojiRenderer::default();
    let out = renderer.replace(text);
    match &out.html {
        None => assert_eq!(out.plain, text),
        Some(html) => {
            let spans = html.matches("<span class=\"emoji\"").count();
            let imgs = html.matches("<img class=\"emoji\"").count();
            assert!(spans + imgs > 0);
            // Each span is `<span …>glyph</span>`, each image one tag: any other
            // `<` or `>` would be unescaped input.
            assert_eq!(html.matches('<').count(), 2 * spans + imgs, "{html}");
            assert_eq!(html.matches('>').count(), 2 * spans + imgs, "{html}");
        }
    }
    assert_eq!(out.unknown.len(), out.unknown_at.len());
    for (name, at) in out.unknown.iter().zip(&out.unknown_at) {
        let shortcode = format!(":{name}:");
        assert!(text[*at..].starts_with(&shortcode), "{name} at {at}");
    }
}

/// The whole Markdown pipeline (emoji-line protection, refs, pulldown-cmark,
/// emoji, headings, code highlighting, summary). Invariants: no panic; every
/// diagnostic names a line of the body; TOC entries have ids.
pub fn render(data: &[u8]) {
    let Ok(body) = std::str::from_utf8(data) else {
        return;
    };
    let emoji = EmojiRenderer::default();
    // Glossary linking runs in posts: fuzz it with a few terms of each kind.
    let terms = TermLinker::new([
        TermNames::new("sre", &["SRE", "Site Reliability Engineering"]),
        TermNames::new("toil", &["Toil"]),
        TermNames::new("kubernetes", &["Kubernetes", "K8s"]),
    ]);
    let ctx = RenderContext {
        path: "posts/fuzz.md",
        emoji: &emoji,
        resolver: &NoPages,
        terms: Some(&terms),
        images: None,
    };
    let out = render_markdown(body, &ctx);
    let lines = body.split('\n').count();
    for d in &out.diagnostics {
        assert!(d.line >= 1 && d.line <= lines, "{d:?} in {lines} lines");
        assert!(d.col >= 1);
    }
    for entry in &out.toc {
        assert!(!entry.id.is_empty());
        assert!((2..=3).contains(&entry.level));
    }
}
