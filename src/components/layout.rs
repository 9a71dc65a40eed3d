//! The frame around every page.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::Locale;
use crate::model::{
    EmojiGallery, Glossary, Page, PostListPage, ATOM_FEED_PATH, SITE_NAME, TAGS_PATH,
};

#[component]
pub fn Header() -> impl IntoView {
    let locale = Locale::current();
    let s = locale.strings();
    view! {
        <header class="site-header">
            <a class="skip-link" href="#content">{s.skip_to_content}</a>
            <A href=PostListPage::path(1) attr:class="site-name">
                <img src=crate::model::FAVICON_PATH width="28" height="28" alt="" />
                {SITE_NAME}
            </A>
            <nav aria-label=s.nav_main>
                <A href=PostListPage::path(1)>{s.nav_home}</A>
                <A href=Page::ABOUT_PATH>{s.nav_about}</A>
                <A href=Glossary::PATH>{s.nav_glossary}</A>
                <A href=TAGS_PATH>{s.nav_tags}</A>
            </nav>
            <super::SearchBox />
            <ThemeToggle />
        </header>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    let s = Locale::current().strings();
    view! {
        <footer class="site-footer">
            <p>
                {s.footer_about}
                <a href="https://leptos.dev">{s.footer_rendered}</a> {s.footer_markdown}
                <A href=EmojiGallery::PATH>{s.footer_emoji}</A>
                " · "
                <a href=ATOM_FEED_PATH>{s.footer_feed}</a>
            </p>
        </footer>
    }
}

/// Cycles system → light → dark; remembered in `localStorage` and a cookie,
/// which the head script (`app::THEME_SCRIPT`) applies before the next first
/// paint. The server never reads them: pages are the same for everyone.
///
/// An island: the one part of the header that reacts to the reader. Its first
/// render shows "Auto", as the server rendered it for everyone; in the browser
/// it then follows the stored choice. A page prerendered or kept in the
/// back/forward cache before the reader changed the theme is brought up to
/// date when it is shown.
#[island]
pub fn ThemeToggle() -> impl IntoView {
    let s = Locale::current().strings();
    let theme = RwSignal::new(crate::model::Theme::default());
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            let sync = move || {
                let stored = stored_theme();
                if let Some(root) = document().document_element() {
                    // With no stored choice the page keeps no attribute (the
                    // head script's rule: prefers-color-scheme decides); an
                    // attribute a prerendered page already has is updated.
                    let explicit = stored != crate::model::Theme::System;
                    if explicit || root.has_attribute("data-theme") {
                        let _ = root.set_attribute("data-theme", stored.as_str());
                    }
                }
                theme.set(stored);
            };
            sync();
            let shown = window_event_listener(leptos::ev::pageshow, move |_| sync());
            on_cleanup(move || shown.remove());
            // Fired at the document when a prerendered page is shown.
            use wasm_bindgen::JsCast;
            let activated = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(sync);
            let _ = document().add_event_listener_with_callback(
                "prerenderingchange",
                activated.as_ref().unchecked_ref(),
            );
            // Lives as long as the page.
            activated.forget();
        }
    });
    let switch = move |_| {
        let next = theme.get_untracked().next();
        theme.set(next);
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let doc = document();
            if let Some(root) = doc.document_element() {
                let _ = root.set_attribute("data-theme", next.as_str());
            }
            if let Some(storage) = window().local_storage().ok().flatten() {
                let _ = storage.set_item(crate::model::Theme::COOKIE, next.as_str());
            }
            if let Ok(html) = doc.dyn_into::<web_sys::HtmlDocument>() {
                let _ = html.set_cookie(&format!(
                    "{}={}; path=/; max-age=31536000; samesite=lax",
                    crate::model::Theme::COOKIE,
                    next.as_str()
                ));
            }
        }
    };
    // The accessible name is the visible text plus what the button is for, so
    // speech users can say what they see.
    view! {
        <button type="button" class="theme-toggle" on:click=switch title=s.theme_title>
            {move || match theme.get() {
                crate::model::Theme::System => s.theme_auto,
                crate::model::Theme::Light => s.theme_light,
                crate::model::Theme::Dark => s.theme_dark,
            }}
            <span class="visually-hidden">{s.theme_suffix}</span>
        </button>
    }
}

/// The theme the reader chose last (`localStorage`, else the cookie), as the
/// browser sees it now — what the head script applied.
#[cfg(feature = "hydrate")]
fn stored_theme() -> crate::model::Theme {
    use wasm_bindgen::JsCast;
    if let Some(t) = window()
        .local_storage()
        .ok()
        .flatten()
        .and_then(|s| s.get_item(crate::model::Theme::COOKIE).ok().flatten())
    {
        return crate::model::Theme::parse(&t);
    }
    document()
        .dyn_into::<web_sys::HtmlDocument>()
        .ok()
        .and_then(|d| d.cookie().ok())
        .map(|c| crate::model::Theme::from_cookie_header(&c))
        .unwrap_or_default()
}
