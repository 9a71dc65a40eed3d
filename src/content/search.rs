//! Full-text search over one snapshot: built once per content load, queried
//! in memory. Accent- and case-insensitive, ranked title > tags > body.

use chrono::NaiveDate;

use crate::model::{SearchHit, SearchResults};

/// Longest query looked at; longer input is cut.
pub const MAX_QUERY_CHARS: usize = 100;
/// Most hits returned.
pub const MAX_HITS: usize = 20;
const SNIPPET_BEFORE: usize = 60;
const SNIPPET_LEN: usize = 180;

pub use crate::text::{fold, fold_char};

/// Text of an HTML fragment (tags dropped, common entities decoded).
pub fn html_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let decoded = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

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
    title_folded: Vec<char>,
    tags_folded: Vec<char>,
    body: Vec<char>,
    body_folded: Vec<char>,
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

#[derive(Debug, Default)]
pub struct SearchIndex {
    docs: Vec<Doc>,
}

fn find(hay: &[char], needle: &[char], from: usize) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    (from..=hay.len() - needle.len()).find(|&i| hay[i..i + needle.len()] == *needle)
}

fn count(hay: &[char], needle: &[char]) -> usize {
    let mut n = 0;
    let mut at = 0;
    while let Some(i) = find(hay, needle, at) {
        n += 1;
        at = i + needle.len();
    }
    n
}

/// The words of a query worth looking for (two letters or more).
pub fn query_words(query: &str) -> Vec<Vec<char>> {
    let capped: String = query.chars().take(MAX_QUERY_CHARS).collect();
    let folded: String = fold(&capped).into_iter().collect();
    let mut words: Vec<Vec<char>> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 2)
        .map(|w| w.chars().collect())
        .collect();
    words.dedup();
    words
}

impl SearchIndex {
    pub fn build<'a>(entries: impl IntoIterator<Item = Entry<'a>>) -> SearchIndex {
        let docs = entries
            .into_iter()
            .map(|e| {
                let body: Vec<char> = e.body.chars().collect();
                Doc {
                    kind: e.kind,
                    title_folded: fold(e.title),
                    tags_folded: fold(&e.tags.join(" ")),
                    title: e.title.to_string(),
                    url: e.url,
                    date: e.date,
                    body_folded: body.iter().map(|c| fold_char(*c)).collect(),
                    body,
                }
            })
            .collect();
        SearchIndex { docs }
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// Every word must appear somewhere; title counts most, then tags, then body.
    pub fn search(&self, query: &str) -> SearchResults {
        let words = query_words(query);
        let mut scored: Vec<(u32, &Doc)> = Vec::new();
        if !words.is_empty() {
            'docs: for doc in &self.docs {
                let mut score = 0u32;
                for w in &words {
                    let in_title = find(&doc.title_folded, w, 0).is_some();
                    let in_tags = find(&doc.tags_folded, w, 0).is_some();
                    let in_body = count(&doc.body_folded, w).min(5) as u32;
                    if !in_title && !in_tags && in_body == 0 {
                        continue 'docs;
                    }
                    score += 100 * u32::from(in_title) + 20 * u32::from(in_tags) + in_body;
                }
                scored.push((score, doc));
            }
        }
        scored.sort_by(|a, b| {
            b.0.cmp(&a.0)
                .then_with(|| b.1.date.cmp(&a.1.date))
                .then_with(|| a.1.title.cmp(&b.1.title))
        });
        let total = scored.len();
        let hits = scored
            .into_iter()
            .take(MAX_HITS)
            .map(|(_, doc)| SearchHit {
                kind: doc.kind.label().to_string(),
                title: doc.title.clone(),
                url: doc.url.clone(),
                snippet: snippet(doc, &words),
            })
            .collect();
        SearchResults {
            query: query.chars().take(MAX_QUERY_CHARS).collect(),
            hits,
            total,
        }
    }
}

/// A window of the body around the first match, as (text, is_match) runs.
fn snippet(doc: &Doc, words: &[Vec<char>]) -> Vec<(String, bool)> {
    let first = words
        .iter()
        .filter_map(|w| find(&doc.body_folded, w, 0))
        .min()
        .unwrap_or(0);
    let mut start = first.saturating_sub(SNIPPET_BEFORE);
    while start > 0 && !doc.body[start - 1].is_whitespace() {
        start -= 1;
    }
    let end = (start + SNIPPET_LEN).min(doc.body.len());
    let mut marks = vec![false; end - start];
    for w in words {
        let mut at = start;
        while let Some(i) = find(&doc.body_folded[..end], w, at) {
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
    for (c, m) in doc.body[start..end].iter().zip(marks) {
        match runs.last_mut() {
            Some((text, mark)) if *mark == m => text.push(*c),
            _ => runs.push((c.to_string(), m)),
        }
    }
    if end < doc.body.len() {
        runs.push(("…".to_string(), false));
    }
    runs
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
    fn html_text_strips_tags_and_decodes() {
        assert_eq!(
            html_text("<p>a &lt;b&gt; <code>c</code></p>\n<p>d</p>"),
            "a <b> c d"
        );
    }
}
