use leptos::prelude::*;

use crate::live::content_version;

use crate::api::get_glossary;
use crate::components::{
    filtered, glossary_ld, site_info, use_query_filter, visible_count, ErrorView, FilterForm,
    Loading, PageMeta,
};
use crate::model::{Glossary, GlossaryTerm, SiteInfo};
use crate::text;

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

/// Terms under one letter of the A–Z index.
struct LetterGroup {
    letter: char,
    /// `(index into the term list, term)`.
    terms: Vec<(usize, GlossaryTerm)>,
}

/// The index letter of a term: its first letter without accents, or `#`.
fn index_letter(term: &str) -> char {
    text::folded(term)
        .chars()
        .find(|c| !c.is_whitespace())
        .filter(|c| c.is_alphabetic())
        .map_or('#', |c| c.to_ascii_uppercase())
}

fn group_by_letter(terms: Vec<GlossaryTerm>) -> Vec<LetterGroup> {
    let mut groups: Vec<LetterGroup> = Vec::new();
    for (i, t) in terms.into_iter().enumerate() {
        let letter = index_letter(&t.term);
        match groups.last_mut() {
            Some(g) if g.letter == letter => g.terms.push((i, t)),
            _ => groups.push(LetterGroup {
                letter,
                terms: vec![(i, t)],
            }),
        }
    }
    groups
}

fn letter_anchor(letter: char) -> String {
    match letter {
        '#' => "letra-otros".to_string(),
        c => format!("letra-{}", c.to_ascii_lowercase()),
    }
}

#[component]
fn GlossaryView(glossary: Glossary, site: SiteInfo) -> impl IntoView {
    let total = glossary.terms.len();
    let ld = glossary_ld(&site, &glossary);
    let filter = use_query_filter();
    // What the filter looks at, per term: its name, aliases and id.
    let haystacks: Vec<String> = glossary
        .terms
        .iter()
        .map(|t| {
            text::haystack(
                std::iter::once(t.term.as_str())
                    .chain(t.aliases.iter().map(String::as_str))
                    .chain(std::iter::once(t.id.as_str())),
            )
        })
        .collect();
    let visible = filtered(filter, haystacks);
    let shown = move || visible_count(visible);
    let count = move || match shown() {
        n if n == total => format!("{total} términos"),
        n => format!("{n} de {total} términos"),
    };
    let groups = group_by_letter(glossary.terms);
    let letters: Vec<(char, Vec<usize>)> = groups
        .iter()
        .map(|g| (g.letter, g.terms.iter().map(|(i, _)| *i).collect()))
        .collect();
    let any_visible = move |idx: &[usize]| {
        visible.with(|v| idx.iter().any(|i| v.get(*i).copied().unwrap_or(false)))
    };
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
            <FilterForm
                action="/glossary"
                label="Filtrar términos"
                placeholder="p. ej. kubernetes, slo, observabilidad"
                button="Filtrar"
                filter
            />
            <p class="term-count" aria-live="polite">{count}</p>
            <p class="no-match" hidden=move || shown() != 0>
                "Ningún término coincide con «"
                {move || filter.get()}
                "». La búsqueda del sitio (arriba) mira también dentro de las definiciones."
            </p>
            <nav class="az-index" aria-label="Índice alfabético">
                <ul>
                    {letters
                        .into_iter()
                        .map(|(letter, idx)| {
                            let empty = move || (!any_visible(&idx)).then_some("true");
                            view! {
                                <li>
                                    <a href=format!("#{}", letter_anchor(letter)) aria-disabled=empty>
                                        {letter.to_string()}
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()
                        .into_any()}
                </ul>
            </nav>
            {groups
                .into_iter()
                .map(|g| {
                    let idx: Vec<usize> = g.terms.iter().map(|(i, _)| *i).collect();
                    let section_hidden = move || !any_visible(&idx);
                    let heading_id = format!("{}-h", letter_anchor(g.letter));
                    let labelled_by = heading_id.clone();
                    view! {
                        <section
                            class="letter"
                            id=letter_anchor(g.letter)
                            aria-labelledby=labelled_by
                            hidden=section_hidden
                        >
                            <h2 id=heading_id>{g.letter.to_string()}</h2>
                            <dl class="terms">
                                {g
                                    .terms
                                    .into_iter()
                                    .map(|(i, t)| {
                                        let hidden = move || {
                                            !visible.with(|v| v.get(i).copied().unwrap_or(true))
                                        };
                                        view! { <TermEntry term=t hidden /> }
                                    })
                                    .collect_view()}
                            </dl>
                        </section>
                    }
                })
                .collect_view()
                .into_any()}
        </article>
    }
}

#[component]
fn TermEntry(
    term: GlossaryTerm,
    hidden: impl Fn() -> bool + Send + Sync + 'static,
) -> impl IntoView {
    let t = term;
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
        <div class="entry" hidden=hidden>
            <dt id=t.id>
                <a href=self_href>{t.term}</a>
                {aliases}
            </dt>
            <dd>
                <div inner_html=t.definition_html></div>
                {see_also}
            </dd>
        </div>
    }
}
