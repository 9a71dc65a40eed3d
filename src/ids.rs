//! Element ids that the page itself uses: the shell, the header's search box,
//! the list filters, the glossary index and the term cards. Ids made from
//! text (heading slugs, glossary terms) never take one of these, so
//! `#content`, `/glossary#leptos` and every other fragment lands on exactly
//! one element. The components use these constants; the id allocator of the
//! Markdown pipeline and the glossary check against [`is_reserved`].

/// `<main>`: the skip link's target.
pub const CONTENT: &str = "content";
/// The header search box's suggestion list.
pub const SEARCH_SUGGESTIONS: &str = "search-suggestions";
/// The input of the glossary and emoji filters.
pub const FILTER_INPUT: &str = "filter-q";
/// The hidden container of a post's glossary cards.
pub const TERM_CARDS: &str = "term-cards";
/// Where `<!--more-->` stood in a text.
pub const MORE: &str = "more";

const FIXED: [&str; 5] = [CONTENT, SEARCH_SUGGESTIONS, FILTER_INPUT, TERM_CARDS, MORE];
const TERM_CARD_PREFIX: &str = "term-card-";
const LETTER_PREFIX: &str = "letra-";

/// The card of glossary term `term_id` beside a post.
pub fn term_card(term_id: &str) -> String {
    format!("{TERM_CARD_PREFIX}{term_id}")
}

/// The glossary's A–Z index entry of `letter` (`#` for the rest).
pub fn letter(letter: char) -> String {
    match letter {
        '#' => format!("{LETTER_PREFIX}otros"),
        c => format!("{LETTER_PREFIX}{}", c.to_ascii_lowercase()),
    }
}

/// True for an id the page uses or may use for one of its own elements.
pub fn is_reserved(id: &str) -> bool {
    FIXED.contains(&id) || id.starts_with(TERM_CARD_PREFIX) || id.starts_with(LETTER_PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_ids_are_reserved_and_text_ids_are_not() {
        for id in [
            CONTENT,
            FILTER_INPUT,
            &term_card("toil"),
            &letter('K'),
            &letter('#'),
        ] {
            assert!(is_reserved(id), "{id}");
        }
        for id in ["leptos", "kubernetes", "contents", "letter-a", "term"] {
            assert!(!is_reserved(id), "{id}");
        }
    }
}
