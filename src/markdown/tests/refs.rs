//! Hugo `{{< ref >}}` shortcodes: resolution, escapes, code that keeps them literal, broken references (`refs`).

use super::*;
use crate::markdown::refs;

/// Resolves `x.md` to `/posts/x` for any target, like a site with every page.
struct AllPages;

impl RefResolver for AllPages {
    fn resolve(&self, from: &str, target: &str) -> Result<String, ResolveError> {
        let joined =
            refs::join_relative(from, target).ok_or(ResolveError::EscapesRoot(target.into()))?;
        let stem = joined
            .rsplit('/')
            .next()
            .unwrap_or("")
            .trim_end_matches(".md");
        Ok(format!("/posts/{stem}"))
    }
}

/// Renders `md` as `posts/a.md` of a site where every reference resolves.
fn render_all_pages(md: &str) -> Rendered {
    let emoji = EmojiRenderer::default();
    let ctx = RenderContext {
        path: "posts/a.md",
        emoji: &emoji,
        resolver: &AllPages,
        terms: None,
        images: None,
    };
    render(md, &ctx)
}

#[test]
fn refs_resolve_relative_to_the_file() {
    let r = render_all_pages(
        "[x]({{< ref \"b.md\" >}}) [y]({{< relref \"../posts/c.md#part-2\" >}}) [z]({{% ref \"d.md\" %}})",
    );
    assert_has(&r.html, "href=\"/posts/b\"");
    assert_has(&r.html, "href=\"/posts/c#part-2\"");
    assert_has(&r.html, "href=\"/posts/d\"");
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
}

#[test]
fn unclosed_shortcodes_do_not_hide_later_ones() {
    // Openers without a closer, and one split by a blank line: each used to
    // rescan the rest of the text (quadratic; 80 KB took 0.8 s fuzzing).
    let noise = "{{< ".repeat(20_000);
    let md = format!(
        "{noise}\n\n{{{{< ref \"a\n\nb\" >}}}}\n\n[x]({{{{< ref \"b.md\" >}}}}) {{{{% ref \"c.md\""
    );
    let r = render_all_pages(&md);
    assert!(
        r.html.contains("href=\"/posts/b\""),
        "{}",
        &r.html[r.html.len() - 300..]
    );
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert!(
        r.html.contains("{{% ref"),
        "an unclosed shortcode stays text"
    );
}

#[test]
fn hugo_shortcode_escapes_render_literally() {
    let md = "Write {{</* ref \"x.md\" */>}} or {{%/* relref \"y.md\" */%}}; \
              {{</*figure src=\"a.png\"*/>}} too.\n\n\
              ```\n[link]({{</* ref \"x.md\" */>}})\n```\n\n\
              Inline `{{</* ref \"x.md\" */>}}` code.\n";
    let r = render_all_pages(md);
    assert_has(
        &r.html,
        "Write {{&lt; ref \"x.md\" &gt;}} or {{% relref \"y.md\" %}}",
    );
    assert_has(&r.html, "{{&lt;figure src=\"a.png\"&gt;}} too.");
    assert!(!r.html.contains("<figure"), "not HTML: {}", r.html);
    // In a code block.
    assert_has(&r.html, "[link]({{&lt; ref &quot;x.md&quot; &gt;}})");
    // In a code span.
    assert_has(&r.html, "<code>{{&lt; ref \"x.md\" &gt;}}</code>");
    assert!(!r.html.contains("/*"), "{}", r.html);
    assert!(!r.html.contains("/posts/x"), "never expanded: {}", r.html);
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
}

#[test]
fn shortcodes_in_code_are_never_expanded() {
    let md = "Use `{{< ref \"gone.md\" >}}` like this:\n\n\
              ```go\nfmt.Println(\"{{< relref \\\"gone.md\\\" >}}\")\n```\n\n\
              ~~~\n{{% ref \"gone.md\" %}}\n~~~\n\n    {{< ref \"indented.md\" >}}\n\n\
              But [this]({{< ref \"gone.md\" >}}) is a link.\n";
    let r = render_plain(md);
    assert_has(&r.html, "<code>{{&lt; ref \"gone.md\" &gt;}}</code>");
    assert_has(&r.html, "relref");
    assert_has(&r.html, "{{% ref");
    assert_has(&r.html, "indented.md");
    // Only the shortcode outside code was expanded (and is broken).
    assert_eq!(r.diagnostics.len(), 1, "{:?}", r.diagnostics);
    assert_eq!(r.diagnostics[0].line, 13, "{:?}", r.diagnostics);
    assert_eq!(
        r.html.matches("class=\"broken-ref\"").count(),
        1,
        "{}",
        r.html
    );
}

#[test]
fn broken_ref_is_an_error_and_a_marked_link() {
    let r = render_plain("Intro\n\nSee [gone]({{< ref \"../nope.md\" >}}).\n");
    assert_eq!(r.diagnostics.len(), 1);
    let d = &r.diagnostics[0];
    assert_eq!((d.line, d.severity), (3, Severity::Error));
    assert_has(&d.message, "nope.md");
    assert_has(&r.html, "<a class=\"broken-ref\"");
    assert_has(&r.html, ">gone</a>");
}

#[test]
fn join_relative_never_leaves_the_root() {
    assert_eq!(
        refs::join_relative("posts/a.md", "b.md").as_deref(),
        Some("posts/b.md")
    );
    assert_eq!(
        refs::join_relative("posts/a.md", "../about.md").as_deref(),
        Some("about.md")
    );
    assert_eq!(
        refs::join_relative("posts/a.md", "/glossary.md").as_deref(),
        Some("glossary.md")
    );
    assert_eq!(refs::join_relative("about.md", "../netlify.md"), None);
    assert_eq!(refs::join_relative("posts/a.md", "../../etc/passwd"), None);
}
