//! Tests of the Markdown pipeline through [`render`], one file per seam of
//! the pipeline (below `tests/`); the helpers they share are here.

use super::refs::NoPages;
use super::*;

mod emoji;
mod headings;
mod highlight;
mod math;
mod refs;
mod summary;
mod terms;

/// Asserts that `text` (usually HTML) contains `needle`, showing all of it when not.
#[track_caller]
fn assert_has(text: &str, needle: &str) {
    assert!(text.contains(needle), "{needle:?} not in:\n{text}");
}

fn render_plain(md: &str) -> Rendered {
    let emoji = EmojiRenderer::new("https://emoji.test/img");
    let ctx = RenderContext {
        path: "posts/test.md",
        emoji: &emoji,
        resolver: &NoPages,
        terms: None,
        images: None,
    };
    render(md, &ctx)
}

#[test]
fn extensions_are_on_and_smart_punctuation_off() {
    let md = "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ \"quoted\" -- dash\n\n- [x] done\n\nNote[^1]\n\n[^1]: The note.\n\nTerm\n: Definition\n";
    let html = render_plain(md).html;
    assert_has(&html, "<table>");
    assert_has(&html, "<del>old</del>");
    assert!(
        html.contains("&quot;quoted&quot; -- dash") || html.contains("\"quoted\" -- dash"),
        "{html}"
    );
    assert_has(&html, "type=\"checkbox\"");
    assert_has(&html, "footnote-definition");
    assert_has(&html, "<dl>");
}
