//! The search's rules, shared by the server's in-memory index
//! (`content::search`) and the browser's lookup in the static export's index
//! (`static_search`): which words a query has, how a document scores, the
//! order of hits, and the snippet shown. One set of rules, so a static host
//! answers a query with the same hits as the server.

use crate::text::fold_char;

/// Longest query looked at; longer input is cut.
pub const MAX_QUERY_CHARS: usize = 100;
/// Most hits returned.
pub const MAX_HITS: usize = 20;
const SNIPPET_BEFORE: usize = 60;
const SNIPPET_LEN: usize = 180;

/// Maximal runs of alphanumeric chars of folded text.
pub fn tokens(folded: &str) -> impl Iterator<Item = &str> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
}

/// The words of a query worth looking for (two letters or more), folded.
pub fn query_words(query: &str) -> Vec<String> {
    let capped: String = query.chars().take(MAX_QUERY_CHARS).collect();
    let folded: String = capped.chars().map(fold_char).collect();
    let mut words: Vec<String> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 2)
        .map(str::to_string)
        .collect();
    words.dedup();
    words
}

/// The query as the results repeat it: cut to [`MAX_QUERY_CHARS`].
pub fn shown_query(query: &str) -> String {
    query.chars().take(MAX_QUERY_CHARS).collect()
}

/// What one matching word adds to a document's score: title counts most,
/// then tags, then (capped) occurrences in the body.
/// A word is in the title (or tags) when a title (or tag) token contains
/// it: words are alphanumeric, so they never straddle two tokens.
pub fn word_score(in_title: bool, in_tags: bool, in_body: u32) -> u32 {
    100 * u32::from(in_title) + 20 * u32::from(in_tags) + in_body.min(5)
}

/// Hit order: score, then newer first, then title.
pub fn order<D: Ord>(a: (u32, &D, &str), b: (u32, &D, &str)) -> std::cmp::Ordering {
    b.0.cmp(&a.0)
        .then_with(|| b.1.cmp(a.1))
        .then_with(|| a.2.cmp(b.2))
}

fn find(hay: &[char], needle: &[char], from: usize) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    (from..=hay.len() - needle.len()).find(|&i| hay[i..i + needle.len()] == *needle)
}

/// A window of the body around the first match, as (text, is_match) runs.
/// Folded here, for the few hits shown, rather than kept for every document,
/// and only as far as the window needs.
pub fn snippet(body: &str, words: &[String]) -> Vec<(String, bool)> {
    let body: Vec<char> = body.chars().collect();
    let words: Vec<Vec<char>> = words.iter().map(|w| w.chars().collect()).collect();
    let longest = words.iter().map(Vec::len).max().unwrap_or(0);
    let mut folded: Vec<char> = Vec::with_capacity(body.len().min(4096));
    let mut first = None;
    let mut searched = 0;
    while first.is_none() && folded.len() < body.len() {
        let grow = (folded.len().max(512)).min(body.len() - folded.len());
        let from = folded.len();
        folded.extend(body[from..from + grow].iter().map(|c| fold_char(*c)));
        first = words
            .iter()
            .filter_map(|w| find(&folded, w, searched))
            .min();
        searched = folded.len().saturating_sub(longest);
    }
    let first = first.unwrap_or(0);
    let mut start = first.saturating_sub(SNIPPET_BEFORE);
    while start > 0 && !body[start - 1].is_whitespace() {
        start -= 1;
    }
    let end = (start + SNIPPET_LEN).min(body.len());
    if folded.len() < end {
        let from = folded.len();
        folded.extend(body[from..end].iter().map(|c| fold_char(*c)));
    }
    let mut marks = vec![false; end - start];
    for w in &words {
        let mut at = start;
        while let Some(i) = find(&folded[..end], w, at) {
            for m in &mut marks[i - start..i - start + w.len()] {
                *m = true;
            }
            at = i + w.len();
        }
    }
    let mut runs: Vec<(String, bool)> = Vec::new();
    if start > 0 {
        runs.push(("…".to_string(), false));
    }
    for (c, m) in body[start..end].iter().zip(marks) {
        match runs.last_mut() {
            Some((text, mark)) if *mark == m => text.push(*c),
            _ => runs.push((c.to_string(), m)),
        }
    }
    if end < body.len() {
        runs.push(("…".to_string(), false));
    }
    runs
}
