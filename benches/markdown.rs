//! Markdown pipeline throughput (MB/s of Markdown in) against plain
//! `pulldown_cmark::html::push_html` of the same text with the same parser
//! options: the limit, since the pipeline is that parse plus emoji, refs,
//! heading ids, glossary links and code highlighting. Run with `make bench-markdown`.
//!
//! Input: the bodies of the shipped posts, concatenated. "No highlighting" is
//! the same text with the fence languages removed, so code blocks are only
//! escaped.

use microblog::content::{glossary, LoadOptions, Site};
use microblog::markdown::{self, refs::NoPages, EmojiRenderer, RenderContext, TermLinker};

fn main() {
    divan::main();
}

/// The bodies (front matter removed) of `content/posts/*.md`.
fn corpus() -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content/posts");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("content/posts")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    let mut out = String::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("post");
        let body = text.splitn(3, "---\n").nth(2).unwrap_or(&text);
        out.push_str(body);
        out.push_str("\n\n");
    }
    out
}

/// The corpus with every fence's language dropped (```rust → ```).
fn without_languages(text: &str) -> String {
    text.lines()
        .map(|l| {
            let t = l.trim_start();
            if t.starts_with("```") {
                "```"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn plain(text: &str) -> String {
    let mut html = String::with_capacity(text.len() * 2);
    pulldown_cmark::html::push_html(
        &mut html,
        pulldown_cmark::Parser::new_ext(text, markdown::options()),
    );
    html
}

/// The shipped glossary's terms, linked on first mention as in real posts.
fn terms() -> TermLinker {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let site = Site::load(&dir, &LoadOptions::default()).expect("content/ loads");
    glossary::term_linker(site.glossary().expect("content/glossary.md"))
}

fn pipeline(text: &str, emoji: &EmojiRenderer, terms: &TermLinker) -> String {
    let ctx = RenderContext {
        path: "posts/bench.md",
        emoji,
        resolver: &NoPages,
        terms: Some(terms),
        images: None,
    };
    markdown::render(text, &ctx).html
}

#[divan::bench]
fn pulldown_cmark_push_html(b: divan::Bencher<'_, '_>) {
    let text = corpus();
    b.counter(divan::counter::BytesCount::of_str(&text))
        .bench(|| plain(divan::black_box(&text)));
}

#[divan::bench]
fn pipeline_with_highlighting(b: divan::Bencher<'_, '_>) {
    let text = corpus();
    let emoji = EmojiRenderer::default();
    let terms = terms();
    b.counter(divan::counter::BytesCount::of_str(&text))
        .bench(|| pipeline(divan::black_box(&text), &emoji, &terms));
}

#[divan::bench]
fn pulldown_cmark_push_html_no_languages(b: divan::Bencher<'_, '_>) {
    let text = without_languages(&corpus());
    b.counter(divan::counter::BytesCount::of_str(&text))
        .bench(|| plain(divan::black_box(&text)));
}

#[divan::bench]
fn pipeline_without_highlighting(b: divan::Bencher<'_, '_>) {
    let text = without_languages(&corpus());
    let emoji = EmojiRenderer::default();
    let terms = terms();
    b.counter(divan::counter::BytesCount::of_str(&text))
        .bench(|| pipeline(divan::black_box(&text), &emoji, &terms));
}
