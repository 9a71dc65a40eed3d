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

/// Whether `c` is part of a word once folded (what [`tokens`] splits on).
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        fold_char(c).is_alphanumeric()
    }
}

/// The longest of `words` that `text` begins with, folded (a query word
/// matches the start of a word): its length in chars.
fn match_at(text: &str, words: &[Vec<char>]) -> Option<usize> {
    words
        .iter()
        .filter(|w| {
            let mut chars = text.chars();
            w.iter()
                .all(|&wc| chars.next().is_some_and(|c| fold_char(c) == wc))
        })
        .map(Vec::len)
        .max()
}

/// The word beginnings of `text`: byte offset and first char, folded.
fn word_starts(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let mut prev_word = false;
    text.char_indices().filter_map(move |(i, c)| {
        let word = is_word_char(c);
        let starts = word && !prev_word;
        prev_word = word;
        starts.then(|| (i, fold_char(c)))
    })
}

/// Byte offset of the first word beginning of `text` that begins with one
/// of `words` (folded chars).
///
/// What `word_starts(text).find(…)` would give, without decoding and
/// classifying every char: only a byte that can begin a match is looked
/// at — an ASCII query initial in either case, or the first byte of a
/// non-ASCII char (which may fold to anything) — and one that follows an
/// ASCII letter or digit is passed over at once (it begins no word);
/// otherwise the char before it is decoded to see whether a word begins
/// there. Most of a body is
/// ASCII letters that are no query's initial, skipped with one table
/// lookup each.
fn first_match(text: &str, words: &[Vec<char>]) -> Option<usize> {
    let mut candidate = [false; 256];
    for w in words {
        if let Some(&c) = w.first() {
            if c.is_ascii() {
                candidate[c as usize] = true;
                candidate[c.to_ascii_uppercase() as usize] = true;
            }
        }
    }
    // UTF-8 lead bytes of multi-byte chars.
    candidate[0xC0..].fill(true);
    let initials: Vec<char> = words.iter().filter_map(|w| w.first().copied()).collect();
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(at) = bytes[from..]
        .iter()
        .position(|&b| candidate[usize::from(b)])
    {
        let i = from + at;
        from = i + 1;
        // Most candidates are inside a word (`t` in `state`): an ASCII
        // letter or digit before one settles it without decoding.
        if i > 0 && bytes[i - 1].is_ascii_alphanumeric() {
            continue;
        }
        // `i` is a char boundary: an ASCII byte or a lead byte.
        let rest = &text[i..];
        let Some(c) = rest.chars().next() else { break };
        if !is_word_char(c) || !initials.contains(&fold_char(c)) {
            continue;
        }
        if text[..i].chars().next_back().is_some_and(is_word_char) {
            continue;
        }
        if match_at(rest, words).is_some() {
            return Some(i);
        }
    }
    None
}

/// A window of the body around the first place a query word begins a word
/// of it, as (text, is_match) runs. It reads the body only as far as that
/// window, folding char by char, so a long post costs no more than its
/// beginning unless the match is far in.
pub fn snippet(body: &str, words: &[String]) -> Vec<(String, bool)> {
    snippet_of_beginning(body, true, words).unwrap_or_default()
}

/// [`snippet`] from the beginning of a body only (`complete`: it is the
/// whole body): `None` when that beginning does not settle the snippet (no
/// match in it, or the window runs past its end). The static export ships
/// the beginning of each body with a hit's record, the rest apart, so a
/// search usually reads only the beginnings.
pub fn snippet_of_beginning(
    body: &str,
    complete: bool,
    words: &[String],
) -> Option<Vec<(String, bool)>> {
    let words: Vec<Vec<char>> = words.iter().map(|w| w.chars().collect()).collect();
    // The first match, as a byte offset (the start when there is none: the
    // document matched by its title or tags).
    let first = match first_match(body, &words) {
        Some(b) => b,
        None if complete => 0,
        None => return None,
    };
    // Back SNIPPET_BEFORE chars, then to the start of that word.
    let mut start = body[..first]
        .char_indices()
        .rev()
        .nth(SNIPPET_BEFORE.saturating_sub(1))
        .map_or(0, |(i, _)| i);
    while let Some(c) = body[..start].chars().next_back() {
        if c.is_whitespace() {
            break;
        }
        start -= c.len_utf8();
    }
    let end = body[start..]
        .char_indices()
        .nth(SNIPPET_LEN)
        .map_or(body.len(), |(i, _)| start + i);
    // The window must end before the text does, or a longer body could
    // show more (and a match cut by the end would not be marked).
    if !complete && end >= body.len() {
        return None;
    }
    let window = &body[start..end];
    // Marked chars, as byte ranges of the window.
    let mut marks: Vec<(usize, usize)> = Vec::new();
    for (b, _) in word_starts(window) {
        // Matched within the window only, so a match ends inside it.
        if let Some(n) = match_at(&window[b..], &words) {
            let len: usize = window[b..].chars().take(n).map(char::len_utf8).sum();
            marks.push((b, b + len));
        }
    }
    let mut runs: Vec<(String, bool)> = Vec::new();
    if start > 0 {
        runs.push(("…".to_string(), false));
    }
    let mut push = |text: &str, mark: bool| {
        if text.is_empty() {
            return;
        }
        match runs.last_mut() {
            Some((t, m)) if *m == mark => t.push_str(text),
            _ => runs.push((text.to_string(), mark)),
        }
    };
    let mut at = 0;
    for (a, b) in marks {
        push(&window[at..a], false);
        push(&window[a..b], true);
        at = b;
    }
    push(&window[at..], false);
    if end < body.len() {
        runs.push(("…".to_string(), false));
    }
    Some(runs)
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

    fn marked(runs: &[(String, bool)]) -> Vec<&str> {
        runs.iter()
            .filter(|(_, m)| *m)
            .map(|(t, _)| t.as_str())
            .collect()
    }

    #[test]
    fn snippets_mark_word_beginnings_only() {
        let runs = snippet("A node, then deploy and Deno.", &["de".to_string()]);
        assert_eq!(marked(&runs), ["de", "De"], "not the `de` inside node");
        let text: String = runs.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(text, "A node, then deploy and Deno.");
    }

    /// The snippet rules written plainly over chars: the first word
    /// beginning a query word begins, 60 chars back to a space, 180 chars.
    fn reference(body: &str, words: &[String]) -> Vec<(String, bool)> {
        let text: Vec<char> = body.chars().collect();
        let folded: Vec<char> = text.iter().map(|&c| fold_char(c)).collect();
        let ws: Vec<Vec<char>> = words.iter().map(|w| w.chars().collect()).collect();
        let starts_word =
            |i: usize| folded[i].is_alphanumeric() && (i == 0 || !folded[i - 1].is_alphanumeric());
        let len_at = |i: usize, end: usize| {
            ws.iter()
                .filter(|w| i + w.len() <= end && folded[i..i + w.len()] == w[..])
                .map(Vec::len)
                .max()
        };
        let first = (0..text.len())
            .find(|&i| starts_word(i) && len_at(i, text.len()).is_some())
            .unwrap_or(0);
        let mut start = first.saturating_sub(SNIPPET_BEFORE);
        while start > 0 && !text[start - 1].is_whitespace() {
            start -= 1;
        }
        let end = (start + SNIPPET_LEN).min(text.len());
        let mut marks = vec![false; text.len()];
        for i in start..end {
            if starts_word(i) {
                if let Some(n) = len_at(i, end) {
                    marks[i..i + n].iter_mut().for_each(|m| *m = true);
                }
            }
        }
        let mut runs: Vec<(String, bool)> = Vec::new();
        if start > 0 {
            runs.push(("…".into(), false));
        }
        for i in start..end {
            match runs.last_mut() {
                Some((t, m)) if *m == marks[i] => t.push(text[i]),
                _ => runs.push((text[i].to_string(), marks[i])),
            }
        }
        if end < text.len() {
            runs.push(("…".into(), false));
        }
        runs
    }

    #[test]
    fn snippets_follow_the_plain_rules() {
        // Deterministic text from a small vocabulary with accents, case,
        // punctuation and words that begin others.
        let vocab = [
            "de",
            "Despliegue",
            "node",
            "ÉXITO",
            "éxito,",
            "terraform",
            "Terra",
            "—",
            "a",
            "日本",
            "straße",
            "x-de",
            "(de)",
            "\n",
            "naïve",
            "DE.",
        ];
        let mut seed = 7u32;
        for len in [0, 1, 5, 30, 80, 200, 600] {
            let body: Vec<&str> = (0..len)
                .map(|_| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    vocab[(seed >> 16) as usize % vocab.len()]
                })
                .collect();
            let body = body.join(if len % 2 == 0 { " " } else { "  " });
            for q in [
                &["de"][..],
                &["exito", "terra"],
                &["zz"],
                &["日本"],
                &["nai", "de"],
            ] {
                let words: Vec<String> = q.iter().map(|w| w.to_string()).collect();
                assert_eq!(
                    snippet(&body, &words),
                    reference(&body, &words),
                    "{body:?} {q:?}"
                );
            }
        }
    }

    #[test]
    fn a_snippet_is_a_window_of_a_long_body() {
        let body = format!("{} needle {}", "hay ".repeat(5000), "straw ".repeat(5000));
        let runs = snippet(&body, &["needle".to_string()]);
        let text: String = runs.iter().map(|(t, _)| t.as_str()).collect();
        assert!(
            text.starts_with("…hay ") && text.ends_with("stra…"),
            "{text}"
        );
        assert_eq!(marked(&runs), ["needle"]);
        let shown: usize = runs.iter().map(|(t, _)| t.chars().count()).sum();
        assert!(shown <= SNIPPET_LEN + 2, "{shown}");
        // Not found in the body (a title match): the start of it.
        let runs = snippet("short body", &["zz".to_string()]);
        assert_eq!(runs, [("short body".to_string(), false)]);
        assert_eq!(snippet("", &["zz".to_string()]), []);
    }

    #[test]
    fn a_beginning_gives_the_whole_body_s_snippet_or_none() {
        let body = format!(
            "{} Terraform plan, then {} terraform apply {}",
            "word ".repeat(30),
            "más ".repeat(40),
            "end ".repeat(80)
        );
        let mut settled = 0;
        for q in [&["terraform"][..], &["zz"], &["ma", "app"], &["wo"]] {
            let words: Vec<String> = q.iter().map(|w| w.to_string()).collect();
            let whole = snippet(&body, &words);
            assert_eq!(
                snippet_of_beginning(&body, true, &words).as_ref(),
                Some(&whole)
            );
            for (cut, _) in body.char_indices() {
                if let Some(part) = snippet_of_beginning(&body[..cut], false, &words) {
                    assert_eq!(part, whole, "{q:?} cut at {cut}");
                    settled += 1;
                }
            }
        }
        // Nothing matched: only the whole body settles it.
        assert!(snippet_of_beginning("a short beginning", false, &["zz".into()]).is_none());
        assert!(settled > 100, "{settled}");
    }
}
