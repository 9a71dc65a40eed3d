//! Escaping for the few places where a content or request string reaches output
//! that no library escapes for us. Everything else is escaped where it is
//! written: Leptos escapes element text and attributes, `atom_syndication` and
//! `rss` escape feed XML, the sitemap writer escapes its `<loc>`s, and the JSON
//! access log escapes its fields.
//!
//! The gaps, and why each function exists:
//! - `leptos_meta` 0.8.7 writes the `<title>` text raw on the server
//!   (`MetaContext::dehydrate` pushes `Title::as_string()` unchanged), so a post
//!   title `</title><meta http-equiv=refresh …>` would become markup in `<head>`:
//!   [`title_text`] is applied by the one title formatter in `app.rs`.
//! - JSON inside `<script>` (JSON-LD, the site-info block) ends at the first
//!   `</script` and changes tokenizer state at `<!--`: [`script_json`].
//! - Human-readable logs and `microblog check` print content-derived messages; a
//!   newline in a front-matter value must not start a forged line: [`log_text`].

use std::borrow::Cow;

/// `json` made safe to embed as the text of a `<script>` element.
///
/// `<`, `>` and `&` become their `\u` escapes, which every JSON parser reads
/// back as the same characters, so neither `</script>` nor `<!--` can occur.
/// U+2028/U+2029 are escaped too: they are valid in JSON but end a line in
/// older JavaScript engines.
pub fn script_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Text for the inside of `<title>` as the server writes it (see the module
/// doc): `&`, `<` and `>` as entities. Only the server needs this; in the
/// browser the title is set through `document.title`, which takes plain text.
pub fn title_text(text: &str) -> Cow<'_, str> {
    if text.contains(['&', '<', '>']) {
        Cow::Owned(
            text.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;"),
        )
    } else {
        Cow::Borrowed(text)
    }
}

/// `text` with control characters (newlines, carriage returns, escapes, …)
/// written as Rust escapes, so one message stays one line in a log or a
/// terminal. Printable text, accents and emoji included, is kept as it is.
pub fn log_text(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_round_trips_and_hides_markup() {
        let value = serde_json::json!({
            "t": "</script><!-- x & y > z \u{2028}",
        });
        let safe = script_json(&value.to_string());
        for needle in ["</", "<!--", "<", ">", "&", "\u{2028}"] {
            assert!(!safe.contains(needle), "{needle:?} left in {safe}");
        }
        let back: serde_json::Value = serde_json::from_str(&safe).expect("still JSON");
        assert_eq!(back, value);
    }

    #[test]
    fn title_text_escapes_only_markup_characters() {
        assert_eq!(
            title_text("Ends </title> & \"quoted\" café"),
            "Ends &lt;/title&gt; &amp; \"quoted\" café"
        );
        assert!(matches!(title_text("plain – text"), Cow::Borrowed(_)));
        // `&#x3C;` must stay text, not become `<` after decoding.
        assert_eq!(title_text("&#x3C;b>"), "&amp;#x3C;b&gt;");
    }

    #[test]
    fn log_text_keeps_one_line() {
        let forged = "bad slug\n2026-01-01T00:00:00Z ERROR forged\r\u{1b}[31m";
        let shown = log_text(forged);
        assert!(!shown.contains(['\n', '\r', '\u{1b}']), "{shown}");
        assert!(shown.contains("\\n2026"));
        assert_eq!(log_text("ñandú 🚀 ok"), "ñandú 🚀 ok");
    }
}
