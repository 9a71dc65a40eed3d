use leptos::prelude::*;

use crate::live::content_version;

use crate::api::get_glossary;
use crate::components::{glossary_ld, site_info, ErrorView, Loading, PageMeta};
use crate::model::{Glossary, SiteInfo};

#[component]
pub fn GlossaryPage() -> impl IntoView {
    let glossary = Resource::new(content_version, |_| get_glossary());
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let site = site_info();
                match glossary.await {
                    Ok(g) => view! { <GlossaryView glossary=g site /> }.into_any(),
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn GlossaryView(glossary: Glossary, site: SiteInfo) -> impl IntoView {
    let count = glossary.terms.len();
    let ld = glossary_ld(&site, &glossary);
    view! {
        <PageMeta
            title=glossary.title.clone()
            description=glossary.summary
            path="/glossary"
            site
            lang=glossary.lang.clone()
            json_ld=Some(ld)
        />
        <article class="page glossary" lang=glossary.lang>
            <h1>{glossary.title}</h1>
            <div class="prose" inner_html=glossary.intro_html></div>
            <p class="term-count">{count} " términos"</p>
            <dl class="terms">
                {glossary
                    .terms
                    .into_iter()
                    .map(|t| {
                        let aliases = (!t.aliases.is_empty())
                            .then(|| view! { <span class="aliases">" (" {t.aliases.join(", ")} ")"</span> });
                        let see_also = (!t.see_also.is_empty()).then(|| {
                            view! {
                                <p class="see-also">
                                    "Ver también: "
                                    {t
                                        .see_also
                                        .into_iter()
                                        .map(|(id, name)| {
                                            let href = format!("#{id}");
                                            view! { <a href=href>{name}</a> " " }
                                        })
                                        .collect_view()}
                                </p>
                            }
                        });
                        let self_href = format!("#{}", t.id);
                        view! {
                            <dt id=t.id>
                                <a href=self_href>{t.term}</a>
                                {aliases}
                            </dt>
                            <dd>
                                <div inner_html=t.definition_html></div>
                                {see_also}
                            </dd>
                        }
                    })
                    .collect_view()}
            </dl>
        </article>
    }
}
