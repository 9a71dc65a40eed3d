//! `/search?q=…` without rendering the whole page for every query.
//!
//! Rendering the results page through the router (Leptos SSR, `leptos_meta`,
//! the `lol_html` pass of `markup::finish`, the script hashes) cost about
//! as much CPU as the search itself at 10,000 posts (BENCHMARKS.md), yet
//! for a searchable query only two things on the page depend on the query:
//! its text (the title, the social titles, the form's input) and the answer
//! (`routes::search::SearchAnswer`: the summary and the hits). Everything
//! else depends on the content snapshot and the build.
//!
//! So the page is rendered once per snapshot, through the real route, for a
//! sentinel query ([`SENTINEL`]), and cut at the sentinel into a
//! [`Template`]: the text around the holes. A request then runs the search,
//! renders only `SearchAnswer` (tachys, no router, no head, no rewriter)
//! and fills the holes, escaping the query as Leptos would in each place
//! (`escape::title_text` in `<title>`, `html_escape`'s double-quoted
//! attribute escaping, which tachys uses, in attribute values). The
//! response headers (content type, the CSP with the page's script hashes:
//! the answer holds no script) are the sentinel render's.
//!
//! Why the bytes are the same as the full render's:
//! - **Same parser.** The query is read from the address with
//!   `leptos_router`'s own parser, as the route reads it, and searched with
//!   the same call (`Site::search`); whether it is searchable is decided on
//!   the answer, as `SearchView` decides.
//! - **Same markup.** The answer is the component the page renders, and
//!   the template is cut from the route's own finished output, so neither
//!   can drift from the page; tests/search_page.rs renders many queries
//!   (hostile text, unicode, no hits, long) both ways and compares bytes
//!   and headers.
//! - **Checked cut.** Each hole must sit where its escaping is right (in
//!   `<title>` text or inside a double-quoted attribute value); a sentinel
//!   anywhere else (say, a future change shows the query as body text) and
//!   the snapshot is served by the full render, with a warning.
//! - **What is left to the full render:** queries that are not searchable
//!   (the empty query: the export's `/search`, and the page whose island
//!   answers from the address), requests before the search index is built,
//!   addresses carrying Leptos' own action-error keys, and anything but GET
//!   (`http::conditional` turns HEAD into GET before this layer).

use std::sync::Arc;

use arc_swap::ArcSwapOption;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use http_body_util::BodyExt;

use crate::content::{Pinned, Site};
use crate::model::SearchResults;

/// The word the template is rendered for: searchable, and in no content
/// (its answer is cut out anyway, whatever it finds).
const SENTINEL: &str = "microblogsearchshellzq7";

/// The sentinel as typed: tabs around it, so the places that show the query
/// as typed (the form's value) can be told from those that show it trimmed.
const SENTINEL_TYPED: &str = "\tmicroblogsearchshellzq7\t";

/// [`SENTINEL_TYPED`] in an address.
const SENTINEL_QUERY_STRING: &str = "q=%09microblogsearchshellzq7%09";

/// What goes into one hole of the template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hole {
    /// The trimmed query in `<title>` text.
    Title,
    /// The trimmed query in a double-quoted attribute value.
    Attr,
    /// The query as typed in a double-quoted attribute value.
    TypedAttr,
    /// The answer (`SearchAnswer`).
    Answer,
}

#[derive(Debug)]
enum Piece {
    Text(Box<str>),
    Hole(Hole),
}

/// Why a sentinel render cannot be cut into a template.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("the sentinel page answered {0}")]
    Status(StatusCode),
    #[error("reading the sentinel page: {0}")]
    Body(axum::Error),
    #[error("the sentinel page is not UTF-8")]
    NotUtf8,
    #[error("the answer is not in the sentinel page exactly once")]
    Answer,
    #[error("the query shows at byte {0} in a place whose escaping is not known")]
    Context(usize),
}

/// The results page of one snapshot, cut around its query-dependent parts.
#[derive(Debug)]
pub struct Template {
    pieces: Vec<Piece>,
    /// Bytes of the text pieces.
    text_len: usize,
    /// The sentinel render's headers (no `Content-Length`).
    headers: HeaderMap,
}

impl Template {
    /// Cuts `page`, rendered for [`SENTINEL_TYPED`], whose answer rendered
    /// alone is `answer`.
    fn cut(page: &str, answer: &str, headers: HeaderMap) -> Result<Template, TemplateError> {
        let at = page.find(answer).ok_or(TemplateError::Answer)?;
        if answer.is_empty() || page.rfind(answer) != Some(at) {
            return Err(TemplateError::Answer);
        }
        let mut holes = vec![(at, at + answer.len(), Hole::Answer)];
        for (from, to) in [(0, at), (at + answer.len(), page.len())] {
            let part = &page[from..to];
            let mut typed = Vec::new();
            for (i, _) in part.match_indices(SENTINEL_TYPED) {
                typed.push((from + i, from + i + SENTINEL_TYPED.len()));
                holes.push((from + i, from + i + SENTINEL_TYPED.len(), Hole::TypedAttr));
            }
            for (i, _) in part.match_indices(SENTINEL) {
                let start = from + i;
                if typed.iter().any(|&(s, e)| s <= start && start < e) {
                    continue;
                }
                holes.push((start, start + SENTINEL.len(), context(page, start)?));
            }
        }
        for &(start, _, hole) in &holes {
            if hole == Hole::TypedAttr && context(page, start)? != Hole::Attr {
                return Err(TemplateError::Context(start));
            }
        }
        holes.sort_by_key(|&(start, _, _)| start);
        let mut pieces = Vec::with_capacity(holes.len() * 2 + 1);
        let mut copied = 0;
        for (start, end, hole) in holes {
            pieces.push(Piece::Text(page[copied..start].into()));
            pieces.push(Piece::Hole(hole));
            copied = end;
        }
        pieces.push(Piece::Text(page[copied..].into()));
        let text_len = pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.len(),
                Piece::Hole(_) => 0,
            })
            .sum();
        Ok(Template {
            pieces,
            text_len,
            headers,
        })
    }

    /// The page for `query` (as typed, as the search cut it), whose answer
    /// rendered alone is `answer`.
    fn fill(&self, query: &str, answer: &str) -> String {
        let shown = query.trim();
        let title = crate::escape::title_text(shown);
        let attr = html_escape::encode_double_quoted_attribute(shown);
        let typed = html_escape::encode_double_quoted_attribute(query);
        let mut out = String::with_capacity(self.text_len + answer.len() + 4 * typed.len());
        for piece in &self.pieces {
            let part: &str = match piece {
                Piece::Text(text) => text,
                Piece::Hole(Hole::Title) => &title,
                Piece::Hole(Hole::Attr) => &attr,
                Piece::Hole(Hole::TypedAttr) => &typed,
                Piece::Hole(Hole::Answer) => answer,
            };
            out.push_str(part);
        }
        out
    }
}

/// Where the text at `at` of `page` is: in `<title>` text, in a
/// double-quoted attribute value of a tag, or somewhere else (an error).
fn context(page: &str, at: usize) -> Result<Hole, TemplateError> {
    let before = &page[..at];
    let open = before.rfind('<');
    if open.is_some() && open == before.rfind("<title>") {
        return Ok(Hole::Title);
    }
    // In a tag (tachys escapes `<` and `>` in values, so the last of them
    // before `at` tells), after an odd number of quotes (it quotes every
    // value with `"`, escaped inside).
    let in_value = open.is_some_and(|lt| {
        before.rfind('>').is_none_or(|gt| gt < lt) && before[lt..].matches('"').count() % 2 == 1
    });
    if in_value {
        Ok(Hole::Attr)
    } else {
        Err(TemplateError::Context(at))
    }
}

/// The template of one snapshot, or why it has none.
#[derive(Debug)]
struct Cut {
    generation: u64,
    template: Option<Template>,
}

/// The template of the newest snapshot a search page was asked of.
#[derive(Debug, Default)]
pub struct Templates {
    current: ArcSwapOption<Cut>,
}

impl Templates {
    /// The cut for `site`, rendering it through `next` when there is none.
    async fn for_site(&self, site: &Arc<Site>, next: Next) -> Arc<Cut> {
        let generation = site.generation();
        if let Some(cut) = self.current.load_full() {
            if cut.generation == generation {
                return cut;
            }
        }
        // Readers that arrive together may each render it once: cheaper
        // than making them wait, and it happens once per snapshot.
        let template = match render_template(site, next).await {
            Ok(template) => Some(template),
            Err(e) => {
                tracing::warn!("search page template: {e}; rendering each search page whole");
                None
            }
        };
        let cut = Arc::new(Cut {
            generation,
            template,
        });
        // An older snapshot's render finishing late does not replace a newer one.
        let _previous = self.current.rcu(|old| match old {
            Some(old) if old.generation > generation => Some(old.clone()),
            _ => Some(cut.clone()),
        });
        cut
    }
}

/// Renders the results page of [`SENTINEL_TYPED`] from `site` through the
/// rest of the router (`next`) and cuts it.
async fn render_template(site: &Arc<Site>, next: Next) -> Result<Template, TemplateError> {
    let uri = format!("{}?{SENTINEL_QUERY_STRING}", SearchResults::PATH);
    let mut req = Request::new(Body::empty());
    if let Ok(uri) = uri.parse() {
        *req.uri_mut() = uri;
    }
    req.extensions_mut().insert(Pinned(site.clone()));
    let res = next.run(req).await;
    if res.status() != StatusCode::OK {
        return Err(TemplateError::Status(res.status()));
    }
    let (mut parts, body) = res.into_parts();
    let bytes = body
        .collect()
        .await
        .map_err(TemplateError::Body)?
        .to_bytes();
    let page = std::str::from_utf8(&bytes).map_err(|_| TemplateError::NotUtf8)?;
    parts.headers.remove(header::CONTENT_LENGTH);
    let answer = crate::routes::search::answer_html(site.search(SENTINEL_TYPED));
    Template::cut(page, &answer, parts.headers)
}

/// The query of a results page this layer may answer, read as the route
/// reads it; `None` for anything left to the full render (module docs).
fn query_of(req: &Request) -> Option<String> {
    if req.method() != Method::GET || req.uri().path() != SearchResults::PATH {
        return None;
    }
    let address = format!("http://leptos.dev{}", req.uri().path_and_query()?.as_str());
    let url = leptos_router::location::RequestUrl::new(&address)
        .parse()
        .ok()?;
    let params = url.search_params();
    if params.get_str("__err").is_some() || params.get_str("__path").is_some() {
        return None;
    }
    Some(params.get("q").unwrap_or_default())
}

/// `microblog_search_page_total{render="template"|"full"}`: how the
/// `/search` pages were made (a snapshot whose template failed shows as
/// `full`), looked up in the recorder once.
static RENDERED: std::sync::LazyLock<[metrics::Counter; 2]> = std::sync::LazyLock::new(|| {
    super::ops::prometheus();
    ["template", "full"]
        .map(|how| metrics::counter!("microblog_search_page_total", "render" => how))
});

/// The full render, counted.
async fn full(req: Request, next: Next) -> Response {
    RENDERED[1].increment(1);
    next.run(req).await
}

/// Middleware around the route (inside `http::conditional`, outside
/// `http::finish_pages`): answers a searchable `/search?q=…` from the
/// snapshot's template (see the module).
pub async fn search_page(
    State((state, templates)): State<(super::Shared, Arc<Templates>)>,
    req: Request,
    next: Next,
) -> Response {
    if !state.settings.search_page_template {
        return next.run(req).await;
    }
    let Some(query) = query_of(&req) else {
        return next.run(req).await;
    };
    // From here on every way out is a search page, counted.
    let site = super::site_for(&state.store, req.extensions().get());
    // Before the first index is built the route waits for it off the
    // request workers (`api::search`).
    if site.search_index_id().is_none() {
        return full(req, next).await;
    }
    let results = site.search(&query);
    if !crate::content_query_is_searchable(&results.query) {
        return full(req, next).await;
    }
    let cut = templates.for_site(&site, next.clone()).await;
    let Some(template) = &cut.template else {
        return full(req, next).await;
    };
    let shown = results.query.clone();
    let answer = crate::routes::search::answer_html(results);
    let page = template.fill(&shown, &answer);
    RENDERED[0].increment(1);
    let len = HeaderValue::from(page.len());
    let mut res = Response::new(Body::from(page));
    *res.headers_mut() = template.headers.clone();
    res.headers_mut().insert(header::CONTENT_LENGTH, len);
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(body: &str) -> String {
        format!(
            "<html><head><title>Search: {SENTINEL} — Blog</title>\
             <meta property=\"og:title\" content=\"Search: {SENTINEL}\"></head>\
             <body><input value=\"{SENTINEL_TYPED}\">{body}</body></html>"
        )
    }

    #[test]
    fn each_hole_gets_the_escaping_of_its_place() {
        let answer = format!("<p>Nothing matches “{SENTINEL}”.</p><ol></ol>");
        let t = Template::cut(&page(&answer), &answer, HeaderMap::new()).expect("cuts");
        let q = " <b>\"Tom\" & 'Jerry' ";
        assert_eq!(
            t.fill(q, "<p>A</p>"),
            "<html><head><title>Search: &lt;b&gt;\"Tom\" &amp; 'Jerry' — Blog</title>\
             <meta property=\"og:title\" content=\"Search: &lt;b&gt;&quot;Tom&quot; &amp; 'Jerry'\">\
             </head><body><input value=\" &lt;b&gt;&quot;Tom&quot; &amp; 'Jerry' \"><p>A</p></body></html>"
        );
    }

    #[test]
    fn a_query_shown_as_body_text_is_refused() {
        let answer = "<ol></ol>";
        let shown = page(&format!("<h2>{SENTINEL}</h2>{answer}"));
        assert!(matches!(
            Template::cut(&shown, answer, HeaderMap::new()),
            Err(TemplateError::Context(_))
        ));
        // Nor may the answer be missing, or be there twice.
        assert!(Template::cut(&page(""), answer, HeaderMap::new()).is_err());
        let twice = page(&format!("{answer}{answer}"));
        assert!(Template::cut(&twice, answer, HeaderMap::new()).is_err());
    }
}
