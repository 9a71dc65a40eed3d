//! Heading ids and anchors: GitHub-style slugs, uniqueness, ids the page reserves, `<a name>` anchors (`headings`).

use super::*;
use crate::markdown::headings;

#[test]
fn many_identical_headings_get_numbered_ids_without_rescanning() {
    // Each duplicate used to try `-1`, `-2`, … from the start: 20,000 equal
    // headings took 80 s in the fuzz build.
    let md = "## Same\n\n".repeat(20_000);
    let r = render_plain(&md);
    assert_eq!(r.toc.len(), 20_000);
    assert_eq!(r.toc[0].id, "same");
    assert_eq!(r.toc[1].id, "same-1");
    assert_eq!(r.toc[19_999].id, "same-19999");
    let unique: std::collections::HashSet<&str> = r.toc.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(unique.len(), 20_000);
}

#[test]
fn name_anchors_become_id_anchors() {
    let md = "<a name=\"lmao\"></a>\n\n## Setup\n\nInline <a name=\"x\"></a> and <a name=\"y\" id=\"z\">kept id</a>, \
              a link <a href=\"/about\" name=\"w\">stays</a>.\n";
    let r = render_plain(md);
    assert_has(&r.html, "<a id=\"lmao\"></a>");
    assert_has(&r.html, "Inline <a id=\"x\"></a>");
    assert_has(&r.html, "<a id=\"z\">kept id</a>");
    assert_has(&r.html, "<a href=\"/about\" name=\"w\">");
    assert!(!r.html.contains("name=\"lmao\""), "{}", r.html);
}

#[test]
fn heading_ids_avoid_the_ids_of_the_page() {
    let md = "## Content\n\n## More\n\n### Explicit {#search-suggestions}\n\n## Term card toil\n";
    let r = render_plain(md);
    for id in [
        "content-1",
        "more-1",
        "search-suggestions-1",
        "section-term-card-toil",
    ] {
        assert!(
            r.html.contains(&format!(" id=\"{id}\"")),
            "{id}: {}",
            r.html
        );
    }
    let warnings: Vec<String> = r.diagnostics.iter().map(|d| d.message.clone()).collect();
    assert_eq!(
        warnings,
        ["heading id `search-suggestions` is one the page itself uses; the heading gets `search-suggestions-1`"]
    );
}

#[test]
fn heading_ids_are_github_style_and_unique() {
    let md = "<a name=\"setup\"></a>\n\n## Setup\n\n## Setup\n\n## Año nuevo: ¡hola!\n\n### Custom {#mine}\n\n## The Icons :shipit:\n";
    let r = render_plain(md);
    assert_has(&r.html, "<h2 id=\"setup-1\">");
    assert_has(&r.html, "<h2 id=\"setup-2\">");
    assert_has(&r.html, "<h2 id=\"año-nuevo-hola\">");
    assert_has(&r.html, "<h3 id=\"mine\">");
    // Anchor link.
    assert_has(&r.html, "href=\"#setup-1\"");
    let toc: Vec<(u8, &str)> = r.toc.iter().map(|e| (e.level, e.id.as_str())).collect();
    assert_eq!(
        toc,
        [
            (2, "setup-1"),
            (2, "setup-2"),
            (2, "año-nuevo-hola"),
            (3, "mine"),
            (2, "the-icons-shipit")
        ]
    );
}

#[test]
fn slugify_rules() {
    assert_eq!(headings::slugify("Hello, World!"), "hello-world");
    assert_eq!(headings::slugify("CI/CD & GitOps"), "cicd--gitops");
    assert_eq!(headings::slugify("Observabilidad"), "observabilidad");
    assert_eq!(headings::slugify("LMAO 🔭"), "lmao");
}

#[test]
fn raw_html_passes_through() {
    let html =
        render_plain("<a name=\"lmao\"></a>\n### LMAO\n\n<div class=\"x\">kept</div>\n").html;
    assert!(
        html.contains("<a id=\"lmao\"></a>"),
        "name anchors become ids: {html}"
    );
    assert_has(&html, "<div class=\"x\">kept</div>");
}
