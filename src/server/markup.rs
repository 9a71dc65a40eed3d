//! What leptos writes that is not valid HTML, fixed on the way out of the
//! router, so every HTML response (a cached page, `/search`, the 404 page, a
//! page `microblog export` writes) is a valid document (`make validate-html`).
//!
//! - **Hydration markers.** tachys separates adjacent text and marks empty
//!   `Option`s, `Show`s and list ends with `<!>`, a "bogus comment" to an HTML
//!   parser. Only the code that hydrates an island walks those nodes; the rest
//!   of the page is never hydrated. So outside `<leptos-island>` they are
//!   dropped, and inside they become `<!---->`: a valid comment that parses to
//!   the same empty comment node, so the island hydrates exactly as before.
//! - **Scripts after `</html>`.** leptos_axum appends its resource scripts
//!   (`__RESOLVED_RESOURCES=…`) after the shell's `</html>`. With islands,
//!   pages resolve their resources on the server and those scripts carry
//!   empty lists, which nothing reads (no island uses a resource, `Suspense`
//!   or `ErrorBoundary`): they are dropped. A script that carries data moves
//!   to the end of `<body>`, where a parser would put it anyway, and still
//!   runs before the (idle-time, module) island loader.
//!
//! - **The WASM preload.** leptos puts `<link rel="preload" as="fetch">` for
//!   the app's WASM (~125 KB) in the head, so the browser downloads it at
//!   once, beside the page's own stylesheet and images, although the island
//!   loader only starts the app in the browser's idle time, after the page is
//!   shown. The preload is dropped: the WASM is fetched when the loader runs,
//!   and the content comes first on a slow link (Lighthouse's mobile
//!   simulation counted the preloaded WASM on the way to the largest paint,
//!   BENCHMARKS.md). The small JS module keeps its `modulepreload`: under the
//!   pages' `'strict-dynamic'` policy, the loader's `import()` of it is only
//!   allowed for a module the document already preloaded.
//!
//! The rewrite uses a real HTML tokenizer (lol_html), so `<!>` inside a
//! `<script>`, `<pre>` or an attribute value is never touched.

use std::cell::Cell;
use std::rc::Rc;

use lol_html::html_content::{Comment, ContentType, Element};
use lol_html::{doc_comments, element, rewrite_str, RewriteStrSettings};

/// The element leptos wraps each hydrated island in.
const ISLAND_TAG: &str = "leptos-island";

#[derive(Debug, thiserror::Error)]
#[error("rewriting the rendered page: {0}")]
pub struct MarkupError(#[from] lol_html::errors::RewritingError);

/// The page with leptos' artefacts made valid (see the module docs).
pub fn finish(html: &str) -> Result<String, MarkupError> {
    let html = scripts_into_body(html);
    // Nesting depth of `<leptos-island>` at the current point of the stream.
    let depth = Rc::new(Cell::new(0usize));
    let enter = {
        let depth = depth.clone();
        move |el: &mut Element<'_, '_>| {
            depth.set(depth.get() + 1);
            let depth = depth.clone();
            el.on_end_tag(Box::new(move |_| {
                depth.set(depth.get().saturating_sub(1));
                Ok(())
            }))
        }
    };
    let marker = move |c: &mut Comment<'_>| {
        if c.text().is_empty() {
            if depth.get() == 0 {
                c.remove();
            } else {
                c.replace("<!---->", ContentType::Html);
            }
        }
        Ok(())
    };
    let drop = |el: &mut Element<'_, '_>| {
        el.remove();
        Ok(())
    };
    let settings = RewriteStrSettings::new()
        .append_element_content_handler(element!(ISLAND_TAG, enter))
        .append_element_content_handler(element!(
            r#"link[rel="preload"][as="fetch"][type="application/wasm"]"#,
            drop
        ))
        .append_document_content_handler(doc_comments!(marker));
    Ok(rewrite_str(&html, settings)?)
}

/// The marker tachys writes between adjacent text nodes and at list ends.
const MARKER: &str = "<!>";

/// `fragment` without hydration markers, as [`finish`] leaves a part of a
/// page outside any island. Only for tachys' own output of a view with no
/// island, no `<script>` and no raw HTML in it: tachys escapes `<` in text
/// and attribute values, so there every `<!>` is a marker, and a string
/// search finds them without the tokenizer's cost.
pub fn drop_markers(fragment: &str) -> String {
    let mut out = String::with_capacity(fragment.len());
    let mut copied = 0;
    for at in memchr::memmem::find_iter(fragment.as_bytes(), MARKER.as_bytes()) {
        out.push_str(&fragment[copied..at]);
        copied = at + MARKER.len();
    }
    out.push_str(&fragment[copied..]);
    out
}

/// What leptos' resource scripts say when there is no data in them.
const EMPTY_RESOURCE_SCRIPTS: [&str; 2] = [
    "__RESOLVED_RESOURCES=[];__SERIALIZED_ERRORS=[];__PENDING_RESOURCES=[];__RESOURCE_RESOLVERS=[];",
    "__INCOMPLETE_CHUNKS=[];",
];

/// Moves the scripts that follow the last `</html>` to just before the last
/// `</body>` in front of it, dropping those without data. Only leptos writes
/// there (its resource scripts), so nothing else moves.
fn scripts_into_body(html: &str) -> std::borrow::Cow<'_, str> {
    let Some(end) = html.rfind("</html>") else {
        return html.into();
    };
    let tail = &html[end + "</html>".len()..];
    if tail.trim().is_empty() {
        return html.into();
    }
    let Some(body_end) = html[..end].rfind("</body>") else {
        return html.into();
    };
    let kept: String = tail
        .split_inclusive("</script>")
        .map(str::trim)
        .filter(|script| {
            let content = script
                .split_once('>')
                .map_or("", |(_, rest)| rest.trim_end_matches("</script>"));
            !EMPTY_RESOURCE_SCRIPTS.contains(&content)
        })
        .collect();
    let mut out = String::with_capacity(html.len());
    out.push_str(&html[..body_end]);
    out.push_str(&kept);
    out.push_str(&html[body_end..end + "</html>".len()]);
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wasm_is_not_preloaded_but_the_module_is() {
        let head = "<html><head><link rel=\"stylesheet\" href=\"/pkg/a.css\">\
                    <link rel=\"modulepreload\" href=\"/pkg/a.js\" crossorigin=\"anonymous\">";
        let page = format!(
            "{head}<link rel=\"preload\" href=\"/pkg/a.wasm\" as=\"fetch\" \
             type=\"application/wasm\" crossorigin=\"anonymous\"></head><body></body></html>"
        );
        assert_eq!(
            finish(&page).unwrap(),
            format!("{head}</head><body></body></html>")
        );
    }

    #[test]
    fn markers_outside_islands_are_dropped() {
        let page = "<html><body><p>#<!>rust</p><ul><li>a</li><!></ul></body></html>";
        assert_eq!(
            finish(page).unwrap(),
            "<html><body><p>#rust</p><ul><li>a</li></ul></body></html>"
        );
    }

    #[test]
    fn markers_inside_islands_become_empty_comments() {
        let page = "<body><p>a<!>b</p><leptos-island data-component=\"X\"><b>1<!>2</b>\
                    <leptos-island><!></leptos-island><!></leptos-island><!></body>";
        assert_eq!(
            finish(page).unwrap(),
            "<body><p>ab</p><leptos-island data-component=\"X\"><b>1<!---->2</b>\
             <leptos-island><!----></leptos-island><!----></leptos-island></body>"
        );
    }

    #[test]
    fn drop_markers_agrees_with_finish_outside_islands() {
        let fragment = "<p>a<!>b &lt;!&gt;</p><ol><li title=\"&lt;!&gt;\">x</li><!></ol>";
        assert_eq!(drop_markers(fragment), finish(fragment).unwrap());
        assert_eq!(
            drop_markers(fragment),
            "<p>ab &lt;!&gt;</p><ol><li title=\"&lt;!&gt;\">x</li></ol>"
        );
    }

    #[test]
    fn text_that_looks_like_a_marker_is_kept() {
        let page = "<body><script>if (a<!>b) {}</script><pre>&lt;!&gt;</pre>\
                    <a title=\"x <!> y\">t</a><!-- note --></body>";
        assert_eq!(finish(page).unwrap(), page);
    }

    #[test]
    fn trailing_scripts_with_data_move_into_the_body() {
        let page = "<!DOCTYPE html><html><head></head><body><p>x</p></body></html>\
                    <script nonce=\"n\">__RESOLVED_RESOURCES=[\"1\",];__SERIALIZED_ERRORS=[];__PENDING_RESOURCES=[];__RESOURCE_RESOLVERS=[];</script>\
                    <script nonce=\"n\">__INCOMPLETE_CHUNKS=[3,];</script>";
        assert_eq!(
            finish(page).unwrap(),
            "<!DOCTYPE html><html><head></head><body><p>x</p>\
             <script nonce=\"n\">__RESOLVED_RESOURCES=[\"1\",];__SERIALIZED_ERRORS=[];__PENDING_RESOURCES=[];__RESOURCE_RESOLVERS=[];</script>\
             <script nonce=\"n\">__INCOMPLETE_CHUNKS=[3,];</script>\
             </body></html>"
        );
    }

    #[test]
    fn trailing_scripts_without_data_are_dropped() {
        let page = "<!DOCTYPE html><html><head></head><body><p>x</p></body></html>\
                    <script nonce=\"n\">__RESOLVED_RESOURCES=[];__SERIALIZED_ERRORS=[];__PENDING_RESOURCES=[];__RESOURCE_RESOLVERS=[];</script>\
                    <script nonce=\"n\">__INCOMPLETE_CHUNKS=[];</script>";
        assert_eq!(
            finish(page).unwrap(),
            "<!DOCTYPE html><html><head></head><body><p>x</p></body></html>"
        );
    }

    #[test]
    fn a_document_without_a_tail_is_unchanged() {
        for page in [
            "<html><body><p>x</p></body></html>\n",
            "<p>fragment</p>",
            "<p>no body</p></html><script>x</script>",
        ] {
            assert_eq!(finish(page).unwrap(), page);
        }
    }
}
