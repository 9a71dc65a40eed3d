//! The series box and the related-posts list under a post: server HTML only,
//! built from what the snapshot computed at load.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::Locale;
use crate::model::{Post, RelatedPost, SeriesNav};

/// "Part 2 of 3 in <name>", then every part with the current one marked.
#[component]
pub fn SeriesBox(series: SeriesNav, locale: Locale) -> impl IntoView {
    let total = series.parts.len();
    let position = series.position;
    let s = locale.strings();
    view! {
        <nav class="series" aria-label=s.series_label>
            <p class="series-title">
                {s.series_position(position, total)}
                <strong>{series.name}</strong>
            </p>
            <ol>
                {series
                    .parts
                    .into_iter()
                    .enumerate()
                    .map(|(i, (slug, title))| {
                        if i + 1 == position {
                            view! {
                                <li aria-current="page">
                                    <span>{title}</span>
                                </li>
                            }
                                .into_any()
                        } else {
                            view! {
                                <li>
                                    <A href=Post::path(&slug)>{title}</A>
                                </li>
                            }
                                .into_any()
                        }
                    })
                    .collect_view()}
            </ol>
        </nav>
    }
}

#[component]
pub fn RelatedList(related: Vec<RelatedPost>, locale: Locale) -> impl IntoView {
    (!related.is_empty()).then(|| {
        view! {
            <aside class="related" aria-labelledby="related-title">
                <h2 id="related-title">{locale.strings().related}</h2>
                <ul>
                    {related
                        .into_iter()
                        .map(|r| {
                            view! {
                                <li>
                                    <A href=Post::path(&r.slug)>{r.title}</A>
                                    " "
                                    <time datetime=r.date.clone()>{locale.date(&r.date)}</time>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </aside>
        }
    })
}
