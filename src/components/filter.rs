//! A filter box whose value lives in the address bar (`?q=`): the server
//! renders the filtered list from the URL, so it works without JavaScript and
//! can be shared; after hydration the list narrows as the reader types, with
//! no round trip.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The filter text, starting from the page's `?q=`.
pub fn use_query_filter() -> RwSignal<String> {
    let initial = use_query_map().with_untracked(|q| q.get("q").unwrap_or_default());
    RwSignal::new(initial)
}

/// Which items pass the filter, recomputed as the reader types. Each item's
/// text is folded once, up front ([`crate::text::haystack`]).
pub fn filtered(filter: RwSignal<String>, haystacks: Vec<String>) -> Memo<Vec<bool>> {
    Memo::new(move |_| {
        let f = filter.with(|q| crate::text::Filter::new(q));
        haystacks.iter().map(|h| f.matches(h)).collect()
    })
}

/// How many items pass.
pub fn visible_count(visible: Memo<Vec<bool>>) -> usize {
    visible.with(|v| v.iter().filter(|x| **x).count())
}

/// A GET form on `action` (submitted by the browser only without JavaScript).
#[component]
pub fn FilterForm(
    action: &'static str,
    label: &'static str,
    placeholder: &'static str,
    button: &'static str,
    filter: RwSignal<String>,
) -> impl IntoView {
    let initial = filter.get_untracked();
    let on_input = move |ev: leptos::ev::Event| {
        let q = event_target_value(&ev);
        #[cfg(feature = "hydrate")]
        replace_query(&q);
        filter.set(q);
    };
    view! {
        <form
            class="search-page-form filter-form"
            role="search"
            aria-label=label
            action=action
            method="get"
            on:submit=|ev| ev.prevent_default()
        >
            <label for="filter-q">{label}</label>
            <input
                id="filter-q"
                type="search"
                name="q"
                autocomplete="off"
                spellcheck="false"
                placeholder=placeholder
                value=initial
                prop:value=filter
                on:input=on_input
            />
            <button type="submit">{button}</button>
        </form>
    }
}

/// Puts the filter in the address bar without a navigation, so the filtered
/// view survives a reload.
#[cfg(feature = "hydrate")]
fn replace_query(q: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(href) = window.location().href() else {
        return;
    };
    let Ok(url) = web_sys::Url::new(&href) else {
        return;
    };
    if q.is_empty() {
        url.search_params().delete("q");
    } else {
        url.search_params().set("q", q);
    }
    url.set_hash("");
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url.href()));
    }
}
