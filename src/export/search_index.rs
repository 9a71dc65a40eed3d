//! Writes the server's search index as the static files the browser's
//! lookup reads (format: [`crate::static_search`]).

use std::collections::BTreeMap;

use crate::content::search::SearchIndex;
use crate::content::Site;
use crate::static_search::{beginning, body_url, doc_url, shard_url, DocRecord, ShardToken};

/// `(file, bytes)` of every index file, deterministic for a snapshot.
pub fn files(site: &Site) -> Vec<(String, Vec<u8>)> {
    index_files(site.search_index())
}

/// The files of one index. Documents keep the index's numbers: those are in the order equal scores
/// are shown (newest first, then title), which the browser's ranking relies
/// on.
pub fn index_files(index: &SearchIndex) -> Vec<(String, Vec<u8>)> {
    let mut shards: BTreeMap<String, Vec<ShardToken>> = BTreeMap::new();
    // In dictionary (sorted) order: each shard's tokens stay in that order.
    for (token, postings) in index.postings() {
        // A query word matches the tokens it begins, so a token only needs
        // to be in the shard of its own first two characters.
        if let Some(key) = crate::static_search::shard_key(&token) {
            shards
                .entry(key)
                .or_default()
                .push(ShardToken(token, postings));
        }
    }

    let mut out = Vec::with_capacity(shards.len() + index.len());
    let path = |url: String| url.trim_start_matches('/').to_string();
    for (key, tokens) in shards {
        if let Ok(json) = serde_json::to_vec(&tokens) {
            out.push((path(shard_url(&key)), json));
        }
    }
    for (n, d) in index.documents().enumerate() {
        let (start, more) = beginning(&d.body);
        let record = DocRecord {
            kind: d.kind.to_string(),
            title: d.title.to_string(),
            url: d.url.to_string(),
            body: start.to_string(),
            more,
        };
        if let Ok(json) = serde_json::to_vec(&record) {
            out.push((path(doc_url(n as u32)), json));
        }
        if more {
            if let Ok(json) = serde_json::to_vec(&d.body) {
                out.push((path(body_url(n as u32)), json));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::content::search::{Entry, Kind, MAX_EXPANSIONS};
    use crate::static_search::{
        body_url, doc_url, rank, results, shard_key, shard_url, BEGINNING_BYTES,
    };

    /// The browser's answer from these files, as `static_search::search`
    /// computes it.
    fn static_answer(files: &[(String, Vec<u8>)], q: &str) -> crate::model::SearchResults {
        let read = |url: String| {
            files
                .iter()
                .find(|(f, _)| *f == url.trim_start_matches('/'))
                .map(|(_, b)| b.clone())
        };
        let words = crate::search_rank::query_words(q);
        let shards: Vec<Option<Vec<ShardToken>>> = words
            .iter()
            .map(|w| {
                let bytes = read(shard_url(&shard_key(w)?))?;
                serde_json::from_slice(&bytes).ok()
            })
            .collect();
        let (total, top) = rank(&words, &shards);
        let records = top
            .iter()
            .filter_map(|&d| {
                let mut record: DocRecord = serde_json::from_slice(&read(doc_url(d))?).ok()?;
                if record.needs_rest(&words) {
                    record.body = serde_json::from_slice(&read(body_url(d))?).ok()?;
                    record.more = false;
                }
                Some(record)
            })
            .collect();
        results(q, total, records)
    }

    #[test]
    fn the_browser_cuts_short_prefixes_as_the_server_does() {
        // More tokens begin with `de` than a word may stand for, with
        // document counts that differ, so which ones are kept matters.
        let n = MAX_EXPANSIONS * 2;
        let tags = vec!["devops".to_string()];
        let entries: Vec<Entry<'_>> = (0..n)
            .map(|d| {
                let body: String = (0..n)
                    .filter(|i| (i * 7 + d) % (i % 5 + 2) == 0)
                    .map(|i| format!("de{i:03} other{} ", i % 3))
                    .collect();
                Entry {
                    kind: Kind::Post,
                    title: Box::leak(format!("Post de{d:03}").into_boxed_str()),
                    url: format!("/p{d}"),
                    date: NaiveDate::from_ymd_opt(2024, 1, 1 + (d % 3) as u32),
                    tags: if d % 4 == 0 { &tags } else { &[] },
                    body: body.into(),
                }
            })
            .collect();
        let index = SearchIndex::build(entries);
        let files = index_files(&index);
        for q in [
            "de", "de0", "de05", "de050", "dev", "de other", "post de1", "zz",
        ] {
            let server = index.search(q);
            assert_eq!(static_answer(&files, q), server, "query {q:?}");
        }
        assert!(index.search("de").total > 0);
    }

    #[test]
    fn long_bodies_ship_their_beginning_and_the_rest_apart() {
        let filler = "lorem ipsum dolor sit amet ".repeat(60);
        let bodies = [
            format!("Kubernetes first. {filler}"),
            format!("{filler} kubernetes late, past the beginning."),
            "Short: kubernetes.".to_string(),
            filler.clone(),
        ];
        let entries: Vec<Entry<'_>> = bodies
            .iter()
            .enumerate()
            .map(|(d, body)| Entry {
                kind: Kind::Post,
                title: if d == 3 {
                    "Kubernetes in the title"
                } else {
                    "Post"
                },
                url: format!("/p{d}"),
                date: NaiveDate::from_ymd_opt(2024, 1, 1 + d as u32),
                tags: &[],
                body: body.clone().into(),
            })
            .collect();
        let index = SearchIndex::build(entries);
        let files = index_files(&index);
        let names: Vec<&str> = files.iter().map(|(f, _)| f.as_str()).collect();
        // Every record is small; the long bodies are whole elsewhere.
        for (f, bytes) in &files {
            if f.contains("/d/") {
                assert!(bytes.len() < BEGINNING_BYTES + 200, "{f}: {}", bytes.len());
            }
        }
        assert_eq!(names.iter().filter(|f| f.contains("/b/")).count(), 3);
        for q in ["kubernetes", "lorem", "kube late", "zz", "short"] {
            assert_eq!(static_answer(&files, q), index.search(q), "query {q:?}");
        }
        assert_eq!(index.search("kubernetes").total, 4);
    }
}
