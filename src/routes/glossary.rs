//! `/glossary`: every term with its definition under an A–Z index, and a
//! filter. Term links and cards in posts point here, so each term's entry
//! keeps a stable id.

use leptos::prelude::*;

use crate::api::get_glossary;
use crate::components::{
    data_page, glossary_ld, query_filter, visibility, FilterKind, ListFilter, PageMeta,
};
use crate::model::{Glossary, GlossaryTerm, SiteInfo};
use crate::text;

#[component]
pub fn GlossaryPage() -> impl IntoView {
    data_page(
        || (),
        |_| get_glossary(),
        |g, site| view! { <GlossaryView glossary=g site /> },
    )
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
    crate::ids::letter(letter)
}

/// What the filter looks at for a term: its heading as rendered (name and
/// aliases) and its id. The browser reads the same two from the page.
fn term_haystack(t: &GlossaryTerm) -> String {
    text::haystack([term_heading(t).as_str(), t.id.as_str()])
}

/// The text of a term's `<dt>`.
fn term_heading(t: &GlossaryTerm) -> String {
    if t.aliases.is_empty() {
        t.term.clone()
    } else {
        format!("{} ({})", t.term, t.aliases.join(", "))
    }
}

#[component]
fn GlossaryView(glossary: Glossary, site: SiteInfo) -> impl IntoView {
    let total = glossary.terms.len();
    let ld = glossary_ld(&site, &glossary);
    let initial = query_filter();
    let haystacks: Vec<String> = glossary.terms.iter().map(term_haystack).collect();
    let visible = visibility(&initial, &haystacks);
    let shown = visible.iter().filter(|v| **v).count();
    let groups = group_by_letter(glossary.terms);
    let shows = |i: usize| visible.get(i).copied().unwrap_or(true);
    let letters: Vec<(char, bool)> = groups
        .iter()
        .map(|g| (g.letter, g.terms.iter().any(|(i, _)| shows(*i))))
        .collect();
    // (group, whether any of its terms shows, whether each term shows)
    let groups: Vec<(LetterGroup, bool, Vec<bool>)> = groups
        .into_iter()
        .map(|g| {
            let each: Vec<bool> = g.terms.iter().map(|(i, _)| shows(*i)).collect();
            let any = each.iter().any(|v| *v);
            (g, any, each)
        })
        .collect();
    view! {
        <PageMeta
            title=glossary.title.clone()
            description=glossary.summary
            path=Glossary::PATH
            site
            lang=glossary.lang.clone()
            json_ld=Some(ld)
        />
        <article class="page glossary" lang=glossary.lang>
            <h1>{glossary.title}</h1>
            <div class="prose" inner_html=glossary.intro_html></div>
            <ListFilter kind=FilterKind::Glossary initial total shown>
                <nav class="az-index" aria-label="Índice alfabético">
                    <ul>
                        {letters
                            .into_iter()
                            .map(|(letter, any)| {
                                view! {
                                    <li>
                                        <a
                                            href=format!("#{}", letter_anchor(letter))
                                            aria-disabled=(!any).then_some("true")
                                        >
                                            {letter.to_string()}
                                        </a>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </nav>
                {groups
                    .into_iter()
                    .map(|(g, any, each)| {
                        let heading_id = format!("{}-h", letter_anchor(g.letter));
                        let labelled_by = heading_id.clone();
                        view! {
                            <section
                                class="letter"
                                id=letter_anchor(g.letter)
                                aria-labelledby=labelled_by
                                data-filter-group=""
                                hidden=!any
                            >
                                <h2 id=heading_id>{g.letter.to_string()}</h2>
                                <dl class="terms">
                                    {g
                                        .terms
                                        .into_iter()
                                        .zip(each)
                                        .map(|((_, t), shows)| {
                                            view! { <TermEntry term=t hidden=!shows /> }
                                        })
                                        .collect_view()}
                                </dl>
                            </section>
                        }
                    })
                    .collect_view()}
            </ListFilter>
        </article>
    }
}

#[component]
fn TermEntry(term: GlossaryTerm, hidden: bool) -> impl IntoView {
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
        <div class="entry" data-filter-item="" hidden=hidden>
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
