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
/// which the head script (`app::THEME_SCRIPT`) applies before the next
/// first paint. The server never reads them: pages are the same for everyone.
#[component]
pub fn ThemeToggle() -> impl IntoView {
    // The server renders "Auto" for everyone; the stored choice, already on
    // <html> thanks to the head script, is read once hydrated.
    let theme = RwSignal::new(crate::model::Theme::default());
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(t) = document()
            .document_element()
            .and_then(|el| el.get_attribute("data-theme"))
        {
            theme.set(crate::model::Theme::parse(&t));
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
    view! {
        <button
            type="button"
            class="theme-toggle"
            on:click=switch
            aria-label=move || format!("Colour theme: {}. Change", theme.get().as_str())
        >
            {move || theme.get().label()}
        </button>
    }
}
