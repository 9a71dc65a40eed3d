use super::refs::NoPages;
use super::*;

fn render_plain(md: &str) -> Rendered {
    let emoji = EmojiRenderer::new("https://emoji.test/img");
    let ctx = RenderContext {
        path: "posts/test.md",
        emoji: &emoji,
        resolver: &NoPages,
        terms: None,
    };
    render(md, &ctx)
}

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

#[test]
fn emoji_table() {
    let r = EmojiRenderer::new("https://emoji.test/img");
    // (input, expected html or None when untouched, unknown names)
    let cases: &[(&str, Option<&str>, &[&str])] = &[
        (
            "go :rocket:",
            Some("go <span class=\"emoji\" role=\"img\" aria-label=\"rocket\">🚀</span>"),
            &[],
        ),
        (
            ":shipit:",
            Some("<img class=\"emoji\" alt=\":shipit:\" title=\":shipit:\" width=\"20\" height=\"20\" src=\"https://emoji.test/img/shipit.png\">"),
            &[],
        ),
        (":+1:", Some("<span class=\"emoji\" role=\"img\" aria-label=\"+1\">👍</span>"), &[]),
        (":-1:", Some("<span class=\"emoji\" role=\"img\" aria-label=\"-1\">👎</span>"), &[]),
        (":t-rex:", Some("<span class=\"emoji\" role=\"img\" aria-label=\"t-rex\">🦖</span>"), &[]),
        (":e-mail:", Some("<span class=\"emoji\" role=\"img\" aria-label=\"e-mail\">📧</span>"), &[]),
        ("at 10:30:00 sharp", None, &[]),
        ("::x::", None, &[]),
        ("see a:b:c here", None, &[]),
        ("https://example.com:8080/x", None, &[]),
        (":not_an_emoji_name:", None, &["not_an_emoji_name"]),
        ("a < b :fire:", Some("a &lt; b <span class=\"emoji\" role=\"img\" aria-label=\"fire\">🔥</span>"), &[]),
    ];
    for (input, html, unknown) in cases {
        let out = r.replace(input);
        assert_eq!(out.html.as_deref(), *html, "html for {input:?}");
        assert_eq!(out.unknown, *unknown, "unknown names for {input:?}");
    }
}

#[test]
fn unknown_shortcodes_carry_their_offsets() {
    let text = "é :nope: :rocket: :nada: :nope:";
    let out = EmojiRenderer::default().replace(text);
    assert_eq!(out.unknown, ["nope", "nada", "nope"]);
    assert_eq!(out.unknown_at, [3, 19, 26]);
    // Thousands of distinct unknown names in one paragraph: each diagnostic
    // is placed from its offset (no search per name, which was quadratic).
    let many: String = (0..3000).map(|i| format!(":zz{i}: ")).collect();
    let rendered = render_plain(&many);
    assert_eq!(rendered.diagnostics.len(), 3000);
    assert_eq!(
        (
            rendered.diagnostics[2999].line,
            rendered.diagnostics[2999].col
        ),
        (1, many.rfind(":zz2999:").map_or(0, |i| i + 1))
    );
}

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
fn two_adjacent_shortcodes_give_two_emoji() {
    let out = EmojiRenderer::default().replace(":rocket::rocket:");
    assert_eq!(out.plain, "🚀🚀");
}

#[test]
fn emoji_never_in_code_or_html_or_urls() {
    let md = "Text :rocket:, code `:rocket:`.\n\n```bash\necho :rocket:\n```\n\n    indented :rocket:\n\n<span title=\":rocket:\">raw</span>\n\n[link](https://x.test/:rocket:/) <https://x.test/a:rocket:b>\n";
    let html = render_plain(md).html;
    assert_eq!(html.matches("🚀").count(), 1, "{html}");
    assert!(html.contains("<code>:rocket:</code>"), "{html}");
    assert!(html.contains("> :rocket:</span>"), "{html}");
    assert!(html.contains("indented :rocket:"), "{html}");
    assert!(html.contains("title=\":rocket:\""), "{html}");
    assert!(html.contains("href=\"https://x.test/:rocket:/\""), "{html}");
}

#[test]
fn hyphenated_names_survive_text_splitting() {
    // The parser splits text at `_` and `[`; merged text must still match.
    let html = render_plain("a :t-rex: and :white_check_mark: done").html;
    assert!(html.contains("🦖"), "{html}");
    assert!(html.contains("✅"), "{html}");
}

#[test]
fn unknown_emoji_is_a_warning_with_position() {
    let r = render_plain("first line\n\nsecond :nopenope: here\n");
    assert_eq!(r.diagnostics.len(), 1);
    let d = &r.diagnostics[0];
    assert_eq!((d.line, d.col, d.severity), (3, 8, Severity::Warning));
    assert!(d.message.contains(":nopenope:"));
    assert!(r.html.contains(":nopenope:"), "left literal");
}

#[test]
fn refs_resolve_relative_to_the_file() {
    let emoji = EmojiRenderer::default();
    let ctx = RenderContext {
        path: "posts/a.md",
        emoji: &emoji,
        resolver: &AllPages,
        terms: None,
    };
    let r = render(
        "[x]({{< ref \"b.md\" >}}) [y]({{< relref \"../posts/c.md#part-2\" >}}) [z]({{% ref \"d.md\" %}})",
        &ctx,
    );
    assert!(r.html.contains("href=\"/posts/b\""), "{}", r.html);
    assert!(r.html.contains("href=\"/posts/c#part-2\""), "{}", r.html);
    assert!(r.html.contains("href=\"/posts/d\""), "{}", r.html);
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
    let emoji = EmojiRenderer::default();
    let ctx = RenderContext {
        path: "posts/a.md",
        emoji: &emoji,
        resolver: &AllPages,
        terms: None,
    };
    let r = render(&md, &ctx);
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
    let emoji = EmojiRenderer::default();
    let ctx = RenderContext {
        path: "posts/a.md",
        emoji: &emoji,
        resolver: &AllPages,
        terms: None,
    };
    let md = "Write {{</* ref \"x.md\" */>}} or {{%/* relref \"y.md\" */%}}; \
              {{</*figure src=\"a.png\"*/>}} too.\n\n\
              ```\n[link]({{</* ref \"x.md\" */>}})\n```\n\n\
              Inline `{{</* ref \"x.md\" */>}}` code.\n";
    let r = render(md, &ctx);
    assert!(
        r.html
            .contains("Write {{&lt; ref \"x.md\" &gt;}} or {{% relref \"y.md\" %}}"),
        "{}",
        r.html
    );
    assert!(
        r.html.contains("{{&lt;figure src=\"a.png\"&gt;}} too."),
        "{}",
        r.html
    );
    assert!(!r.html.contains("<figure"), "not HTML: {}", r.html);
    assert!(
        r.html
            .contains("[link]({{&lt; ref &quot;x.md&quot; &gt;}})"),
        "in a code block: {}",
        r.html
    );
    assert!(
        r.html.contains("<code>{{&lt; ref \"x.md\" &gt;}}</code>"),
        "in a code span: {}",
        r.html
    );
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
    assert!(
        r.html
            .contains("<code>{{&lt; ref \"gone.md\" &gt;}}</code>"),
        "{}",
        r.html
    );
    assert!(r.html.contains("relref"), "{}", r.html);
    assert!(r.html.contains("{{% ref"), "{}", r.html);
    assert!(r.html.contains("indented.md"), "{}", r.html);
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
    assert!(d.message.contains("nope.md"), "{}", d.message);
    assert!(r.html.contains("<a class=\"broken-ref\""), "{}", r.html);
    assert!(r.html.contains(">gone</a>"), "{}", r.html);
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

#[test]
fn heading_ids_are_github_style_and_unique() {
    let md = "<a name=\"setup\"></a>\n\n## Setup\n\n## Setup\n\n## Año nuevo: ¡hola!\n\n### Custom {#mine}\n\n## The Icons :shipit:\n";
    let r = render_plain(md);
    assert!(r.html.contains("<h2 id=\"setup-1\">"), "{}", r.html);
    assert!(r.html.contains("<h2 id=\"setup-2\">"), "{}", r.html);
    assert!(r.html.contains("<h2 id=\"año-nuevo-hola\">"), "{}", r.html);
    assert!(r.html.contains("<h3 id=\"mine\">"), "{}", r.html);
    assert!(
        r.html.contains("href=\"#setup-1\""),
        "anchor link: {}",
        r.html
    );
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
    assert!(html.contains("<a name=\"lmao\"></a>"), "{html}");
    assert!(html.contains("<div class=\"x\">kept</div>"), "{html}");
}

#[test]
fn extensions_are_on_and_smart_punctuation_off() {
    let md = "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ \"quoted\" -- dash\n\n- [x] done\n\nNote[^1]\n\n[^1]: The note.\n\nTerm\n: Definition\n";
    let html = render_plain(md).html;
    assert!(html.contains("<table>"), "{html}");
    assert!(html.contains("<del>old</del>"), "{html}");
    assert!(
        html.contains("&quot;quoted&quot; -- dash") || html.contains("\"quoted\" -- dash"),
        "{html}"
    );
    assert!(html.contains("type=\"checkbox\""), "{html}");
    assert!(html.contains("footnote-definition"), "{html}");
    assert!(html.contains("<dl>"), "{html}");
}

#[test]
fn code_blocks_are_highlighted_with_classes() {
    let html = render_plain("```rust\nlet x = a < b;\n```\n").html;
    assert!(
        html.contains("<pre class=\"hl\" data-lang=\"rust\"><code class=\"language-rust\">"),
        "{html}"
    );
    assert!(
        html.contains("<span class=\"hl-storage hl-type hl-rust\">let</span>"),
        "{html}"
    );
    assert!(html.contains("&lt;"), "escaped: {html}");
    assert!(
        !html.contains("style="),
        "classes, never inline colours: {html}"
    );
}

#[test]
fn every_promised_language_has_a_grammar() {
    for lang in [
        "rust",
        "python",
        "bash",
        "shell",
        "sh",
        "yaml",
        "yml",
        "toml",
        "json",
        "hcl",
        "terraform",
        "dockerfile",
        "go",
        "javascript",
        "typescript",
        "ts",
        "sql",
    ] {
        assert!(
            highlight::find_syntax(lang).is_some(),
            "no grammar for {lang}"
        );
    }
}

#[test]
fn unknown_language_is_plain_escaped_code() {
    let r = render_plain("```klingon\n<qapla'>\n```\n");
    assert!(
        r.html.contains(
            "<pre data-lang=\"klingon\"><code class=\"language-klingon\">&lt;qapla&#39;&gt;"
        ),
        "{}",
        r.html
    );
    assert!(r.diagnostics.is_empty());
}

#[test]
fn every_highlight_colour_meets_aa_contrast_on_its_background() {
    use highlight::{contrast, parse_hex, DARK_CODE_BG, LIGHT_CODE_BG, MIN_CONTRAST};
    let css = highlight::theme_css().expect("themes render to CSS");
    let (light, dark) = css
        .split_once(":root[data-theme=\"dark\"]")
        .expect("light rules come before the dark ones");
    let mut checked = 0;
    for (part, bg) in [(light, LIGHT_CODE_BG), (dark, DARK_CODE_BG)] {
        for hex in part
            .lines()
            .filter_map(|l| l.trim().strip_prefix("color: #"))
        {
            let c = parse_hex(hex).expect("six hex digits");
            assert!(contrast(c, bg) >= MIN_CONTRAST, "#{hex} on {bg:?}");
            checked += 1;
        }
    }
    assert!(checked > 40, "only {checked} colours found");
    // The backgrounds are the stylesheet's own.
    let base = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/style/_base.scss"))
        .expect("style/_base.scss");
    let code_bgs: Vec<[u8; 3]> = base
        .lines()
        .filter_map(|l| l.trim().strip_prefix("--code-bg: #"))
        .filter_map(parse_hex)
        .collect();
    assert_eq!(code_bgs, vec![LIGHT_CODE_BG, DARK_CODE_BG]);
}

#[test]
fn contrast_is_the_wcag_ratio() {
    use highlight::contrast;
    assert!((contrast([0, 0, 0], [255, 255, 255]) - 21.0).abs() < 1e-9);
    assert!((contrast([0x77, 0x77, 0x77], [255, 255, 255]) - 4.48).abs() < 0.01);
}

#[test]
fn syntax_css_is_up_to_date() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("style/_syntax.scss");
    let css = highlight::theme_css().expect("themes render to CSS");
    assert!(css.contains(".hl-keyword"), "{css}");
    if std::env::var_os("UPDATE_SYNTAX_CSS").is_some() {
        std::fs::write(&path, &css).expect("write style/_syntax.scss");
    }
    let shipped = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        shipped == css,
        "style/_syntax.scss is stale: run UPDATE_SYNTAX_CSS=1 cargo test --features ssr syntax_css"
    );
}

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

#[test]
fn a_line_starting_with_a_shortcode_is_not_a_definition() {
    let html = render_plain(
        "A paragraph.\n\n\n:neckbeard:\n\nTerm\n: real definition\n\n```\n:keep:\n```\n",
    )
    .html;
    assert!(
        html.contains("<img class=\"emoji\" alt=\":neckbeard:\""),
        "{html}"
    );
    assert!(
        html.contains("<dd>real definition</dd>") || html.contains("<dd>\n<p>real definition"),
        "{html}"
    );
    assert!(html.contains(":keep:"), "{html}");
    assert_eq!(html.matches("<dt>").count(), 1, "{html}");
}

fn render_with_terms(md: &str) -> Rendered {
    use super::terms::TermNames;
    let emoji = EmojiRenderer::default();
    let linker = TermLinker::new([
        TermNames {
            id: "toil",
            names: vec!["Toil"],
        },
        TermNames {
            id: "sre",
            names: vec!["SRE"],
        },
        TermNames {
            id: "ansible",
            names: vec!["Ansible"],
        },
    ]);
    let ctx = RenderContext {
        path: "posts/test.md",
        emoji: &emoji,
        resolver: &NoPages,
        terms: Some(&linker),
    };
    render(md, &ctx)
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
    assert!(r.html.contains(
        "<a class=\"term\" href=\"/glossary#toil\" data-term=\"toil\" aria-describedby=\"term-card-toil\">Toil</a> is toil."
    ), "{}", r.html);
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
    assert!(
        r.html.contains("<a class=\"term\" href=\"/glossary#toil\" data-term=\"toil\" aria-describedby=\"term-card-toil\" title=\"def\">Toil</a> then toil again."),
        "{}",
        r.html
    );
    assert_eq!(r.terms, vec!["toil"]);
}
