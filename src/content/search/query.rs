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
use crate::search_rank::{kept_expansions, word_score, BODY_COUNT_CAP, MAX_HITS};
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

/// `(matching documents, the best ones in order)` for a query's folded
/// `words`, ranked with this thread's scratch arrays.
pub(super) fn top(index: &SearchIndex, words: &[String]) -> (usize, Vec<u32>) {
    if words.is_empty() || index.is_empty() {
        return (0, Vec::new());
    }
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut scratch) => rank(index, words, &mut scratch, true),
        // Not reentrant in practice; if it were, a fresh set is correct.
        Err(_) => rank(index, words, &mut Scratch::default(), true),
    })
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
    // One word standing for one list (one token, or a merged prefix
    // list): its postings are the matches, each scored as it is read,
    // without the scratch arrays.
    if let [(_, source, terms)] = plans.as_slice() {
        if let [term] = terms.as_slice() {
            let mut best = Best::new();
            let mut total = 0;
            source.for_each(*term, |doc, m| {
                total += 1;
                best.offer(score_of(m), doc);
            });
            s.dirty = false;
            return (total, best.into_docs());
        }
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
    let mut best = Best::new();
    for &doc in candidates.iter() {
        alive[doc as usize] = false;
        best.offer(score[doc as usize], doc);
    }
    candidates.clear();
    s.dirty = false;
    (total, best.into_docs())
}

/// The best [`MAX_HITS`] documents offered: best score first, then the
/// lower document number (the order equal scores are shown in), as the
/// largest keys `score << 32 | (u32::MAX - doc)` in a bounded heap.
struct Best {
    heap: BinaryHeap<Reverse<u64>>,
}

impl Best {
    fn new() -> Best {
        Best {
            heap: BinaryHeap::with_capacity(MAX_HITS + 1),
        }
    }

    #[inline]
    fn offer(&mut self, score: u32, doc: u32) {
        let key = (u64::from(score) << 32) | u64::from(u32::MAX - doc);
        if self.heap.len() < MAX_HITS {
            self.heap.push(Reverse(key));
        } else if self.heap.peek().is_some_and(|Reverse(least)| key > *least) {
            self.heap.pop();
            self.heap.push(Reverse(key));
        }
    }

    fn into_docs(self) -> Vec<u32> {
        let mut top: Vec<u64> = self.heap.into_iter().map(|Reverse(k)| k).collect();
        top.sort_unstable_by(|a, b| b.cmp(a));
        top.into_iter().map(|k| u32::MAX - k as u32).collect()
    }
}
