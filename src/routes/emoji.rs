use leptos::prelude::*;

use crate::api::get_emoji;
use crate::components::{
    filtered, site_info, use_query_filter, visible_count, ErrorView, FilterForm, Loading, PageMeta,
};
use crate::model::{EmojiGallery, EmojiItem, SiteInfo};
use crate::text;

/// Every shortcode a post can use, grouped like an emoji keyboard.
#[component]
pub fn EmojiPage() -> impl IntoView {
    // The emoji set is compiled in: it never changes with the content.
    let gallery = Resource::new(|| (), |_| get_emoji());
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let site = site_info();
                match gallery.await {
                    Ok(g) => view! { <GalleryView gallery=g site /> }.into_any(),
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn GalleryView(gallery: EmojiGallery, site: SiteInfo) -> impl IntoView {
    let total = gallery.len();
    let filter = use_query_filter();
    let haystacks: Vec<String> = gallery
        .groups
        .iter()
        .flat_map(|g| &g.items)
        .map(|e| {
            text::haystack(
                e.shortcodes
                    .iter()
                    .map(String::as_str)
                    .chain([e.name.as_str()]),
            )
        })
        .collect();
    let visible = filtered(filter, haystacks);
    let shown = move || visible_count(visible);
    let count = move || match shown() {
        n if n == total => format!("{total} emoji"),
        n => format!("{n} of {total} emoji"),
    };
    let copied = RwSignal::new(String::new());
    // One listener for the whole grid.
    let on_click = move |ev: leptos::ev::MouseEvent| {
        use wasm_bindgen::JsCast;
        let code = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("button[data-shortcode]").ok().flatten())
            .and_then(|b| b.get_attribute("data-shortcode"));
        if let Some(code) = code {
            #[cfg(feature = "hydrate")]
            if let Some(w) = web_sys::window() {
                let _ = w.navigator().clipboard().write_text(&code);
            }
            copied.set(code);
        }
    };
    let mut index = 0;
    let groups = gallery
        .groups
        .into_iter()
        .map(|g| {
            let first = index;
            index += g.items.len();
            let range = first..index;
            let group_hidden = move || visible.with(|v| !v[range.clone()].iter().any(|x| *x));
            let heading_id = format!("{}-h", g.id);
            let labelled_by = heading_id.clone();
            let items = g
                .items
                .into_iter()
                .enumerate()
                .map(|(i, item)| {
                    let at = first + i;
                    let hidden = move || !visible.with(|v| v.get(at).copied().unwrap_or(true));
                    view! { <EmojiButton item hidden /> }
                })
                .collect_view();
            view! {
                <section class="emoji-group" id=g.id aria-labelledby=labelled_by hidden=group_hidden>
                    <h2 id=heading_id>{g.name}</h2>
                    <ul class="emoji-grid">{items}</ul>
                </section>
            }
        })
        .collect_view();
    view! {
        <PageMeta
            title="Emoji shortcodes"
            description=format!(
                "All {total} emoji shortcodes the posts can use: GitHub's custom ones and every Unicode emoji, grouped and searchable.",
            )
            path="/emoji"
            site
        />
        <article class="page emoji-page">
            <h1>"Emoji shortcodes"</h1>
            <p>
                "Write " <code>":name:"</code> " in a post and it renders as the emoji. "
                "GitHub's custom ones (" <code>":shipit:"</code> ", " <code>":godmode:"</code>
                "…) come first. Select an emoji to copy its shortcode."
            </p>
            <FilterForm
                action="/emoji"
                label="Filter emoji"
                placeholder="e.g. rocket, fire, shipit"
                button="Filter"
                filter
            />
            <p class="term-count" aria-live="polite">{count}</p>
            <p class="no-match" hidden=move || shown() != 0>
                "No emoji matches “" {move || filter.get()} "”."
            </p>
            <p class="copy-status" role="status" hidden=move || copied.with(String::is_empty)>
                "Copied " <code>{move || copied.get()}</code> " to the clipboard."
            </p>
            <div class="emoji-groups" on:click=on_click>
                {groups}
            </div>
        </article>
    }
}

#[component]
fn EmojiButton(
    item: EmojiItem,
    hidden: impl Fn() -> bool + Send + Sync + 'static,
) -> impl IntoView {
    let code = format!(":{}:", item.shortcodes.first().cloned().unwrap_or_default());
    let title = item.name;
    let data = code.clone();
    let picture = match (item.glyph, item.image) {
        (Some(glyph), _) => {
            view! { <span class="glyph" aria-hidden="true">{glyph}</span> }.into_any()
        }
        (None, Some(src)) => {
            view! { <img class="glyph" src=src alt="" width="28" height="28" loading="lazy" /> }
                .into_any()
        }
        (None, None) => ().into_any(),
    };
    let others = (item.shortcodes.len() > 1).then(|| {
        let rest: Vec<String> = item.shortcodes[1..]
            .iter()
            .map(|s| format!(":{s}:"))
            .collect();
        view! { <span class="also">{rest.join(" ")}</span> }
    });
    view! {
        <li hidden=hidden>
            <button type="button" class="emoji-item" data-shortcode=data title=title>
                {picture}
                <code>{code}</code>
                {others}
            </button>
        </li>
    }
}
