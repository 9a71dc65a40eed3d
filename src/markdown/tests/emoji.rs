//! Emoji shortcodes: the table of cases, their positions, where they never render, and lines that start with one (`emoji`, `prepass`).

use super::*;

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
fn two_adjacent_shortcodes_give_two_emoji() {
    let out = EmojiRenderer::default().replace(":rocket::rocket:");
    assert_eq!(out.plain, "🚀🚀");
}

#[test]
fn emoji_never_in_code_or_html_or_urls() {
    let md = "Text :rocket:, code `:rocket:`.\n\n```bash\necho :rocket:\n```\n\n    indented :rocket:\n\n<span title=\":rocket:\">raw</span>\n\n[link](https://x.test/:rocket:/) <https://x.test/a:rocket:b>\n";
    let html = render_plain(md).html;
    assert_eq!(html.matches("🚀").count(), 1, "{html}");
    assert_has(&html, "<code>:rocket:</code>");
    assert_has(&html, "> :rocket:</span>");
    assert_has(&html, "indented :rocket:");
    assert_has(&html, "title=\":rocket:\"");
    assert_has(&html, "href=\"https://x.test/:rocket:/\"");
}

#[test]
fn hyphenated_names_survive_text_splitting() {
    // The parser splits text at `_` and `[`; merged text must still match.
    let html = render_plain("a :t-rex: and :white_check_mark: done").html;
    assert_has(&html, "🦖");
    assert_has(&html, "✅");
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
fn a_line_starting_with_a_shortcode_is_not_a_definition() {
    let html = render_plain(
        "A paragraph.\n\n\n:neckbeard:\n\nTerm\n: real definition\n\n```\n:keep:\n```\n",
    )
    .html;
    assert_has(&html, "<img class=\"emoji\" alt=\":neckbeard:\"");
    assert!(
        html.contains("<dd>real definition</dd>") || html.contains("<dd>\n<p>real definition"),
        "{html}"
    );
    assert_has(&html, ":keep:");
    assert_eq!(html.matches("<dt>").count(), 1, "{html}");
}
