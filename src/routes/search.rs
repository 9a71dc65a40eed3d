//! `/search?q=…`: search results rendered on the server, so the header's
//! form works without JavaScript and on a static copy says what to do.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::search;
use crate::components::{data_page, PageMeta, Snippet};
use crate::model::{Glossary, SearchHit, SearchResults, TAGS_PATH};

/// `/search?q=…`: the same results as the header's live search, rendered on
/// the server, so the form works without JavaScript and crawlers see them.
#[component]
pub fn SearchPage() -> impl IntoView {
    let query = use_query_map();
    let q = move || query.read().get("q").unwrap_or_default();
    data_page(q, search, |r, site| view! { <SearchView results=r site /> })
}

/// What `/search` says to a reader without JavaScript before a query.
fn static_note() -> String {
    format!(
        "<p class=\"search-static-note\">On a static copy of this site, \
         search runs in your browser and needs JavaScript. Browse the \
         <a href=\"{TAGS_PATH}\">topics</a> or the <a href=\"{}\">glossary</a> instead.</p>",
        Glossary::PATH
    )
}

#[component]
fn SearchView(results: SearchResults, site: crate::model::SiteInfo) -> impl IntoView {
    // The visitor's text, shown as typed: the title formatter escapes it.
    let shown = results.query.trim();
    let title = if shown.is_empty() {
        "Search".to_string()
    } else {
        format!("Search: {shown}")
    };
    let searched = crate::content_query_is_searchable(&results.query);
    view! {
        <PageMeta
            title=title.clone()
            description="Search posts, glossary terms and pages."
            path=SearchResults::PATH
            site
        />
        <h1 class="page-title">"Search"</h1>
        <form class="search-page-form" role="search" aria-label="Search this site" action=SearchResults::PATH method="get">
            <input
                type="search"
                name="q"
                value=results.query.clone()
                aria-label="Search"
                maxlength="100"
            />
            <button type="submit">"Search"</button>
        </form>
        // A static copy of the site (`microblog export`) answers every
        // `/search?q=…` with the page of the empty query: there an island
        // reads the query from the address and answers it from the exported
        // index; without JavaScript a note says search needs it and points
        // at the other ways in (inner HTML, which hydration never walks).
        {if searched {
            view! { <SearchAnswer results /> }.into_any()
        } else {
            view! {
                <noscript inner_html=static_note()></noscript>
                <SearchFromAddress />
            }
                .into_any()
        }}
    }
}

/// The answer to a searchable query: the summary and the list of hits, the
/// only part of the page that depends on more than the query's text. The
/// server's fast path (`server::search_page`) renders this alone per query
/// and splices it into the rest of the page, rendered once per snapshot.
#[component]
pub fn SearchAnswer(results: SearchResults) -> impl IntoView {
    let summary = summary(&results);
    view! {
        <p class="search-summary" aria-live="polite">{summary}</p>
        <ol class="search-results">
            {results.hits.into_iter().map(|hit| view! { <SearchHitView hit /> }).collect_view()}
        </ol>
    }
}

/// [`SearchAnswer`] as the finished page has it: rendered without the rest
/// of the page, its hydration markers dropped as `markup::finish` drops
/// every marker outside an island (this part is in none).
#[cfg(feature = "ssr")]
pub fn answer_html(results: SearchResults) -> String {
    let owner = Owner::new();
    let html = owner.with(|| view! { <SearchAnswer results /> }.to_html());
    crate::server::markup::drop_markers(&html)
}

/// "3 results for “x”." and the like.
fn summary(results: &SearchResults) -> String {
    let q = results.query.trim();
    match (crate::content_query_is_searchable(q), results.total) {
        (false, _) => "Type at least two letters.".to_string(),
        (true, 0) => format!("Nothing matches “{q}”."),
        (true, 1) => format!("1 result for “{q}”."),
        (true, n) => format!("{n} results for “{q}”."),
    }
}

/// The results of the query in the address, found in the browser: on the
/// server this page only renders it for an empty query, so it shows the
/// prompt; on a static host it answers `?q=` from the exported index.
#[island(lazy)]
fn SearchFromAddress() -> impl IntoView {
    let results = RwSignal::new(SearchResults::default());
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast as _;
            let q = window()
                .location()
                .search()
                .ok()
                .and_then(|s| web_sys::UrlSearchParams::new_with_str(&s).ok())
                .and_then(|p| p.get("q"))
                .unwrap_or_default();
            if !crate::content_query_is_searchable(&q) {
                return;
            }
            if let Some(input) = document()
                .query_selector(".search-page-form input[name=\"q\"]")
                .ok()
                .flatten()
                .and_then(|el| el.dyn_into::<web_sys::HtmlInputElement>().ok())
            {
                input.set_value(&q);
            }
            leptos::task::spawn_local(async move {
                if let Ok(r) = crate::static_search::search_anywhere(q).await {
                    results.set(r);
                }
            });
        }
    });
    view! {
        <p class="search-summary" aria-live="polite">{move || results.with(summary)}</p>
        <ol class="search-results">
            {move || {
                results
                    .get()
                    .hits
                    .into_iter()
                    .map(|hit| view! { <SearchHitView hit /> })
                    .collect_view()
            }}
        </ol>
    }
}

/// One result, on the server's page and in the static export's island (no
/// router there, so a plain link).
#[component]
pub fn SearchHitView(hit: SearchHit) -> impl IntoView {
    view! {
        <li class="search-hit">
            <a href=hit.url>{hit.title}</a>
            " "
            <span class="kind">{hit.kind}</span>
            <p class="snippet">
                <Snippet runs=hit.snippet />
            </p>
        </li>
    }
}
