//! Head tags of the current page.

use leptos::prelude::*;
use leptos_meta::{Html, Meta, Title};

/// Title, description and language of the current page, placed in `<head>`.
#[component]
pub fn PageMeta(
    #[prop(into)] title: String,
    #[prop(into)] description: String,
    #[prop(into, default = "en".to_string())] lang: String,
) -> impl IntoView {
    view! {
        <Title text=title />
        <Meta name="description" content=description />
        <Html {..} lang=lang />
    }
}
