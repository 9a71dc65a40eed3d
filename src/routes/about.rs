//! `/about`: the About page, rendered from `content/about.md` like a post
//! body, with its own title, summary and language.

use leptos::prelude::*;

use crate::api::get_about;
use crate::components::{data_page, PageMeta};
use crate::model::Page;

#[component]
pub fn AboutPage() -> impl IntoView {
    data_page(
        || (),
        |_| get_about(),
        |page: Page, site| {
            view! {
                <PageMeta
                    title=page.title.clone()
                    description=page.summary
                    path=Page::ABOUT_PATH
                    site
                    lang=page.lang
                />
                <article class="page">
                    <h1>{page.title}</h1>
                    <div class="prose" inner_html=page.html></div>
                </article>
            }
        },
    )
}
