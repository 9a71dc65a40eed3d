//! The frame around every page.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::app::SITE_NAME;

#[component]
pub fn Header() -> impl IntoView {
    view! {
        <header class="site-header">
            <a class="skip-link" href="#content">"Skip to content"</a>
            <A href="/" attr:class="site-name">
                <img src="/favicon.svg" width="28" height="28" alt="" />
                {SITE_NAME}
            </A>
            <nav aria-label="Main">
                <A href="/">"Home"</A>
                <A href="/about">"About"</A>
                <A href="/glossary">"Glossary"</A>
                <A href="/tags">"Tags"</A>
            </nav>
            <super::SearchBox />
            <ThemeToggle />
        </header>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <p>
                "A microblog for SRE, DevOps and MLOps. Rendered on the server with "
                <a href="https://leptos.dev">"Leptos"</a> ", written in Markdown. "
                <A href="/emoji">"Emoji shortcodes"</A>
                " · "
                <a href="/feed.xml">"Atom feed"</a>
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
    let theme = RwSignal::new(crate::model::Theme::default());
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            let sync = move || {
                let stored = stored_theme();
                if let Some(root) = document().document_element() {
                    let _ = root.set_attribute("data-theme", stored.as_str());
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
        <button type="button" class="theme-toggle" on:click=switch title="Change the colour theme">
            {move || theme.get().label()}
            <span class="visually-hidden">" colour theme"</span>
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
