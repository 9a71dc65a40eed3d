//! Two-letter words answered from lists merged when the index is built.
//!
//! A query word stands for up to [`MAX_EXPANSIONS`] tokens it begins
//! (`search_rank::kept_expansions`), and for a two-letter word those are
//! the most common tokens of the vocabulary: `de` stands for `de`, `del`,
//! `desde`… whose postings together are several times the number of
//! documents. Merging them per query was the costliest query the
//! benchmark has (BENCHMARKS.md, branch `searchmem`). So for every two-char
//! prefix whose kept tokens' postings outnumber the documents, the build
//! merges them once into one list (per document: the flags OR-ed, the body
//! counts summed and capped, as a query merges them), and a query for that
//! word walks that list: at most one posting per document. The answer is
//! the same by construction (the merge is the query's), which the tests
//! check against the per-query merge.

use rustc_hash::FxHashMap;

use super::postings::{Postings, TermWriter};
use super::{merge_meta, Meta};
use crate::search_rank::kept_expansions;

/// The merged lists and the words they answer.
#[derive(Debug, Default)]
pub(super) struct PrefixLists {
    by_word: FxHashMap<Box<str>, u32>,
    lists: Postings,
}

/// Chars in a prefix given a merged list: the shortest query word.
const PREFIX_CHARS: usize = 2;

impl PrefixLists {
    /// The lists for `terms` (term numbers in dictionary order) over
    /// `postings`, for an index of `docs` documents.
    pub(super) fn build(terms: &fst::Map<Vec<u8>>, postings: &Postings, docs: usize) -> Self {
        use fst::{IntoStreamer as _, Streamer as _};
        // Each two-char prefix and its run of terms (contiguous: numbers
        // follow dictionary order), and whether its first term is itself.
        let mut runs: Vec<(Box<str>, usize, usize, bool)> = Vec::new();
        let mut stream = terms.stream().into_stream();
        while let Some((key, term)) = stream.next() {
            let Ok(key) = std::str::from_utf8(key) else {
                continue;
            };
            let Some(end) = prefix_end(key) else {
                continue;
            };
            let prefix = &key[..end];
            let term = term as usize;
            match runs.last_mut() {
                Some((p, _, hi, _)) if **p == *prefix => *hi = term + 1,
                _ => runs.push((prefix.into(), term, term + 1, key == prefix)),
            }
        }
        let mut acc: Vec<Meta> = vec![0; docs];
        let mut touched: Vec<u32> = Vec::new();
        let mut dfs: Vec<u32> = Vec::new();
        let mut kept: Vec<usize> = Vec::new();
        let mut writers: Vec<TermWriter> = Vec::new();
        let mut by_word = FxHashMap::default();
        for (prefix, lo, hi, exact) in runs {
            dfs.clear();
            dfs.extend((lo..hi).map(|t| postings.len(t) as u32));
            kept_expansions(&dfs, exact, &mut kept);
            let cost: usize = kept.iter().map(|&i| dfs[i] as usize).sum();
            if kept.len() < 2 || cost <= docs {
                continue;
            }
            for &i in &kept {
                postings.for_each(lo + i, |d, m| {
                    // A posting's meta is never 0 (a token is in the body,
                    // title or tags), so 0 marks a document not yet seen.
                    if let Some(a) = acc.get_mut(d as usize) {
                        if *a == 0 {
                            touched.push(d);
                        }
                        *a = merge_meta(*a, m);
                    }
                });
            }
            touched.sort_unstable();
            let mut w = TermWriter::default();
            for &d in &touched {
                w.push(d, std::mem::take(&mut acc[d as usize]));
            }
            touched.clear();
            by_word.insert(prefix, writers.len() as u32);
            writers.push(w);
        }
        let order: Vec<u32> = (0..writers.len() as u32).collect();
        PrefixLists {
            lists: Postings::from_writers(&mut writers, &order),
            by_word,
        }
    }

    /// The merged list answering `word`, if it has one.
    pub(super) fn get(&self, word: &str) -> Option<usize> {
        self.by_word.get(word).map(|&n| n as usize)
    }

    /// The lists, numbered as [`PrefixLists::get`] gives them.
    pub(super) fn lists(&self) -> &Postings {
        &self.lists
    }

    /// How many words have a list.
    pub(super) fn len(&self) -> usize {
        self.by_word.len()
    }

    /// Bytes held, approximately.
    pub(super) fn heap_bytes(&self) -> usize {
        self.lists.heap_bytes()
            + self
                .by_word
                .keys()
                .map(|k| k.len() + 16 + std::mem::size_of::<u32>())
                .sum::<usize>()
    }
}

/// Byte length of the first [`PREFIX_CHARS`] chars of `key`, if it has
/// that many.
fn prefix_end(key: &str) -> Option<usize> {
    let mut ends = key.char_indices().map(|(i, c)| i + c.len_utf8());
    ends.nth(PREFIX_CHARS - 1)
}
