//! The plain text a document yields: summary sources and word count (`summary`).

use super::*;

#[test]
fn summary_sources() {
    let with_more = render_plain("First :rocket: part.\n\nSecond.\n\n<!--more-->\n\nRest.\n");
    assert_eq!(
        with_more.more_summary.as_deref(),
        Some("First 🚀 part. Second.")
    );
    let first = render_plain(":sunrise:\n\n## Title\n\nThe real intro, with `code`.\n\nLater.\n");
    assert_eq!(first.more_summary, None);
    assert_eq!(first.first_paragraph, "The real intro, with code.");
}

#[test]
fn word_count_skips_code() {
    let r = render_plain("one two three\n\n```\nnot counted at all\n```\n\nfour `skip` five\n");
    assert_eq!(r.words, 5);
}

/// A post with code, links, emoji, a footnote, a formula and a table.
const SEARCH_SAMPLE: &str = "## Rolling out :rocket:\n\n\
Read the [runbook](https://example.com/run) and **check**`kubectl` first.[^1]\n\n\
```rust\nfn main() { println!(\"a<b\"); }\n```\n\n\
The budget is $1 - \\frac{good}{total}$ per month.\n\n\
| Tier | SLO |\n|---|---|\n| gold | 99.9% |\n\n\
![a dashboard](/images/d.png)\n\n\
[^1]: Or ask :ghost: on call.\n";

/// The search text is what the page shows, element by element: the same as
/// the tag-stripped HTML the index used to read (heading anchor, footnote
/// numbers, emoji glyphs, link and table text, no image alt), except in two
/// places where that was an artefact of the markup: code reads as written
/// (not split at every highlighting span: `main ( ) ;`), and a formula reads
/// once, as its TeX source (not also as MathML, letter by letter: `g o o d`).
#[test]
fn search_text_is_collected_by_the_pass() {
    let r = render_plain(SEARCH_SAMPLE);
    assert_eq!(
        r.text,
        "Rolling out 🚀 # Read the runbook and check kubectl first. 1 \
         fn main() { println!(\"a<b\"); } \
         The budget is 1 - \\frac{good}{total} per month. \
         Tier SLO gold 99.9% 1 Or ask 👻 on call."
    );
    // Alt text is not on the page, but its words still count for reading time.
    let alt = render_plain("one ![two three](/x.png)\n");
    assert_eq!((alt.text.as_str(), alt.words), ("one", 3));
    // Summaries keep the text as written: no element breaks, no anchors.
    assert_eq!(
        r.first_paragraph,
        "Read the runbook and checkkubectl first."
    );
}

/// A load runs [`analyse`] and renders the HTML later: everything but the
/// HTML must be what a full render gives, diagnostics included, or lists,
/// search and `microblog check` would differ from the page.
#[test]
fn analyse_is_render_without_the_html() {
    let emoji = EmojiRenderer::new("https://emoji.test/img");
    let ctx = RenderContext {
        path: "posts/test.md",
        emoji: &emoji,
        resolver: &NoPages,
        terms: None,
        images: None,
    };
    let doc = format!(
        "{SEARCH_SAMPLE}\n## Second {{#second}}\n\nBroken $\\frac{{$ math, :no-such-emoji:, \
         [gone]({{{{< ref \"gone.md\" >}}}}).\n\n<!--more-->\n\n```python\nprint(1)\n```\n"
    );
    let full = render(&doc, &ctx);
    let light = analyse(&doc, &ctx);
    assert!(full.html.contains("hl-python"), "{}", full.html);
    assert!(!full.diagnostics.is_empty(), "the sample has problems");
    assert_eq!(light.html, "");
    assert_eq!(
        Rendered {
            html: full.html.clone(),
            ..light
        },
        full
    );
}

/// The byte-wise word count agrees with `split_whitespace` on every kind of
/// white space Rust knows, ASCII and not.
#[test]
fn word_count_matches_split_whitespace() {
    for text in [
        "",
        "   ",
        "one",
        " one  two\tthree\nfour\r\nfive\x0bsix\x0cseven ",
        "despliegue\u{a0}canario métricas\u{2003}señal\u{3000}観測 🚀 x",
        "\u{85}a\u{2028}b\u{2029}c\u{1680}d",
        "ends with accent é",
    ] {
        assert_eq!(
            super::super::summary::count_words(text),
            text.split_whitespace().count(),
            "{text:?}"
        );
    }
}

/// `render_html` skips the plain-text collection; the HTML must be the
/// bytes `render` makes, whatever the text holds (terms, emoji, the
/// `<!--more-->` marker, headings with anchors, code, images, footnotes).
#[test]
fn render_html_is_the_html_render_makes() {
    let samples = [
        SEARCH_SAMPLE,
        "Toil :rocket: and SRE.\n\n<!--more-->\n\n## Toil again\n\nMore toil, :t-rex: :nope:.\n",
        ":sunrise:\n\n## Title {#custom}\n\nThe intro, with `code` and ![alt *x*](/i.png \"t\").\n\n<!--more-->\n\n<!--more-->\n",
        "- a\n- [ ] b\n\nTerm\n: Def with SRE\n\n> quote ~~x~~\n",
        "",
    ];
    super::terms::with_terms(|ctx| {
        for md in samples {
            let full = render(md, ctx);
            assert!(md.is_empty() == full.html.is_empty(), "{md:?}");
            assert_eq!(render_html(md, ctx), full.html, "{md:?}");
        }
    });
}
