//! Code blocks: highlighting to classes, the promised grammars, and the contrast of the shipped colours (`highlight`).

use super::*;
use crate::markdown::highlight;

#[test]
fn code_blocks_are_highlighted_with_classes() {
    let html = render_plain("```rust\nlet x = a < b;\n```\n").html;
    assert_has(
        &html,
        "<pre class=\"hl\" data-lang=\"rust\"><code class=\"language-rust\">",
    );
    assert_has(
        &html,
        "<span class=\"hl-storage hl-type hl-rust\">let</span>",
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
    assert_has(
        &r.html,
        "<pre data-lang=\"klingon\"><code class=\"language-klingon\">&lt;qapla&#39;&gt;",
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

/// The block cache answers what the grammar would, per (language, code):
/// the same code in another language, or other code, is never served from
/// another block's entry.
#[test]
fn cached_blocks_equal_fresh_highlighting() {
    let cases = [
        ("rust", "let x = 1;\n"),
        ("python", "let x = 1;\n"),
        ("rust", "let y = 2;\n"),
        ("nosuchlang", "let x = 1;\n"),
    ];
    for _ in 0..2 {
        for (lang, code) in cases {
            assert_eq!(
                highlight::highlight_cached(lang, code).as_deref(),
                highlight::highlight(lang, code).as_deref(),
                "{lang}: {code}"
            );
        }
    }
    assert_ne!(
        highlight::highlight_cached("rust", "let x = 1;\n"),
        highlight::highlight_cached("python", "let x = 1;\n")
    );
}
