//! `/emoji`: every shortcode a post can use, grouped like an emoji keyboard,
//! with a filter, so authors can find a code without leaving the site.

use leptos::prelude::*;

use crate::api::get_emoji;
use crate::components::{data_page, query_filter, visibility, FilterKind, ListFilter, PageMeta};
use crate::model::{EmojiGallery, EmojiItem, SiteInfo};
use crate::text;

/// Every shortcode a post can use, grouped like an emoji keyboard.
#[component]
pub fn EmojiPage() -> impl IntoView {
    // The emoji set is compiled in: it never changes with the content.
    data_page(
        || (),
        |_| get_emoji(),
        |g, site| view! { <GalleryView gallery=g site /> },
    )
}

/// The shortcode a button copies: the emoji's first name.
fn primary_code(item: &EmojiItem) -> String {
    format!(":{}:", item.shortcodes.first().cloned().unwrap_or_default())
}

/// The other names, as shown under the first.
fn other_codes(item: &EmojiItem) -> Option<String> {
    (item.shortcodes.len() > 1).then(|| {
        item.shortcodes[1..]
            .iter()
            .map(|s| format!(":{s}:"))
            .collect::<Vec<_>>()
            .join(" ")
    })
}

/// What the filter looks at for an emoji: its button's text (glyph and
/// shortcodes) and its name (the button's title). The browser reads the same
/// two from the page.
fn emoji_haystack(item: &EmojiItem) -> String {
    let shown = [
        item.glyph.clone().unwrap_or_default(),
        primary_code(item),
        other_codes(item).unwrap_or_default(),
    ]
    .concat();
    text::haystack([shown.as_str(), item.name.as_str()])
}

#[component]
fn GalleryView(gallery: EmojiGallery, site: SiteInfo) -> impl IntoView {
    let total = gallery.len();
    let initial = query_filter();
    let haystacks: Vec<String> = gallery
        .groups
        .iter()
        .flat_map(|g| &g.items)
        .map(emoji_haystack)
        .collect();
    let visible = visibility(&initial, &haystacks);
    let shown = visible.iter().filter(|v| **v).count();
    let mut index = 0;
    let groups = gallery
        .groups
        .into_iter()
        .map(|g| {
            let first = index;
            index += g.items.len();
            let group_hidden = !visible[first..index].iter().any(|x| *x);
            let heading_id = format!("{}-h", g.id);
            let labelled_by = heading_id.clone();
            let items = g
                .items
                .into_iter()
                .enumerate()
                .map(|(i, item)| {
                    let hidden = !visible.get(first + i).copied().unwrap_or(true);
                    view! { <EmojiButton item hidden /> }
                })
                .collect_view();
            view! {
                <section
                    class="emoji-group"
                    id=g.id
                    aria-labelledby=labelled_by
                    data-filter-group=""
                    hidden=group_hidden
                >
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
            path=EmojiGallery::PATH
            site
        />
        <article class="page emoji-page">
            <h1>"Emoji shortcodes"</h1>
            <p>
                "Write " <code>":name:"</code> " in a post and it renders as the emoji. "
                "GitHub's custom ones (" <code>":shipit:"</code> ", " <code>":godmode:"</code>
                "…) come first. Select an emoji to copy its shortcode."
            </p>
            <ListFilter kind=FilterKind::Emoji initial total shown>
                <CopyShortcode>{groups}</CopyShortcode>
            </ListFilter>
        </article>
    }
}

/// Click-to-copy for the whole grid (one listener), and the line that says
/// what was copied.
#[island(lazy)]
fn CopyShortcode(children: Children) -> impl IntoView {
    let copied = RwSignal::new(String::new());
    let on_click = move |ev: leptos::ev::MouseEvent| {
        use wasm_bindgen::JsCast;
        let code = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("button[data-shortcode]").ok().flatten())
            .and_then(|b| b.get_attribute("data-shortcode"));
        if let Some(code) = code {
            #[cfg(feature = "hydrate")]
            let _ = window().navigator().clipboard().write_text(&code);
            copied.set(code);
        }
    };
    view! {
        <p class="copy-status" role="status" hidden=move || copied.with(String::is_empty)>
            "Copied " <code>{move || copied.get()}</code> " to the clipboard."
        </p>
        <div class="emoji-groups" on:click=on_click>
            {children()}
        </div>
    }
}

#[component]
fn EmojiButton(item: EmojiItem, hidden: bool) -> impl IntoView {
    let code = primary_code(&item);
    let others = other_codes(&item).map(|rest| view! { <span class="also">{rest}</span> });
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
    view! {
        <li data-filter-item="" hidden=hidden>
            <button type="button" class="emoji-item" data-shortcode=data title=title>
                {picture}
                <code>{code}</code>
                {others}
            </button>
        </li>
    }
}
