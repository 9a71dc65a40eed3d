//! The HTML shell and the router: every page of the site is declared here.

use leptos::nonce::use_nonce;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, Link, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{ParamSegment, SsrMode, StaticSegment};

use crate::components::{site_info, Footer, Header};
use crate::live::LiveReload;
use crate::model::segment::{ABOUT, EMOJI, GLOSSARY, N, PAGE, POSTS, SEARCH, SLUG, TAG, TAGS};
use crate::model::{ATOM_FEED_PATH, FAVICON_PATH, RSS_FEED_PATH, SITE_NAME};
use crate::routes::search::SearchPage;
use crate::routes::{
    about::AboutPage, emoji::EmojiPage, glossary::GlossaryPage, home::HomePage,
    not_found::NotFound, post::PostPage, tags::TagPage, tags::TagsPage,
};

/// Applies the reader's stored theme choice (`localStorage`, else the
/// `theme` cookie) to `<html data-theme>` before the first paint; without a
/// choice the stylesheet follows `prefers-color-scheme`. No `<`, `>` or `&`,
/// so it is the same text in the HTML as here (its CSP hash depends on it).
pub const THEME_SCRIPT: &str = "try{var t=localStorage.getItem(\"theme\")||\
(document.cookie.match(/(?:^|;\\s*)theme=(light|dark)/)||[])[1];\
if(t===\"light\"||t===\"dark\")document.documentElement.setAttribute(\"data-theme\",t)}catch(e){}";

/// The document around the app; rendered on the server only. Nothing in it is
/// hydrated: the page's `<leptos-island>`s are (see ARCHITECTURE.md).
/// Nothing here depends on the request: every reader gets the same bytes, so
/// shared caches and CDNs can hold the page. The reader's stored theme is
/// applied by THEME_SCRIPT, before the first paint.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    provide_context(crate::i18n::page_locale());
    let islands_router = cfg!(feature = "islands-router");
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                // First in <head>: it runs before anything is painted. It
                // carries leptos' nonce, so the page's CSP lists its hash.
                <script nonce=use_nonce() inner_html=THEME_SCRIPT></script>
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                <HashedStylesheet options=options.clone() />
                // Before the island loader: it starts the WASM only after the
                // first contentful paint (see `first_paint`).
                <crate::first_paint::IslandsAfterFirstPaint />
                <HydrationScripts options islands=true islands_router />
                {(!islands_router).then(crate::navigation::SpeculationRules)}
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Link rel="icon" href=FAVICON_PATH type_="image/svg+xml" />
        <Link rel="alternate" type_="application/atom+xml" href=ATOM_FEED_PATH title=format!("{SITE_NAME} (Atom)") />
        <Link rel="alternate" type_="application/rss+xml" href=RSS_FEED_PATH title=format!("{SITE_NAME} (RSS)") />
        // The one place every page's title is written: escaped here because
        // leptos_meta writes `<title>` raw on the server (see `escape`).
        <Title formatter=|title: String| {
            let full = if title.is_empty() { SITE_NAME.to_string() } else { format!("{title} — {SITE_NAME}") };
            #[cfg(feature = "ssr")]
            let full = crate::escape::title_text(&full).into_owned();
            full
        } />
        <Router>
            <Header />
            <main id=crate::ids::CONTENT>
                // Content pages wait for their data (`SsrMode::Async`) so the
                // first response carries the whole text and head tags.
                <Routes fallback=NotFound>
                    // Patterns from the route table (`model::Route`); checked
                    // against it by tests/route_table.rs.
                    <Route path=() view=HomePage ssr=SsrMode::Async />
                    <Route path=(StaticSegment(PAGE), ParamSegment(N)) view=HomePage ssr=SsrMode::Async />
                    <Route path=(StaticSegment(POSTS), ParamSegment(SLUG)) view=PostPage ssr=SsrMode::Async />
                    <Route path=StaticSegment(ABOUT) view=AboutPage ssr=SsrMode::Async />
                    <Route path=StaticSegment(GLOSSARY) view=GlossaryPage ssr=SsrMode::Async />
                    <Route path=StaticSegment(EMOJI) view=EmojiPage ssr=SsrMode::Async />
                    <Route path=StaticSegment(TAGS) view=TagsPage ssr=SsrMode::Async />
                    <Route path=StaticSegment(SEARCH) view=SearchPage ssr=SsrMode::Async />
                    <Route path=(StaticSegment(TAGS), ParamSegment(TAG)) view=TagPage ssr=SsrMode::Async />
                    <Route
                        path=(StaticSegment(TAGS), ParamSegment(TAG), StaticSegment(PAGE), ParamSegment(N))
                        view=TagPage
                        ssr=SsrMode::Async
                    />
                </Routes>
            </main>
            <Footer />
            // Author mode only: follow content changes on disk.
            {site_info().live_reload.then(|| view! { <LiveReload /> })}
        </Router>
    }
}
