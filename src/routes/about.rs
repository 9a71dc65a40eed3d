use leptos::prelude::*;

use crate::api::get_about;
use crate::components::{site_info, ErrorView, Loading, PageMeta};
use crate::model::Page;

#[component]
pub fn AboutPage() -> impl IntoView {
    let page = Resource::new(|| (), |_| get_about());
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let site = site_info();
                match page.await {
                    Ok(page) => view! {
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
                    .into_any(),
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}
