//! Full-text search over one snapshot: built once per content load, queried
//! in memory. Accent- and case-insensitive, ranked title > tags > body. A
//! query word matches the words that start with it (`terra` finds
//! `terraform`), looked up in a sorted term dictionary (an `fst` map), so a
//! query costs the terms it matches, not the size of the vocabulary.

use chrono::NaiveDate;

use crate::model::{SearchHit, SearchResults};

pub use crate::search_rank::{query_words, MAX_HITS, MAX_QUERY_CHARS};
use crate::search_rank::{snippet, tokens};
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
    title_folded: String,
    tags_folded: String,
    /// Plain text of the body, for snippets of the hits shown.
    body: String,
}

/// A document as the index holds it (read by the static export).
pub struct DocView<'a> {
    pub kind: &'static str,
    pub title: &'a str,
    pub url: &'a str,
    pub date: Option<NaiveDate>,
    pub title_folded: &'a str,
    pub tags_folded: &'a str,
    pub body: &'a str,
}

/// One document to index.
pub struct Entry<'a> {
    pub kind: Kind,
    pub title: &'a str,
    pub url: String,
    pub date: Option<NaiveDate>,
    pub tags: &'a [String],
    /// Plain text of the body.
    pub body: String,
}

/// A document containing a token, and how often the token is in its body.
#[derive(Debug, Clone, Copy)]
struct Posting {
    doc: u32,
    body_count: u32,
}

/// Inverted index over folded tokens (maximal runs of alphanumeric chars).
///
/// The terms are an `fst` map from token to its postings: a query word walks
/// the automaton of the tokens it prefixes (a range of the sorted
/// dictionary), and a document's body count is the sum of those tokens'
/// counts in it. The text of the documents is never scanned per query.
#[derive(Debug, Default)]
pub struct SearchIndex {
    docs: Vec<Doc>,
    /// Token → index into `postings`.
    terms: fst::Map<Vec<u8>>,
    postings: Vec<Vec<Posting>>,
}

impl SearchIndex {
    pub fn build<'a>(entries: impl IntoIterator<Item = Entry<'a>>) -> SearchIndex {
        use rayon::prelude::*;
        use std::collections::HashMap;
        let entries: Vec<Entry<'a>> = entries.into_iter().collect();
        // Folding and counting are per document: spread over the cores.
        let prepared: Vec<(Doc, HashMap<String, u32>)> = entries
            .into_par_iter()
            .map(|e| {
                let title_folded: String = fold(e.title).into_iter().collect();
                let tags_folded: String = fold(&e.tags.join(" ")).into_iter().collect();
                let body_folded: String = e.body.chars().map(fold_char).collect();
                let mut counts: HashMap<String, u32> = HashMap::new();
                for t in tokens(&body_folded) {
                    match counts.get_mut(t) {
                        Some(n) => *n += 1,
                        None => {
                            counts.insert(t.to_string(), 1);
                        }
                    }
                }
                for t in tokens(&title_folded).chain(tokens(&tags_folded)) {
                    counts.entry(t.to_string()).or_insert(0);
                }
                let doc = Doc {
                    kind: e.kind,
                    title: e.title.to_string(),
                    url: e.url,
                    date: e.date,
                    title_folded,
                    tags_folded,
                    body: e.body,
                };
                (doc, counts)
            })
            .collect();
        // The dictionary must be built in key order.
        let mut by_token: std::collections::BTreeMap<String, Vec<Posting>> = Default::default();
        let mut docs = Vec::with_capacity(prepared.len());
        for (i, (doc, counts)) in prepared.into_iter().enumerate() {
            for (token, body_count) in counts {
                by_token.entry(token).or_default().push(Posting {
                    doc: i as u32,
                    body_count,
                });
            }
            docs.push(doc);
        }
        let mut postings = Vec::with_capacity(by_token.len());
        let mut builder = fst::MapBuilder::memory();
        for (token, mut list) in by_token {
            // Keys arrive sorted and distinct, so insertion succeeds; a
            // refused one would only leave that token unsearchable.
            if builder
                .insert(token.as_bytes(), postings.len() as u64)
                .is_ok()
            {
                list.shrink_to_fit();
                postings.push(list);
            }
        }
        let terms = builder.into_map();
        SearchIndex {
            docs,
            terms,
            postings,
        }
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// The documents, in index order, for the static export's index.
    pub fn documents(&self) -> impl Iterator<Item = DocView<'_>> {
        self.docs.iter().map(|d| DocView {
            kind: d.kind.label(),
            title: &d.title,
            url: &d.url,
            date: d.date,
            title_folded: &d.title_folded,
            tags_folded: &d.tags_folded,
            body: &d.body,
        })
    }

    /// Each token of the dictionary, in order, with its `(document, body
    /// count)` postings: what the static export's index is built from.
    pub fn postings(&self) -> Vec<(String, Vec<(u32, u32)>)> {
        use fst::{IntoStreamer as _, Streamer as _};
        let mut out = Vec::with_capacity(self.postings.len());
        let mut stream = self.terms.stream().into_stream();
        while let Some((token, id)) = stream.next() {
            let (Ok(token), Some(ps)) =
                (std::str::from_utf8(token), self.postings.get(id as usize))
            else {
                continue;
            };
            out.push((
                token.to_string(),
                ps.iter().map(|p| (p.doc, p.body_count)).collect(),
            ));
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// For one word: per document, how often a token it prefixes occurs in
    /// the body, or `None` where no such token occurs (title, tags or body).
    fn word_counts(&self, word: &str) -> Vec<Option<u32>> {
        use fst::{Automaton as _, IntoStreamer as _, Streamer as _};
        let mut counts = vec![None; self.docs.len()];
        let matcher = fst::automaton::Str::new(word).starts_with();
        let mut stream = self.terms.search(matcher).into_stream();
        while let Some((_, id)) = stream.next() {
            let Some(postings) = self.postings.get(id as usize) else {
                continue;
            };
            for p in postings {
                let slot = &mut counts[p.doc as usize];
                *slot = Some(slot.unwrap_or(0) + p.body_count);
            }
        }
        counts
    }

    /// Every word must appear somewhere; title counts most, then tags, then body.
    pub fn search(&self, query: &str) -> SearchResults {
        let words = query_words(query);
        let mut scores: Vec<Option<u32>> = vec![(!words.is_empty()).then_some(0); self.docs.len()];
        for w in &words {
            let counts = self.word_counts(w);
            for ((score, count), doc) in scores.iter_mut().zip(counts).zip(&self.docs) {
                let (Some(s), Some(in_body)) = (*score, count) else {
                    *score = None;
                    continue;
                };
                *score = Some(
                    s + crate::search_rank::word_score(
                        crate::search_rank::begins_a_token(&doc.title_folded, w),
                        crate::search_rank::begins_a_token(&doc.tags_folded, w),
                        in_body,
                    ),
                );
            }
        }
        let mut scored: Vec<(u32, &Doc)> = scores
            .into_iter()
            .zip(&self.docs)
            .filter_map(|(s, d)| Some((s?, d)))
            .collect();
        let order = |a: &(u32, &Doc), b: &(u32, &Doc)| {
            crate::search_rank::order(
                (a.0, &a.1.date, a.1.title.as_str()),
                (b.0, &b.1.date, b.1.title.as_str()),
            )
        };
        let total = scored.len();
        // Only the hits shown need an order.
        if scored.len() > MAX_HITS {
            scored.select_nth_unstable_by(MAX_HITS, order);
            scored.truncate(MAX_HITS);
        }
        scored.sort_by(order);
        let hits = scored
            .into_iter()
            .map(|(_, doc)| SearchHit {
                kind: doc.kind.label().to_string(),
                title: doc.title.clone(),
                url: doc.url.clone(),
                snippet: snippet(&doc.body, &words),
            })
            .collect();
        SearchResults {
            query: crate::search_rank::shown_query(query),
            hits,
            total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> SearchIndex {
        let tags = vec!["iac".to_string()];
        SearchIndex::build([
            Entry {
                kind: Kind::Post,
                title: "A private GKE cluster with Terraform",
                url: "/posts/gke".into(),
                date: NaiveDate::from_ymd_opt(2024, 1, 1),
                tags: &tags,
                body: "Modules and state. Observability comes later.".into(),
            },
            Entry {
                kind: Kind::Term,
                title: "Observabilidad",
                url: "/glossary#observabilidad".into(),
                date: None,
                tags: &[],
                body: "Capacidad de entender un sistema; en español, claro.".into(),
            },
            Entry {
                kind: Kind::Page,
                title: "About",
                url: "/about".into(),
                date: None,
                tags: &[],
                body: "I write about terraform, ansible and <tags>.".into(),
            },
        ])
    }

    #[test]
    fn accents_and_case_do_not_matter() {
        let r = index().search("ESPANOL");
        assert_eq!(r.hits.len(), 1);
        assert_eq!(r.hits[0].url, "/glossary#observabilidad");
        let marked: Vec<&str> = r.hits[0]
            .snippet
            .iter()
            .filter(|(_, m)| *m)
            .map(|(t, _)| t.as_str())
            .collect();
        assert_eq!(marked, ["español"], "the original spelling is highlighted");
    }

    #[test]
    fn title_outranks_tags_outranks_body() {
        let r = index().search("terraform");
        let urls: Vec<&str> = r.hits.iter().map(|h| h.url.as_str()).collect();
        assert_eq!(urls, ["/posts/gke", "/about"]);
        let r = index().search("observabilidad");
        assert_eq!(
            r.hits[0].url, "/glossary#observabilidad",
            "title match first"
        );
        assert_eq!(r.hits[0].kind, "glossary term");
    }

    #[test]
    fn every_word_must_match() {
        assert_eq!(index().search("terraform ansible").total, 1);
        assert_eq!(index().search("terraform kubernetes").total, 0);
    }

    #[test]
    fn empty_short_and_long_queries() {
        assert_eq!(index().search("").total, 0);
        assert_eq!(index().search("t").total, 0);
        assert_eq!(index().search("   ").total, 0);
        let long = "terraform ".repeat(100);
        let r = index().search(&long);
        assert_eq!(r.query.chars().count(), MAX_QUERY_CHARS);
        assert_eq!(r.total, 2);
    }

    #[test]
    fn words_match_the_words_they_begin_and_count_per_occurrence() {
        let r = index().search("terra");
        let urls: Vec<&str> = r.hits.iter().map(|h| h.url.as_str()).collect();
        assert_eq!(urls, ["/posts/gke", "/about"], "terra begins terraform");
        assert_eq!(index().search("form").total, 0, "not inside a word");
        let tags: Vec<String> = Vec::new();
        let idx = SearchIndex::build([
            Entry {
                kind: Kind::Post,
                title: "one",
                url: "/one".into(),
                date: None,
                tags: &tags,
                body: "state state".into(),
            },
            Entry {
                kind: Kind::Post,
                title: "two",
                url: "/two".into(),
                date: None,
                tags: &tags,
                body: "stateful state statement".into(),
            },
        ]);
        let r = idx.search("state");
        assert_eq!(r.total, 2);
        assert_eq!(r.hits[0].url, "/two", "three words begin with it, not two");
    }
}
