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
        </header>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <p>
                "A microblog for SRE, DevOps and MLOps. Rendered on the server with "
                <a href="https://leptos.dev">"Leptos"</a> ", written in Markdown."
            </p>
        </footer>
    }
}
