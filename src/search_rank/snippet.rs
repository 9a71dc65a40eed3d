//! The snippet a hit shows: a window of its body around the first place a
//! query word begins a word of it, with every word beginning a query word
//! begins marked.
//!
//! A snippet is computed as [`Run`]s, byte ranges of the body, so an
//! answer can be written from the body itself ([`snippet_runs`]); the
//! owned form, `(text, is_match)` pairs, is made from those runs
//! ([`run_texts`]): one computation for both.

use std::ops::Range;

use crate::text::fold_char;

const SNIPPET_BEFORE: usize = 60;
const SNIPPET_LEN: usize = 180;

/// The query's words as the scan looks for them, prepared once per query
/// rather than once per hit: their folded chars, the bytes that may begin
/// a match, and their initials.
#[derive(Debug, Clone)]
pub struct SnippetWords {
    words: Vec<Vec<char>>,
    /// An ASCII query initial in either case, or the lead byte of a
    /// multi-byte char (which may fold to anything).
    candidate: [bool; 256],
    initials: Vec<char>,
}

impl SnippetWords {
    /// `words` are folded query words (`search_rank::query_words`).
    pub fn new(words: &[String]) -> SnippetWords {
        let words: Vec<Vec<char>> = words.iter().map(|w| w.chars().collect()).collect();
        let mut candidate = [false; 256];
        for w in &words {
            if let Some(&c) = w.first() {
                if c.is_ascii() {
                    candidate[c as usize] = true;
                    candidate[c.to_ascii_uppercase() as usize] = true;
                }
            }
        }
        // UTF-8 lead bytes of multi-byte chars.
        candidate[0xC0..].fill(true);
        let initials = words.iter().filter_map(|w| w.first().copied()).collect();
        SnippetWords {
            words,
            candidate,
            initials,
        }
    }
}

/// One run of a snippet: the body's bytes `range`, after an ellipsis
/// (`…`) when `ellipsis`, a match or not. The text a reader sees is
/// [`Run::text`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub ellipsis: bool,
    pub range: Range<usize>,
    pub marked: bool,
}

/// What a run's ellipsis shows.
pub const ELLIPSIS: &str = "…";

impl Run {
    /// The run's text, from the body its range is of.
    pub fn text(&self, body: &str) -> String {
        let part = &body[self.range.clone()];
        if self.ellipsis {
            let mut t = String::with_capacity(ELLIPSIS.len() + part.len());
            t.push_str(ELLIPSIS);
            t.push_str(part);
            t
        } else {
            part.to_string()
        }
    }
}

/// Whether `c` is part of a word once folded (what `search_rank::tokens`
/// splits on).
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

/// The word beginnings of `text`: byte offsets.
fn word_starts(text: &str) -> impl Iterator<Item = usize> + '_ {
    let mut prev_word = false;
    text.char_indices().filter_map(move |(i, c)| {
        let word = is_word_char(c);
        let starts = word && !prev_word;
        prev_word = word;
        starts.then_some(i)
    })
}

/// Byte offset of the first word beginning of `text` that begins with one
/// of the query's words.
///
/// What `word_starts(text).find(…)` would give, without decoding and
/// classifying every char: only a byte that can begin a match is looked
/// at (see [`SnippetWords::candidate`]), and one that follows an ASCII
/// letter or digit is passed over at once (it begins no word); otherwise
/// the char before it is decoded to see whether a word begins there. Most
/// of a body is ASCII letters that are no query's initial, skipped with
/// one table lookup each.
fn first_match(text: &str, words: &SnippetWords) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(at) = bytes[from..]
        .iter()
        .position(|&b| words.candidate[usize::from(b)])
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
        if !is_word_char(c) || !words.initials.contains(&fold_char(c)) {
            continue;
        }
        if text[..i].chars().next_back().is_some_and(is_word_char) {
            continue;
        }
        if match_at(rest, &words.words).is_some() {
            return Some(i);
        }
    }
    None
}

/// A window of `body` around the first place a query word begins a word of
/// it, appended to `runs` as [`Run`]s; `complete`: `body` is the whole
/// text, else only its beginning. It reads the body only as far as that
/// window, so a long post costs no more than its beginning unless the
/// match is far in.
///
/// Returns false (and appends nothing) when a beginning does not settle
/// the snippet: no match in it, or the window runs past its end. The
/// static export ships the beginning of each body with a hit's record and
/// the server keeps it plain, so a search usually reads only beginnings.
pub fn snippet_runs(body: &str, complete: bool, words: &SnippetWords, runs: &mut Vec<Run>) -> bool {
    // The first match, as a byte offset (the start when there is none: the
    // document matched by its title or tags).
    let first = match first_match(body, words) {
        Some(b) => b,
        None if complete => 0,
        None => return false,
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
        return false;
    }
    // This snippet's runs begin here (`runs` may hold other hits' runs).
    let own = runs.len();
    if start > 0 {
        runs.push(Run {
            ellipsis: true,
            range: start..start,
            marked: false,
        });
    }
    // Adjacent pieces of the same kind are one run: the pieces are
    // contiguous, so that extends the last run's range.
    let mut push = |range: Range<usize>, marked: bool| {
        if range.is_empty() {
            return;
        }
        match runs[own..].last_mut() {
            Some(last) if last.marked == marked => {
                debug_assert_eq!(last.range.end, range.start);
                last.range.end = range.end;
            }
            _ => runs.push(Run {
                ellipsis: false,
                range,
                marked,
            }),
        }
    };
    let window = &body[start..end];
    let mut at = start;
    for b in word_starts(window) {
        // Matched within the window only, so a match ends inside it.
        if let Some(n) = match_at(&window[b..], &words.words) {
            let len: usize = window[b..].chars().take(n).map(char::len_utf8).sum();
            let (a, z) = (start + b, start + b + len);
            push(at..a, false);
            push(a..z, true);
            at = z;
        }
    }
    push(at..end, false);
    if end < body.len() {
        runs.push(Run {
            ellipsis: true,
            range: end..end,
            marked: false,
        });
    }
    true
}

/// The `(text, is_match)` pairs of `runs` over `body`.
pub fn run_texts(body: &str, runs: &[Run]) -> Vec<(String, bool)> {
    runs.iter().map(|r| (r.text(body), r.marked)).collect()
}

/// The snippet of a whole body as `(text, is_match)` runs (the start of
/// the body when no query word begins a word of it).
pub fn snippet(body: &str, words: &[String]) -> Vec<(String, bool)> {
    snippet_of_beginning(body, true, words).unwrap_or_default()
}

/// [`snippet`] from the beginning of a body only (`complete`: it is the
/// whole body): `None` when that beginning does not settle the snippet
/// (see [`snippet_runs`]).
pub fn snippet_of_beginning(
    body: &str,
    complete: bool,
    words: &[String],
) -> Option<Vec<(String, bool)>> {
    let mut runs = Vec::new();
    snippet_runs(body, complete, &SnippetWords::new(words), &mut runs)
        .then(|| run_texts(body, &runs))
}

#[cfg(test)]
mod tests {
    use super::*;

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
