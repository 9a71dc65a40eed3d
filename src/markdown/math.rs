//! `$…$` and `$$…$$` (pulldown-cmark's math extension) rendered to MathML on
//! the server with `pulldown-latex`. Every current browser lays out MathML
//! with its own math font, so a formula costs no JavaScript and no download.
//!
//! A formula that does not parse is not rendered half-way: the caller shows
//! its source in place (as code) and reports the parser's message.

use pulldown_latex::config::DisplayMode;
use pulldown_latex::{Parser, RenderConfig, Storage};

/// `display`: a `$$…$$` block (centred, larger operators) rather than inline.
/// The LaTeX source is kept as the MathML `annotation`, so copying the
/// formula or reading it with a screen reader's "source" gives the original.
pub fn to_mathml(source: &str, display: bool) -> Result<String, String> {
    let storage = Storage::new();
    let events: Vec<_> = Parser::new(source, &storage)
        .collect::<Result<_, _>>()
        .map_err(|e| message(&e))?;
    let config = RenderConfig {
        display_mode: if display {
            DisplayMode::Block
        } else {
            DisplayMode::Inline
        },
        annotation: Some(source),
        ..RenderConfig::default()
    };
    let mut out = String::with_capacity(source.len() * 8);
    pulldown_latex::push_mathml(
        &mut out,
        events.into_iter().map(Ok::<_, std::convert::Infallible>),
        config,
    )
    .map_err(|e| format!("cannot write MathML: {e}"))?;
    Ok(out)
}

/// The parser's reason without its multi-line source excerpt: the diagnostic
/// already carries the position and stays on one line.
fn message(error: &pulldown_latex::ParserError) -> String {
    use std::error::Error as _;
    match error.source() {
        Some(reason) => reason.to_string(),
        None => error
            .to_string()
            .lines()
            .next()
            .unwrap_or_default()
            .to_string(),
    }
}

/// What a formula that failed shows: its source as typed, marked so the
/// reader sees it is unrendered math, and the reason on hover.
pub fn fallback_html(source: &str, display: bool, reason: &str) -> String {
    let fence = if display { "$$" } else { "$" };
    format!(
        "<code class=\"math-error\" title=\"{}\">{fence}{}{fence}</code>",
        super::escape_html(&format!("formula not rendered: {reason}")),
        super::escape_html(source)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_and_display_become_mathml_with_the_source_annotated() {
        let inline = to_mathml(r"1 - \frac{a}{b}", false).expect("parses");
        assert!(inline.starts_with("<math"), "{inline}");
        assert!(inline.contains("<mfrac>"), "{inline}");
        assert!(!inline.contains("display=\"block\""), "{inline}");
        assert!(inline.contains(r"\frac{a}{b}"), "source kept: {inline}");
        let block = to_mathml(r"\sum_{i=1}^{n} x_i", true).expect("parses");
        assert!(block.contains("display=\"block\""), "{block}");
        assert!(block.contains("<munderover>"), "{block}");
    }

    #[test]
    fn a_broken_formula_is_an_error_with_a_one_line_reason() {
        let err = to_mathml(r"\frac{1}{", false).expect_err("unclosed group");
        assert!(!err.is_empty() && !err.contains('\n'), "{err:?}");
        let err = to_mathml(r"\notacommand x", false).expect_err("unknown command");
        assert!(!err.contains('\n'), "{err:?}");
        let html = fallback_html("a < b", true, "why");
        assert_eq!(
            html,
            "<code class=\"math-error\" title=\"formula not rendered: why\">$$a &lt; b$$</code>"
        );
    }
}
