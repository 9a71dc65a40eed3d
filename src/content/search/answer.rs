//! One query's answer, computed once and given either as a
//! [`SearchResults`] (the `/search` page) or as the exact JSON bytes
//! `serde_json` writes for that value (`GET /api/search`).
//!
//! Why the JSON is written from the index, not from a `SearchResults`: an
//! answer of 20 hits owned is ~150 small allocations (each hit's kind,
//! title, URL and snippet runs copied into strings), freed right after
//! being serialised. Here the hits borrow their title and URL from the
//! index and their snippet runs are byte ranges of the body (in the plain
//! beginning the index keeps, or in the few bodies unpacked for this
//! answer), written straight into one buffer. Both forms come from the
//! same [`Answer`], and the tests check that the bytes are those of
//! `serde_json::to_vec(&results)`.

use std::ops::Range;

use serde::ser::{SerializeSeq as _, SerializeTuple as _};
use serde::{Serialize, Serializer};

use super::SearchIndex;
use crate::model::{SearchHit, SearchResults};
use crate::search_rank::{
    query_words, run_texts, snippet_runs, Run, SnippetWords, ELLIPSIS, MAX_QUERY_CHARS,
};

/// Which text a hit's snippet runs are ranges of.
#[derive(Debug, Clone, Copy)]
enum Source {
    /// The plain beginning the index keeps.
    Head,
    /// [`Answer::unpacked`]`[i]`: the whole body, unpacked for this answer.
    Unpacked(usize),
}

/// A query's hits and their snippets, borrowing from the index.
pub(super) struct Answer<'i> {
    index: &'i SearchIndex,
    /// The query as the answer repeats it (cut to [`MAX_QUERY_CHARS`]).
    query: &'i str,
    total: usize,
    /// Per hit, best first: its document, the text its snippet is cut
    /// from and its runs in [`Answer::runs`].
    hits: Vec<(u32, Source, Range<usize>)>,
    /// Bodies whose beginning did not settle their snippet.
    unpacked: Vec<String>,
    runs: Vec<Run>,
}

/// `query` cut to [`MAX_QUERY_CHARS`] chars, as `search_rank::shown_query`
/// gives it, without copying.
fn shown(query: &str) -> &str {
    query
        .char_indices()
        .nth(MAX_QUERY_CHARS)
        .map_or(query, |(i, _)| &query[..i])
}

impl<'i> Answer<'i> {
    pub(super) fn compute(index: &'i SearchIndex, query: &'i str) -> Answer<'i> {
        let words = query_words(query);
        let (total, top) = super::query::top(index, &words);
        let prepared = SnippetWords::new(&words);
        let mut unpacked = Vec::new();
        // About a dozen runs a snippet.
        let mut runs = Vec::with_capacity(top.len() * 12);
        let mut hits = Vec::with_capacity(top.len());
        for doc in top {
            let Some(d) = index.docs.get(doc as usize) else {
                continue;
            };
            let from = runs.len();
            // The beginning settles most snippets; the rest unpack the body.
            let source = if snippet_runs(d.text.head(), d.text.is_whole(), &prepared, &mut runs) {
                Source::Head
            } else {
                let text = d.text.text();
                snippet_runs(&text, true, &prepared, &mut runs);
                unpacked.push(text);
                Source::Unpacked(unpacked.len() - 1)
            };
            hits.push((doc, source, from..runs.len()));
        }
        Answer {
            index,
            query: shown(query),
            total,
            hits,
            unpacked,
            runs,
        }
    }

    fn body(&self, doc: u32, source: Source) -> &str {
        match source {
            Source::Head => self.index.docs[doc as usize].text.head(),
            Source::Unpacked(i) => &self.unpacked[i],
        }
    }

    /// The answer as owned values.
    pub(super) fn results(&self) -> SearchResults {
        let hits = self
            .hits
            .iter()
            .map(|&(doc, source, ref runs)| {
                let d = &self.index.docs[doc as usize];
                SearchHit {
                    kind: d.kind.label().to_string(),
                    title: d.title.clone(),
                    url: d.url.clone(),
                    snippet: run_texts(self.body(doc, source), &self.runs[runs.clone()]),
                }
            })
            .collect();
        SearchResults {
            query: self.query.to_string(),
            hits,
            total: self.total,
        }
    }

    /// Appends the answer's JSON to `out`: the bytes `serde_json::to_vec`
    /// gives for [`Answer::results`].
    pub(super) fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        serde_json::to_writer(
            out,
            &Json {
                query: self.query,
                hits: Hits(self),
                total: self.total,
            },
        )
    }
}

/// [`SearchResults`]' fields, in its order, borrowed.
#[derive(Serialize)]
struct Json<'a> {
    query: &'a str,
    hits: Hits<'a>,
    total: usize,
}

/// [`SearchHit`]'s fields, in its order, borrowed.
#[derive(Serialize)]
struct Hit<'a> {
    kind: &'static str,
    title: &'a str,
    url: &'a str,
    snippet: Runs<'a>,
}

struct Hits<'a>(&'a Answer<'a>);

impl Serialize for Hits<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let answer = self.0;
        let mut seq = s.serialize_seq(Some(answer.hits.len()))?;
        for &(doc, source, ref runs) in &answer.hits {
            let d = &answer.index.docs[doc as usize];
            seq.serialize_element(&Hit {
                kind: d.kind.label(),
                title: &d.title,
                url: &d.url,
                snippet: Runs {
                    body: answer.body(doc, source),
                    runs: &answer.runs[runs.clone()],
                },
            })?;
        }
        seq.end()
    }
}

/// A snippet as `Vec<(String, bool)>` serialises: a sequence of pairs.
struct Runs<'a> {
    body: &'a str,
    runs: &'a [Run],
}

impl Serialize for Runs<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.runs.len()))?;
        for run in self.runs {
            seq.serialize_element(&RunPair {
                text: RunText {
                    body: self.body,
                    run,
                },
                marked: run.marked,
            })?;
        }
        seq.end()
    }
}

/// `(text, is_match)` as a tuple serialises.
struct RunPair<'a> {
    text: RunText<'a>,
    marked: bool,
}

impl Serialize for RunPair<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut t = s.serialize_tuple(2)?;
        t.serialize_element(&self.text)?;
        t.serialize_element(&self.marked)?;
        t.end()
    }
}

/// [`Run::text`] as a string, without building it.
struct RunText<'a> {
    body: &'a str,
    run: &'a Run,
}

impl Serialize for RunText<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let part = &self.body[self.run.range.clone()];
        if self.run.ellipsis {
            s.collect_str(&format_args!("{ELLIPSIS}{part}"))
        } else {
            s.serialize_str(part)
        }
    }
}
