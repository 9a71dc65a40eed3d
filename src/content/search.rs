//! Full-text search over one snapshot: built once per content load, queried
//! in memory. Accent- and case-insensitive, ranked title > tags > body. A
//! query word matches the tokens it begins (`terra` finds `terraform`),
//! looked up in a sorted term dictionary (an `fst` map), so a query costs the
//! postings of the terms it matches, not the size of the vocabulary.
//!
//! Layout, chosen so a query allocates nothing in proportion to the index:
//! - documents are numbered in the order equal scores are shown (newest
//!   first, then title, then URL), so ranking compares two integers;
//! - the dictionary maps each folded token to its term number, numbered in
//!   dictionary order: the tokens a word begins are one run of numbers;
//! - postings are, per term, its documents (ascending) and one byte per
//!   posting (body count capped at 5, in-title and in-tags flags),
//!   compressed in blocks (`search/postings.rs`).
//!
//! The query side (scratch arrays, top-k) is in `search/query.rs`; an
//! answer's hits and snippets, as values or as JSON, in `search/answer.rs`.

mod answer;
mod postings;
mod prefixes;
mod query;
#[cfg(test)]
mod reference_tests;
#[cfg(test)]
mod tests;

use rustc_hash::FxHashMap;
use std::ops::Range;

use postings::{Postings, TermWriter};
use prefixes::PrefixLists;

use chrono::NaiveDate;

use super::Split;
use crate::model::SearchResults;

pub use crate::search_rank::{query_words, MAX_EXPANSIONS, MAX_HITS, MAX_QUERY_CHARS};
use crate::search_rank::{tokens, BODY_COUNT_CAP};
use crate::static_search::{IN_TAGS, IN_TITLE};
pub use crate::text::{fold, fold_char};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Post,
    Term,
    Page,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Post => "post",
            Kind::Term => "glossary term",
            Kind::Page => "page",
        }
    }
}

#[derive(Debug)]
struct Doc {
    kind: Kind,
    title: String,
    url: String,
    date: Option<NaiveDate>,
    /// The body, shared with the snapshot's post: its first
    /// [`PLAIN_START_BYTES`] plain (most snippets are settled by them), the
    /// rest compressed (at 10,000 posts a plain copy of every body was
    /// 98 MB, most of the index), unpacked only for a hit whose snippet
    /// lies past the beginning.
    text: Split,
}

/// A document as the index holds it (read by the static export).
pub struct DocView<'a> {
    pub kind: &'static str,
    pub title: &'a str,
    pub url: &'a str,
    pub date: Option<NaiveDate>,
    /// The whole body, unpacked.
    pub body: String,
}

/// How much of each body the index keeps plain for snippets; the rest is
/// unpacked for a hit whose snippet lies past it. At 10,000 generated posts
/// (bodies of ~9.5 KB) the first match of a common word lies within 4 KB
/// in about 9 cases of 10, while unpacking a whole body for each of 20 hits
/// more than doubled an uncached query's CPU (BENCHMARKS.md); 4 KB a post
/// is 40 MB where whole bodies were 98 MB.
pub const PLAIN_START_BYTES: usize = 4096;

/// One document to index.
pub struct Entry<'a> {
    pub kind: Kind,
    pub title: &'a str,
    pub url: String,
    pub date: Option<NaiveDate>,
    pub tags: &'a [String],
    /// Plain text of the body, its beginning plain (see [`Split`]).
    pub body: Split,
}

/// Where a token occurs in one document, in one byte: the body count
/// (capped at [`BODY_COUNT_CAP`]: the score never counts more) in the low
/// bits, [`IN_TITLE`]/[`IN_TAGS`] shifted by [`FLAG_SHIFT`].
pub(crate) type Meta = u8;
const COUNT_MASK: Meta = 0x0f;
const FLAG_SHIFT: u32 = 4;

fn meta(body_count: u32, flags: u8) -> Meta {
    // The cap (5) fits the low nibble; flags (≤ 3) the high one.
    body_count.min(u32::from(BODY_COUNT_CAP)) as u8 | (flags << FLAG_SHIFT)
}

/// Two postings of one document merged, as a query word that stands for
/// both tokens counts them: flags OR-ed, body counts summed (capped).
pub(crate) fn merge_meta(a: Meta, b: Meta) -> Meta {
    let (had, had_flags) = unpack(a);
    let (count, flags) = unpack(b);
    meta(u32::from(had) + u32::from(count), had_flags | flags)
}

/// Body count and flags of a [`Meta`].
pub(crate) fn unpack(m: Meta) -> (u8, u8) {
    (m & COUNT_MASK, m >> FLAG_SHIFT)
}

/// Inverted index over folded tokens (maximal runs of alphanumeric chars).
#[derive(Debug, Default)]
pub struct SearchIndex {
    /// Unique in the process, in build order: what an answer cache keys on
    /// (`server::cache::answers`), so no answer outlives its index.
    id: u64,
    /// In hit order for equal scores (see the module comment).
    docs: Vec<Doc>,
    /// Token → term number (dictionary order).
    terms: fst::Map<Vec<u8>>,
    /// Each term's documents and metas.
    postings: Postings,
    /// Two-letter words whose tokens' postings are merged already.
    prefixes: PrefixLists,
}

/// One document's distinct tokens and their [`Meta`], borrowed from its
/// folded text.
fn doc_tokens<'t>(body: &'t str, title: &'t str, tags: &'t str) -> Vec<(&'t str, Meta)> {
    // A post has a few hundred distinct tokens: room for them up front.
    let mut seen: FxHashMap<&str, (u32, u8)> =
        FxHashMap::with_capacity_and_hasher(512, Default::default());
    for t in tokens(body) {
        seen.entry(t).or_insert((0, 0)).0 += 1;
    }
    for t in tokens(title) {
        seen.entry(t).or_insert((0, 0)).1 |= IN_TITLE;
    }
    for t in tokens(tags) {
        seen.entry(t).or_insert((0, 0)).1 |= IN_TAGS;
    }
    seen.into_iter()
        .map(|(t, (count, flags))| (t, meta(count, flags)))
        .collect()
}

/// One document of a batch being indexed, folded: what tokens are cut from.
struct Folded {
    body: String,
    title: String,
    tags: String,
}

impl Folded {
    fn of(e: &Entry<'_>) -> Folded {
        Folded {
            body: e.body.text().chars().map(fold_char).collect(),
            title: fold(e.title).into_iter().collect(),
            tags: fold(&e.tags.join(" ")).into_iter().collect(),
        }
    }
}

/// Documents folded and tokenised at a time: bounds the memory the build
/// holds besides the index (folded text and token lists of one batch).
const BATCH: usize = 512;

/// Source of [`SearchIndex::id`]; 0 is never handed out (no index).
static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl SearchIndex {
    pub fn build<'a>(entries: impl IntoIterator<Item = Entry<'a>>) -> SearchIndex {
        use rayon::prelude::*;
        let started = std::time::Instant::now();
        let mut entries: Vec<Entry<'a>> = entries.into_iter().collect();
        // Number documents in the order equal scores are shown.
        entries.sort_by(|a, b| {
            crate::search_rank::order((0, &a.date, a.title), (0, &b.date, b.title))
                .then_with(|| a.url.cmp(&b.url))
        });
        // Each distinct token gets a provisional number when first seen, and
        // its postings are compressed as documents come, in number order
        // (`TermWriter`): the build holds no plain copy of them.
        let mut provisional: FxHashMap<Box<str>, u32> = FxHashMap::default();
        let mut writers: Vec<TermWriter> = Vec::new();
        let mut docs: Vec<Doc> = Vec::with_capacity(entries.len());
        let mut rest = entries.into_iter();
        loop {
            let batch: Vec<Entry<'a>> = rest.by_ref().take(BATCH).collect();
            if batch.is_empty() {
                break;
            }
            // Unpacking, folding and counting are per document: spread over
            // the cores.
            let folded: Vec<Folded> = batch.par_iter().map(Folded::of).collect();
            let lists: Vec<Vec<(&str, Meta)>> = folded
                .par_iter()
                .map(|f| doc_tokens(&f.body, &f.title, &f.tags))
                .collect();
            for (i, list) in lists.into_iter().enumerate() {
                // Fewer than 2^32 documents: a `u32` numbers them.
                let doc = (docs.len() + i) as u32;
                for (token, m) in list {
                    let n = match provisional.get(token) {
                        Some(&n) => n as usize,
                        None => {
                            provisional.insert(token.into(), writers.len() as u32);
                            writers.push(TermWriter::default());
                            writers.len() - 1
                        }
                    };
                    writers[n].push(doc, m);
                }
            }
            drop(folded);
            for e in batch {
                docs.push(Doc {
                    kind: e.kind,
                    title: e.title.to_string(),
                    url: e.url,
                    date: e.date,
                    text: e.body,
                });
            }
        }
        // Term numbers in dictionary order.
        let mut dictionary: Vec<(Box<str>, u32)> = provisional.into_iter().collect();
        dictionary.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut builder = fst::MapBuilder::memory();
        for (term, (token, _)) in dictionary.iter().enumerate() {
            // Keys arrive sorted and distinct, so insertion succeeds.
            let _ = builder.insert(token.as_bytes(), term as u64);
        }
        let order: Vec<u32> = dictionary.into_iter().map(|(_, p)| p).collect();
        let postings = Postings::from_writers(&mut writers, &order);
        drop(writers);
        let terms = builder.into_map();
        let prefixes = PrefixLists::build(&terms, &postings, docs.len());
        let index = SearchIndex {
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            docs,
            terms,
            postings,
            prefixes,
        };
        // Part of every content load: what it costs, for `RUST_LOG=…=debug`.
        tracing::debug!(
            docs = index.len(),
            terms = index.terms(),
            postings = index.postings.total(),
            prefix_lists = index.prefixes.len(),
            prefix_list_bytes = index.prefixes.heap_bytes(),
            bytes = index.bytes(),
            text_bytes = index.text_bytes(),
            build_ms = started.elapsed().as_secs_f64() * 1e3,
            "search index built"
        );
        index
    }

    /// Bytes the index holds of its own, approximately (its postings, the
    /// dictionary, and each document's title and URL); the text it reads
    /// is the posts' ([`SearchIndex::text_bytes`]).
    pub fn bytes(&self) -> usize {
        use std::mem::size_of;
        let docs: usize = self
            .docs
            .iter()
            .map(|d| size_of::<Doc>() + d.title.capacity() + d.url.capacity())
            .sum();
        docs + self.terms.as_fst().as_bytes().len()
            + self.postings.heap_bytes()
            + self.prefixes.heap_bytes()
    }

    /// The text snippets are cut from, shared with the snapshot's posts:
    /// the bodies' plain beginnings and their compressed rests.
    pub fn text_bytes(&self) -> usize {
        self.docs.iter().map(|d| d.text.held_bytes()).sum()
    }

    /// This index's number (see the field).
    pub fn id(&self) -> u64 {
        self.id
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// Distinct tokens in the dictionary.
    pub fn terms(&self) -> usize {
        self.postings.terms()
    }

    /// The documents, numbered as postings number them (equal scores are
    /// shown in this order), for the static export's index.
    pub fn documents(&self) -> impl Iterator<Item = DocView<'_>> {
        self.docs.iter().map(|d| DocView {
            kind: d.kind.label(),
            title: &d.title,
            url: &d.url,
            date: d.date,
            body: d.text.text(),
        })
    }

    /// Each token of the dictionary, in order, with its `(document, body
    /// count, flags)` postings (count capped, flags [`IN_TITLE`] and
    /// [`IN_TAGS`]): what the static export's index is built from.
    pub fn postings(&self) -> impl Iterator<Item = (String, Vec<(u32, u32, u8)>)> + '_ {
        use fst::{IntoStreamer as _, Streamer as _};
        let mut stream = self.terms.stream().into_stream();
        std::iter::from_fn(move || loop {
            let (token, term) = stream.next()?;
            let Ok(token) = std::str::from_utf8(token) else {
                continue;
            };
            let mut list = Vec::with_capacity(self.postings.len(term as usize));
            self.postings.for_each(term as usize, |doc, m| {
                let (count, flags) = unpack(m);
                list.push((doc, u32::from(count), flags));
            });
            return Some((token.to_string(), list));
        })
    }

    /// The term numbers of the tokens `word` begins: one run, since numbers
    /// follow dictionary order; and whether the run starts with the word
    /// itself. Two dictionary lookups, whatever the run's length.
    fn terms_beginning(&self, word: &str) -> (Range<usize>, bool) {
        use fst::{IntoStreamer as _, Streamer as _};
        let first_at_or_after = |key: &[u8]| -> Option<(bool, bool, usize)> {
            let mut s = self.terms.range().ge(key).into_stream();
            s.next().map(|(k, term)| {
                (
                    k.starts_with(word.as_bytes()),
                    k == word.as_bytes(),
                    term as usize,
                )
            })
        };
        let Some((true, exact, lo)) = first_at_or_after(word.as_bytes()) else {
            return (0..0, false);
        };
        let hi = match prefix_successor(word.as_bytes()) {
            Some(next) => first_at_or_after(&next).map_or(self.terms(), |(_, _, t)| t),
            None => self.terms(),
        };
        (lo..hi, exact)
    }

    /// Every word must appear somewhere; title counts most, then tags, then body.
    pub fn search(&self, query: &str) -> SearchResults {
        answer::Answer::compute(self, query).results()
    }

    /// [`SearchIndex::search`] as JSON: exactly the bytes
    /// `serde_json::to_vec(&self.search(query))` gives, written from the
    /// index without the owned answer (`search/answer.rs`).
    pub fn search_json(&self, query: &str) -> Vec<u8> {
        // A 20-hit answer is ~7 KB.
        let mut out = Vec::with_capacity(8 * 1024);
        if let Err(e) = answer::Answer::compute(self, query).write_json(&mut out) {
            // Writing to a Vec fails only if serialising does, which
            // strings, numbers and booleans never do; answered as the
            // owned value would be.
            tracing::error!("search answer as JSON: {e}");
            out.clear();
            let _ = serde_json::to_writer(&mut out, &self.search(query));
        }
        out
    }
}

/// The smallest byte string greater than every string beginning with
/// `prefix` (`None`: there is none, the prefix is all `0xff`).
fn prefix_successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut next = prefix.to_vec();
    while let Some(last) = next.pop() {
        if last < 0xff {
            next.push(last + 1);
            return Some(next);
        }
    }
    None
}
