//! Answering a query from a [`SearchIndex`]: for each word, the postings of
//! the tokens it stands for are merged into per-document scratch arrays;
//! the words are intersected cheapest first, and the best [`MAX_HITS`] are
//! kept in a bounded heap. The scratch arrays live in a thread-local and are
//! zeroed as they are used, so a query allocates only in proportion to the
//! words it has and the hits it returns.

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::postings::Postings;
use super::{merge_meta, unpack, Meta, SearchIndex};
use crate::model::{SearchHit, SearchResults};
use crate::search_rank::{
    kept_expansions, query_words, shown_query, snippet, snippet_of_beginning, word_score,
    BODY_COUNT_CAP, MAX_HITS,
};
use crate::static_search::{IN_TAGS, IN_TITLE};

/// Marks a document the current word matches (in [`Scratch::acc`]).
const PRESENT: u8 = 0x80;

/// Per-document arrays of one thread, reused by every query it runs.
#[derive(Default)]
pub(super) struct Scratch {
    /// The current word's match in each document: 0 for none, else
    /// [`PRESENT`] with the merged [`Meta`] of the tokens it stands for.
    acc: Vec<u8>,
    /// Whether each document matched every word so far.
    alive: Vec<bool>,
    /// Each live document's score so far (stale for the others).
    score: Vec<u32>,
    /// The live documents.
    candidates: Vec<u32>,
    dfs: Vec<u32>,
    kept: Vec<usize>,
    /// Set while a query runs: one that panicked leaves it set, and the
    /// next query starts from zeroed arrays instead of its leftovers.
    dirty: bool,
}

impl Scratch {
    fn ready_for(&mut self, docs: usize) {
        if self.dirty {
            self.acc.fill(0);
            self.alive.fill(false);
        }
        if self.acc.len() < docs {
            self.acc.resize(docs, 0);
            self.alive.resize(docs, false);
            self.score.resize(docs, 0);
        }
        self.candidates.clear();
        self.dirty = true;
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Adds one posting to a document's match for the current word: flags
/// OR-ed, body counts summed (capped: the score counts no more).
fn merge(acc: u8, m: Meta) -> u8 {
    PRESENT | merge_meta(acc & !PRESENT, m)
}

fn score_of(acc: u8) -> u32 {
    let (count, flags) = unpack(acc & !PRESENT);
    debug_assert!(count <= BODY_COUNT_CAP);
    word_score(
        flags & IN_TITLE != 0,
        flags & IN_TAGS != 0,
        u32::from(count),
    )
}

pub(super) fn run(index: &SearchIndex, query: &str) -> SearchResults {
    let words = query_words(query);
    let (total, top) = if words.is_empty() || index.is_empty() {
        (0, Vec::new())
    } else {
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => rank(index, &words, &mut scratch, true),
            // Not reentrant in practice; if it were, a fresh set is correct.
            Err(_) => rank(index, &words, &mut Scratch::default(), true),
        })
    };
    let hits = top
        .iter()
        .filter_map(|&d| index.docs.get(d as usize))
        .map(|doc| SearchHit {
            kind: doc.kind.label().to_string(),
            title: doc.title.clone(),
            url: doc.url.clone(),
            // The beginning settles most snippets; the rest unpack the body.
            snippet: snippet_of_beginning(doc.text.head(), doc.text.is_whole(), &words)
                .unwrap_or_else(|| snippet(&doc.text.text(), &words)),
        })
        .collect();
    SearchResults {
        query: shown_query(query),
        hits,
        total,
    }
}

/// `(matching documents, the best ones in order)`. `merged`: a word with a
/// list merged at build time (`search/prefixes.rs`) walks that list (off
/// only to test that both ways answer the same).
pub(super) fn rank(
    index: &SearchIndex,
    words: &[String],
    s: &mut Scratch,
    merged: bool,
) -> (usize, Vec<u32>) {
    s.ready_for(index.len());
    // Each word's lists, where they are, and what walking them costs.
    let mut plans: Vec<(usize, &Postings, Vec<usize>)> = Vec::with_capacity(words.len());
    for w in words {
        if let Some(list) = index.prefixes.get(w).filter(|_| merged) {
            let lists = index.prefixes.lists();
            plans.push((lists.len(list), lists, vec![list]));
            continue;
        }
        let (run, exact) = index.terms_beginning(w);
        if run.is_empty() {
            s.dirty = false;
            return (0, Vec::new());
        }
        s.dfs.clear();
        s.dfs
            .extend(run.clone().map(|t| index.postings.len(t) as u32));
        kept_expansions(&s.dfs, exact, &mut s.kept);
        let terms: Vec<usize> = s.kept.iter().map(|&i| run.start + i).collect();
        let cost = terms.iter().map(|&t| index.postings.len(t)).sum();
        plans.push((cost, &index.postings, terms));
    }
    // Cheapest first: later words only look at the documents still in.
    plans.sort_by_key(|p| p.0);
    let Scratch {
        acc,
        alive,
        score,
        candidates,
        ..
    } = s;
    for (i, (_, source, terms)) in plans.iter().enumerate() {
        for &t in terms {
            source.for_each(t, |doc, m| {
                let d = doc as usize;
                if i == 0 {
                    if acc[d] == 0 {
                        candidates.push(doc);
                    }
                } else if !alive[d] {
                    return;
                }
                acc[d] = merge(acc[d], m);
            });
        }
        if i == 0 {
            for &doc in candidates.iter() {
                let d = doc as usize;
                score[d] = score_of(acc[d]);
                acc[d] = 0;
                alive[d] = true;
            }
        } else {
            candidates.retain(|&doc| {
                let d = doc as usize;
                let a = std::mem::take(&mut acc[d]);
                if a == 0 {
                    alive[d] = false;
                    return false;
                }
                score[d] += score_of(a);
                true
            });
        }
    }
    let total = candidates.len();
    // Best score first, then the lower document number (the order equal
    // scores are shown in): the largest keys.
    let mut heap: BinaryHeap<Reverse<u64>> = BinaryHeap::with_capacity(MAX_HITS + 1);
    for &doc in candidates.iter() {
        alive[doc as usize] = false;
        let key = (u64::from(score[doc as usize]) << 32) | u64::from(u32::MAX - doc);
        if heap.len() < MAX_HITS {
            heap.push(Reverse(key));
        } else if heap.peek().is_some_and(|Reverse(least)| key > *least) {
            heap.pop();
            heap.push(Reverse(key));
        }
    }
    candidates.clear();
    s.dirty = false;
    let mut top: Vec<u64> = heap.into_iter().map(|Reverse(k)| k).collect();
    top.sort_unstable_by(|a, b| b.cmp(a));
    let docs = top.into_iter().map(|k| u32::MAX - k as u32).collect();
    (total, docs)
}
