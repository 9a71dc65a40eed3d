use leptos::prelude::*;

use crate::api::list_posts;
use crate::components::{ErrorView, Loading, PageMeta, PostList};

#[component]
pub fn HomePage() -> impl IntoView {
    let posts = Resource::new(|| (), |_| list_posts());
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match posts.await {
                    Ok(posts) => view! {
                        <PageMeta
                            title=""
                            description="Notes on SRE, DevOps and MLOps: infrastructure as code, observability, Python and Rust."
                        />
                        <h1 class="page-title">"Latest posts"</h1>
                        <PostList posts />
                    }
                    .into_any(),
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
