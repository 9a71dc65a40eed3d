//! The search's rules, shared by the server's in-memory index
//! (`content::search`) and the browser's lookup in the static export's index
//! (`static_search`): which words a query has, how a document scores, the
//! order of hits, and the snippet shown. One set of rules, so a static host
//! answers a query with the same hits as the server.

use crate::text::fold_char;

mod snippet;
pub use snippet::{
    run_texts, snippet, snippet_of_beginning, snippet_runs, Run, SnippetWords, ELLIPSIS,
};

/// Longest query looked at; longer input is cut.
pub const MAX_QUERY_CHARS: usize = 100;
/// Most hits returned.
pub const MAX_HITS: usize = 20;

/// Maximal runs of alphanumeric chars of folded text.
pub fn tokens(folded: &str) -> impl Iterator<Item = &str> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
}

/// The words of a query worth looking for (two letters or more), folded,
/// each once (in first-seen order).
pub fn query_words(query: &str) -> Vec<String> {
    let capped: String = query.chars().take(MAX_QUERY_CHARS).collect();
    let folded: String = capped.chars().map(fold_char).collect();
    let mut words: Vec<String> = Vec::new();
    for w in folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 2)
    {
        if !words.iter().any(|seen| seen == w) {
            words.push(w.to_string());
        }
    }
    words
}

/// The query as the results repeat it: cut to [`MAX_QUERY_CHARS`].
pub fn shown_query(query: &str) -> String {
    query.chars().take(MAX_QUERY_CHARS).collect()
}

/// Most tokens one query word stands for. A word matches the tokens it
/// begins (`terra` → `terraform`); a short one begins thousands in a real
/// vocabulary (`de` about 2,000 of 70,000 words), and walking every one of
/// their postings would make a two-letter query cost as much as the whole
/// index. Beyond this many, [`kept_expansions`] keeps the most common ones.
pub const MAX_EXPANSIONS: usize = 64;

/// Which of the tokens a word begins it stands for, given their document
/// counts in dictionary order (`exact`: the first is the word itself). All
/// of them up to [`MAX_EXPANSIONS`]; beyond, the word itself when it is a
/// token, then those in the most documents (ties: dictionary order).
/// Writes ascending indices into `dfs` to `kept`. The server's index and the
/// static host's shards both choose through this, so they agree.
pub fn kept_expansions(dfs: &[u32], exact: bool, kept: &mut Vec<usize>) {
    kept.clear();
    if dfs.len() <= MAX_EXPANSIONS {
        kept.extend(0..dfs.len());
        return;
    }
    let skip = usize::from(exact);
    if exact {
        kept.push(0);
    }
    let want = MAX_EXPANSIONS - skip;
    // Most documents first, then dictionary order: a total order, so the
    // selection is the same wherever it runs.
    let mut ranked: Vec<(u32, usize)> = dfs[skip..]
        .iter()
        .enumerate()
        .map(|(i, &df)| (df, i + skip))
        .collect();
    let by = |a: &(u32, usize), b: &(u32, usize)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
    ranked.select_nth_unstable_by(want - 1, by);
    kept.extend(ranked[..want].iter().map(|&(_, i)| i));
    kept.sort_unstable();
}

/// What one matching word adds to a document's score: title counts most,
/// then tags, then (capped) occurrences in the body. A word is in the title
/// (or tags) when it begins a title (or tag) token it stands for
/// ([`kept_expansions`]); `in_body` counts those tokens in the body.
pub fn word_score(in_title: bool, in_tags: bool, in_body: u32) -> u32 {
    100 * u32::from(in_title) + 20 * u32::from(in_tags) + in_body.min(u32::from(BODY_COUNT_CAP))
}

/// Most body occurrences of a word that count towards a score: indexes may
/// store counts capped at this.
pub const BODY_COUNT_CAP: u8 = 5;

/// Hit order: score, then newer first, then title.
pub fn order<D: Ord>(a: (u32, &D, &str), b: (u32, &D, &str)) -> std::cmp::Ordering {
    b.0.cmp(&a.0)
        .then_with(|| b.1.cmp(a.1))
        .then_with(|| a.2.cmp(b.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_words_are_folded_long_enough_and_distinct() {
        assert_eq!(query_words("Rust, RUST rust! é x Ñu"), ["rust", "nu"]);
        assert_eq!(query_words("a b c"), Vec::<String>::new());
        assert_eq!(query_words(&"ab ".repeat(200)), ["ab"]);
    }

    #[test]
    fn few_expansions_are_all_kept_many_are_cut_to_the_most_common() {
        let mut kept = Vec::new();
        kept_expansions(&[1, 9, 3], false, &mut kept);
        assert_eq!(kept, [0, 1, 2]);
        // MAX_EXPANSIONS + 10 tokens; token i is in i documents.
        let dfs: Vec<u32> = (0..(MAX_EXPANSIONS as u32 + 10)).collect();
        kept_expansions(&dfs, false, &mut kept);
        assert_eq!(kept, (10..dfs.len()).collect::<Vec<_>>(), "the commonest");
        kept_expansions(&dfs, true, &mut kept);
        assert_eq!(kept[0], 0, "the word itself stays, in 0 documents");
        assert_eq!(kept[1..], (11..dfs.len()).collect::<Vec<_>>());
        // Ties: dictionary order.
        let flat = vec![7u32; MAX_EXPANSIONS + 5];
        kept_expansions(&flat, false, &mut kept);
        assert_eq!(kept, (0..MAX_EXPANSIONS).collect::<Vec<_>>());
    }
}
