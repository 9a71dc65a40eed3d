use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::search;
use crate::components::{site_info, ErrorView, Loading, PageMeta, Snippet};
use crate::model::{SearchHit, SearchResults};

/// `/search?q=…`: the same results as the header's live search, rendered on
/// the server, so the form works without JavaScript and crawlers see them.
#[component]
pub fn SearchPage() -> impl IntoView {
    let query = use_query_map();
    let q = move || query.read().get("q").unwrap_or_default();
    let results = Resource::new(q, search);
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let site = site_info();
                match results.await {
                    Ok(r) => view! { <SearchView results=r site /> }.into_any(),
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
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
    let summary = match (searched, results.total) {
        (false, _) => "Type at least two letters.".to_string(),
        (true, 0) => format!("Nothing matches “{}”.", results.query.trim()),
        (true, 1) => format!("1 result for “{}”.", results.query.trim()),
        (true, n) => format!("{n} results for “{}”.", results.query.trim()),
    };
    view! {
        <PageMeta
            title=title.clone()
            description="Search posts, glossary terms and pages."
            path="/search"
            site
        />
        <h1 class="page-title">"Search"</h1>
        <form class="search-page-form" role="search" aria-label="Search this site" action="/search" method="get">
            <input
                type="search"
                name="q"
                value=results.query.clone()
                aria-label="Search"
                maxlength="100"
            />
            <button type="submit">"Search"</button>
        </form>
        <p class="search-summary" aria-live="polite">{summary}</p>
        <ol class="search-results">
            {results.hits.into_iter().map(|hit| view! { <SearchHitView hit /> }).collect_view()}
        </ol>
    }
}

#[component]
pub fn SearchHitView(hit: SearchHit) -> impl IntoView {
    view! {
        <li class="search-hit">
            <A href=hit.url>{hit.title}</A>
            " "
            <span class="kind">{hit.kind}</span>
            <p class="snippet">
                <Snippet runs=hit.snippet />
            </p>
        </li>
    }
}
