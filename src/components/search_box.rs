//! The header's search box. Without JavaScript it is a plain GET form to
//! `/search` with a submit button; as an island it shows ranked results while typing, from the
//! `search` server function (`GET /api/search`), or on a static host from the exported index
//! (`static_search::search_anywhere`).
//!
//! The box is on every page, but most readers never type in it: the code
//! that asks for results (a fetch of the server function's URL and its JSON
//! decoding) is a lazy WASM chunk (`lookup`), fetched on focus; the static
//! index lookup is another, fetched only where that URL is missing.

use leptos::html::Input;
use leptos::prelude::*;

use crate::model::{SearchHit, SearchResults};

/// Quiet time after the last keystroke before asking the server.
const DEBOUNCE_MS: u64 = 120;

#[island]
pub fn SearchBox() -> impl IntoView {
    let s = crate::i18n::Locale::current().strings();
    let input: NodeRef<Input> = NodeRef::new();
    let hits = RwSignal::new(Vec::<SearchHit>::new());
    let selected = RwSignal::new(None::<usize>);
    let open = RwSignal::new(false);
    // Each keystroke bumps the generation; only the newest search may answer.
    let generation = StoredValue::new(0u64);

    let run_search = move |q: String| {
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        if !crate::content_query_is_searchable(&q) {
            hits.set(Vec::new());
            open.set(false);
            return;
        }
        set_timeout(
            move || {
                if generation.get_value() != mine {
                    return;
                }
                #[cfg(feature = "hydrate")]
                leptos::task::spawn_local(async move {
                    if let Ok(r) = lookup(q).await {
                        if generation.get_value() == mine {
                            selected.set(None);
                            open.set(true);
                            hits.set(r.hits);
                        }
                    }
                });
                #[cfg(not(feature = "hydrate"))]
                let _ = q;
            },
            std::time::Duration::from_millis(DEBOUNCE_MS),
        );
    };

    let go = Callback::new(move |url: String| {
        open.set(false);
        if let Some(el) = input.get() {
            let _ = el.blur();
        }
        // A page load like any other link (prerendered if it was hovered).
        #[cfg(feature = "hydrate")]
        let _ = window().location().assign(&url);
        #[cfg(not(feature = "hydrate"))]
        let _ = url;
    });

    let on_keydown = {
        move |ev: leptos::ev::KeyboardEvent| {
            let count = hits.with(Vec::len);
            match ev.key().as_str() {
                "ArrowDown" if count > 0 => {
                    ev.prevent_default();
                    open.set(true);
                    selected.update(|s| *s = Some(s.map_or(0, |i| (i + 1) % count)));
                }
                "ArrowUp" if count > 0 => {
                    ev.prevent_default();
                    selected
                        .update(|s| *s = Some(s.map_or(count - 1, |i| (i + count - 1) % count)));
                }
                "Enter" => {
                    let chosen = selected
                        .get()
                        .and_then(|i| hits.with(|h| h.get(i).map(|hit| hit.url.clone())));
                    if let Some(url) = chosen {
                        ev.prevent_default();
                        go.run(url);
                    }
                }
                // First Escape closes the list (keeping the text); the next
                // one clears the box, as a native search field would.
                "Escape" if open.get_untracked() => {
                    ev.prevent_default();
                    open.set(false);
                    selected.set(None);
                }
                "Escape" => {
                    if let Some(el) = input.get_untracked() {
                        if !el.value().is_empty() {
                            ev.prevent_default();
                            el.set_value("");
                            hits.set(Vec::new());
                            selected.set(None);
                        }
                    }
                }
                _ => {}
            }
        }
    };

    // `/` anywhere but in a text field focuses the box.
    let _shortcut = window_event_listener(leptos::ev::keydown, move |ev| {
        let typing = ev
            .target()
            .and_then(|t| {
                use wasm_bindgen::JsCast;
                t.dyn_into::<web_sys::Element>().ok()
            })
            .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
        if ev.key() == "/" && !typing {
            if let Some(el) = input.get() {
                ev.prevent_default();
                let _ = el.focus();
            }
        }
    });

    view! {
        <form class="site-search" role="search" aria-label=s.quick_search action=SearchResults::PATH method="get">
            // The ARIA combobox pattern: a text input (`type="search"` may not
            // take the combobox role) that controls the suggestion list.
            <input
                node_ref=input
                type="text"
                enterkeyhint="search"
                name="q"
                placeholder=s.search_placeholder
                aria-label=s.search
                autocomplete="off"
                maxlength="100"
                role="combobox"
                aria-controls=crate::ids::SEARCH_SUGGESTIONS
                aria-autocomplete="list"
                aria-expanded=move || (open.get() && !hits.with(Vec::is_empty)).to_string()
                on:input=move |ev| run_search(event_target_value(&ev))
                on:keydown=on_keydown
                on:focus=move |_| {
                    // Fetch the lookup's chunk while the reader starts typing.
                    #[cfg(feature = "hydrate")]
                    leptos::task::spawn_local(__preload_lookup());
                    open.set(!hits.with(Vec::is_empty))
                }
            />
            <Show when=move || open.get() && !hits.with(Vec::is_empty)>
                <ul id=crate::ids::SEARCH_SUGGESTIONS class="search-suggestions" role="listbox">
                    {move || {
                        hits.get()
                            .into_iter()
                            .enumerate()
                            .map(|(i, hit)| {
                                let url = hit.url.clone();
                                view! {
                                    <li
                                        role="option"
                                        aria-selected=move || (selected.get() == Some(i)).to_string()
                                        class:active=move || selected.get() == Some(i)
                                        on:mousedown=move |ev| {
                                            ev.prevent_default();
                                            go.run(url.clone());
                                        }
                                    >
                                        <span class="title">{hit.title}</span>
                                        " "
                                        <span class="kind">{hit.kind}</span>
                                        <span class="snippet">
                                            <Snippet runs=hit.snippet />
                                        </span>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </Show>
            // Without JavaScript, or for anyone who prefers a button: the
            // results page (WCAG technique H32).
            <button type="submit" class="search-submit" aria-label=s.search>
                <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
                    <circle cx="6.5" cy="6.5" r="4.5" fill="none" stroke="currentColor" stroke-width="2" />
                    <path d="M10 10l4.5 4.5" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
                </svg>
            </button>
        </form>
    }
}

/// The hits for `q`, wherever the page is served from. Lazy (its own WASM
/// chunk with `--split`): see the module doc.
#[cfg(feature = "hydrate")]
#[leptos::lazy]
async fn lookup(q: String) -> Result<SearchResults, String> {
    crate::static_search::search_anywhere(q).await
}

/// Search-result text with the matches in `<mark>`.
#[component]
pub fn Snippet(runs: Vec<(String, bool)>) -> impl IntoView {
    runs.into_iter()
        .map(|(text, mark)| {
            if mark {
                view! { <mark>{text}</mark> }.into_any()
            } else {
                text.into_any()
            }
        })
        .collect_view()
}
