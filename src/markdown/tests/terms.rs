//! Glossary terms linked on first mention (`terms`).

use super::*;
use crate::markdown::terms::TermNames;

/// Runs `f` with a context whose glossary has `toil`, `sre` and `ansible`.
pub(super) fn with_terms<R>(f: impl FnOnce(&RenderContext<'_>) -> R) -> R {
    let emoji = EmojiRenderer::default();
    let linker = TermLinker::new([
        TermNames::new("toil", &["Toil"]),
        TermNames::new("sre", &["SRE"]),
        TermNames::new("ansible", &["Ansible"]),
    ]);
    f(&RenderContext {
        path: "posts/test.md",
        emoji: &emoji,
        resolver: &NoPages,
        terms: Some(&linker),
        images: None,
    })
}

fn render_with_terms(md: &str) -> Rendered {
    with_terms(|ctx| render(md, ctx))
}

#[test]
fn first_mention_of_each_glossary_term_is_linked_once() {
    let r = render_with_terms("Toil is toil. An SRE hates toil :rocket: and SRE work.");
    assert_eq!(
        r.html.matches("href=\"/glossary#toil\"").count(),
        1,
        "{}",
        r.html
    );
    assert_has(&r.html, "<a class=\"term\" href=\"/glossary#toil\" data-term=\"toil\" aria-describedby=\"term-card-toil\">Toil</a> is toil.");
    assert_eq!(r.html.matches("/glossary#sre").count(), 1);
    assert!(r.html.contains("🚀"), "emoji still rendered around links");
    assert_eq!(r.terms, vec!["toil", "sre"]);
    assert_eq!(r.words, 11, "linking does not change the word count");
}

#[test]
fn terms_are_not_linked_in_code_headings_or_links() {
    let r = render_with_terms(
        "## Toil\n\n`SRE` and\n\n```\nAnsible toil\n```\n\n[toil and SRE](https://x.test) ![Ansible](a.png)\n",
    );
    assert!(!r.html.contains("class=\"term\""), "{}", r.html);
    assert!(r.terms.is_empty());
}

#[test]
fn an_authors_own_glossary_link_gets_the_card_and_counts_as_the_mention() {
    let r = render_with_terms("[Toil](/glossary#toil \"def\") then toil again.");
    assert_has(&r.html, "<a class=\"term\" href=\"/glossary#toil\" data-term=\"toil\" aria-describedby=\"term-card-toil\" title=\"def\">Toil</a> then toil again.");
    assert_eq!(r.terms, vec!["toil"]);
}
