//! A filter box whose value lives in the address bar (`?q=`): the server
//! renders the filtered list from the URL, so it works without JavaScript and
//! can be shared; in the browser (an island) the list narrows as the reader
//! types, with no round trip.
//!
//! The list itself stays server HTML, passed to the island as children: items
//! carry `data-filter-item`, groups of items `data-filter-group`. The island
//! reads each item's text from the page once, so nothing is sent twice.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::text::Filter;

/// Which list is filtered: its wording, and which text of an item counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FilterKind {
    Glossary,
    Emoji,
}

impl FilterKind {
    fn action(self) -> &'static str {
        match self {
            FilterKind::Glossary => crate::model::Glossary::PATH,
            FilterKind::Emoji => crate::model::EmojiGallery::PATH,
        }
    }

    fn label(self) -> &'static str {
        match self {
            FilterKind::Glossary => "Filtrar términos",
            FilterKind::Emoji => "Filter emoji",
        }
    }

    fn placeholder(self) -> &'static str {
        match self {
            FilterKind::Glossary => "p. ej. kubernetes, slo, observabilidad",
            FilterKind::Emoji => "e.g. rocket, fire, shipit",
        }
    }

    fn button(self) -> &'static str {
        match self {
            FilterKind::Glossary => "Filtrar",
            FilterKind::Emoji => "Filter",
        }
    }

    fn count(self, shown: usize, total: usize) -> String {
        match (self, shown == total) {
            (FilterKind::Glossary, true) => format!("{total} términos"),
            (FilterKind::Glossary, false) => format!("{shown} de {total} términos"),
            (FilterKind::Emoji, true) => format!("{total} emoji"),
            (FilterKind::Emoji, false) => format!("{shown} of {total} emoji"),
        }
    }

    fn no_match(self, q: &str) -> String {
        match self {
            FilterKind::Glossary => format!(
                "Ningún término coincide con «{q}». La búsqueda del sitio (arriba) mira también dentro de las definiciones."
            ),
            FilterKind::Emoji => format!("No emoji matches “{q}”."),
        }
    }

    /// The text of a rendered item the filter looks at: what the server's
    /// [`visibility`] was given for it, read back from the page.
    #[cfg(feature = "hydrate")]
    fn item_text(self, item: &web_sys::Element) -> String {
        let text = |sel: &str| {
            item.query_selector(sel)
                .ok()
                .flatten()
                .and_then(|el| el.text_content())
                .unwrap_or_default()
        };
        let attr = |sel: &str, name: &str| {
            item.query_selector(sel)
                .ok()
                .flatten()
                .and_then(|el| el.get_attribute(name))
                .unwrap_or_default()
        };
        match self {
            FilterKind::Glossary => {
                crate::text::haystack([text("dt").as_str(), attr("dt", "id").as_str()])
            }
            FilterKind::Emoji => {
                crate::text::haystack([text("button").as_str(), attr("button", "title").as_str()])
            }
        }
    }
}

/// The page's `?q=`: the filter the server renders the list with.
pub fn query_filter() -> String {
    leptos_router::hooks::use_query_map().with_untracked(|q| q.get("q").unwrap_or_default())
}

/// Which items pass `query`, given each item's searchable text: the server's
/// first render of a filtered list.
pub fn visibility(query: &str, haystacks: &[String]) -> Vec<bool> {
    let f = Filter::new(query);
    haystacks.iter().map(|h| f.matches(h)).collect()
}

/// The filter form, the count and the "no match" line, around the list
/// (`children`). `shown` is how many items the server left visible.
#[island(lazy)]
pub fn ListFilter(
    kind: FilterKind,
    initial: String,
    total: usize,
    shown: usize,
    children: Children,
) -> impl IntoView {
    let filter = RwSignal::new(initial.clone());
    let shown = RwSignal::new(shown);
    let list: NodeRef<leptos::html::Div> = NodeRef::new();
    // Each item's folded text, read from the page at the first keystroke.
    let haystacks = StoredValue::new(Vec::<String>::new());
    let on_input = move |ev: leptos::ev::Event| {
        let q = event_target_value(&ev);
        #[cfg(feature = "hydrate")]
        {
            replace_query(&q);
            if let Some(root) = list.get_untracked() {
                let n = haystacks.try_update_value(|h| apply(&root, kind, h, &q));
                shown.set(n.unwrap_or(0));
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (list, haystacks);
        filter.set(q);
    };
    view! {
        <form
            class="search-page-form filter-form"
            role="search"
            aria-label=kind.label()
            action=kind.action()
            method="get"
            on:submit=|ev| ev.prevent_default()
        >
            <label for=crate::ids::FILTER_INPUT>{kind.label()}</label>
            <input
                id=crate::ids::FILTER_INPUT
                type="search"
                name="q"
                autocomplete="off"
                spellcheck="false"
                placeholder=kind.placeholder()
                value=initial
                on:input=on_input
            />
            <button type="submit">{kind.button()}</button>
        </form>
        <p class="term-count" aria-live="polite">{move || kind.count(shown.get(), total)}</p>
        <p class="no-match" hidden=move || shown.get() != 0>
            {move || kind.no_match(&filter.get())}
        </p>
        <div class="filter-list" node_ref=list>
            {children()}
        </div>
    }
}

/// Shows the items under `root` that match `q` and hides the rest, with
/// groups left empty and the in-page links to them; returns how many show.
#[cfg(feature = "hydrate")]
fn apply(root: &web_sys::Element, kind: FilterKind, haystacks: &mut Vec<String>, q: &str) -> usize {
    use wasm_bindgen::JsCast;
    let elements = |sel: &str| -> Vec<web_sys::Element> {
        let Ok(list) = root.query_selector_all(sel) else {
            return Vec::new();
        };
        (0..list.length())
            .filter_map(|i| list.item(i)?.dyn_into::<web_sys::Element>().ok())
            .collect()
    };
    let items = elements("[data-filter-item]");
    if haystacks.len() != items.len() {
        *haystacks = items.iter().map(|el| kind.item_text(el)).collect();
    }
    let visible = visibility(q, haystacks);
    for (el, show) in items.iter().zip(&visible) {
        set_hidden(el, !show);
    }
    for group in elements("[data-filter-group]") {
        let empty = group
            .query_selector("[data-filter-item]:not([hidden])")
            .ok()
            .flatten()
            .is_none();
        set_hidden(&group, empty);
        let link = root
            .query_selector(&format!("a[href=\"#{}\"]", group.id()))
            .ok()
            .flatten();
        if let Some(link) = link {
            let _ = if empty {
                link.set_attribute("aria-disabled", "true")
            } else {
                link.remove_attribute("aria-disabled")
            };
        }
    }
    visible.iter().filter(|v| **v).count()
}

#[cfg(feature = "hydrate")]
fn set_hidden(el: &web_sys::Element, hidden: bool) {
    let _ = if hidden {
        el.set_attribute("hidden", "")
    } else {
        el.remove_attribute("hidden")
    };
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
