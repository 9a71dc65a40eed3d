//! Writes the server's search index as the static files the browser's
//! lookup reads (format: [`crate::static_search`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::content::Site;
use crate::search_rank::tokens;
use crate::static_search::{doc_url, shard_url, DocRecord, ShardToken, IN_TAGS, IN_TITLE};

/// `(file, bytes)` of every index file, deterministic for a snapshot.
pub fn files(site: &Site) -> Vec<(String, Vec<u8>)> {
    let index = site.search_index();
    let docs: Vec<_> = index.documents().collect();
    // Number documents in the order equal scores are shown: newest first
    // (undated last), then by title.
    let mut order: Vec<usize> = (0..docs.len()).collect();
    order.sort_by(|&a, &b| {
        crate::search_rank::order(
            (0, &docs[a].date, docs[a].title),
            (0, &docs[b].date, docs[b].title),
        )
        .then(docs[a].url.cmp(docs[b].url))
    });
    let mut number = vec![0u32; docs.len()];
    for (n, &i) in order.iter().enumerate() {
        number[i] = n as u32;
    }
    let flags: Vec<(BTreeSet<&str>, BTreeSet<&str>)> = docs
        .iter()
        .map(|d| {
            (
                tokens(d.title_folded).collect(),
                tokens(d.tags_folded).collect(),
            )
        })
        .collect();

    let mut shards: BTreeMap<String, Vec<ShardToken>> = BTreeMap::new();
    let mut vocabulary: Vec<(&str, Vec<(u32, u32)>)> = index.postings().collect();
    vocabulary.sort_by(|a, b| a.0.cmp(b.0));
    for (token, postings) in vocabulary {
        let mut postings: Vec<(u32, u32, u8)> = postings
            .into_iter()
            .map(|(doc, count)| {
                let (title, tags) = &flags[doc as usize];
                let mut f = 0;
                if title.contains(token) {
                    f |= IN_TITLE;
                }
                if tags.contains(token) {
                    f |= IN_TAGS;
                }
                (number[doc as usize], count, f)
            })
            .collect();
        postings.sort_unstable();
        // Every two-char sequence of the token names a shard it belongs to.
        let chars: Vec<char> = token.chars().collect();
        let keys: BTreeSet<String> = chars.windows(2).map(|w| w.iter().collect()).collect();
        for key in keys {
            shards
                .entry(key)
                .or_default()
                .push(ShardToken(token.to_string(), postings.clone()));
        }
    }

    let mut out = Vec::with_capacity(shards.len() + docs.len());
    let path = |url: String| url.trim_start_matches('/').to_string();
    for (key, tokens) in shards {
        if let Ok(json) = serde_json::to_vec(&tokens) {
            out.push((path(shard_url(&key)), json));
        }
    }
    let by_number: HashMap<u32, usize> = number.iter().enumerate().map(|(i, &n)| (n, i)).collect();
    for n in 0..docs.len() as u32 {
        let d = &docs[by_number[&n]];
        let record = DocRecord {
            kind: d.kind.to_string(),
            title: d.title.to_string(),
            url: d.url.to_string(),
            body: d.body.to_string(),
        };
        if let Ok(json) = serde_json::to_vec(&record) {
            out.push((path(doc_url(n)), json));
        }
    }
    out
}
