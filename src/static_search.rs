//! Search on a static host: the export writes the server's search index in
//! small files, and the browser answers a query from the few it needs.
//!
//! Layout under `/search-index/`:
//! - `s/<hex>.json` — one shard per two-character token beginning (`<hex>`
//!   is its UTF-8 in hex): every token beginning with it, with its postings
//!   `[doc, body count (capped at 5), flags]` (flag 1: the token is in the
//!   title, 2: in the tags). A query word matches the tokens it begins, and those begin
//!   with the word's first two characters: one shard per word suffices.
//! - `d/<doc>.json` — title, kind, URL and the beginning of the plain text
//!   (at most [`BEGINNING_BYTES`]) of one document, fetched only for the hits
//!   shown: the snippet is a window around the first match, which is nearly
//!   always near the beginning.
//! - `b/<doc>.json` — the whole plain text, for a document whose beginning
//!   does not settle the snippet ([`crate::search_rank::snippet_of_beginning`]);
//!   written only for bodies longer than the beginning.
//!
//! Documents are numbered in hit order for equal scores (newest first, then
//! by title), so ranking needs nothing but the shards. The rules are those of
//! [`crate::search_rank`]: the same query gets the same hits as on the server.

use serde::{Deserialize, Serialize};

use crate::model::{SearchHit, SearchResults};
use crate::search_rank::{
    kept_expansions, query_words, shown_query, snippet, snippet_of_beginning, word_score, MAX_HITS,
};

/// URL folder of the index.
pub const INDEX_PATH: &str = "/search-index";
pub const IN_TITLE: u8 = 1;
pub const IN_TAGS: u8 = 2;

/// The shard key of a word or token position: its first two chars.
pub fn shard_key(word: &str) -> Option<String> {
    let mut chars = word.chars();
    let (a, b) = (chars.next()?, chars.next()?);
    Some([a, b].iter().collect())
}

/// URL of the shard for `key`.
pub fn shard_url(key: &str) -> String {
    let hex: String = key.bytes().map(|b| format!("{b:02x}")).collect();
    format!("{INDEX_PATH}/s/{hex}.json")
}

/// URL of document `doc`'s record.
pub fn doc_url(doc: u32) -> String {
    format!("{INDEX_PATH}/d/{doc}.json")
}

/// URL of document `doc`'s whole plain text.
pub fn body_url(doc: u32) -> String {
    format!("{INDEX_PATH}/b/{doc}.json")
}

/// Most bytes of a body a record carries: a 60-char lead and a 180-char
/// window past a match in the first few sentences, in any script.
pub const BEGINNING_BYTES: usize = 640;

/// The beginning a record carries: at most [`BEGINNING_BYTES`], cut at a
/// char boundary; `true` if that is not the whole body.
pub fn beginning(body: &str) -> (&str, bool) {
    beginning_of(body, BEGINNING_BYTES)
}

/// The first `max` bytes of `body` at most, cut at a char boundary; `true`
/// if that is not the whole body.
pub fn beginning_of(body: &str, max: usize) -> (&str, bool) {
    if body.len() <= max {
        return (body, false);
    }
    let mut cut = max;
    while !body.is_char_boundary(cut) {
        cut -= 1;
    }
    (&body[..cut], true)
}

/// One token of a shard and where it occurs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardToken(pub String, pub Vec<(u32, u32, u8)>);

/// What a hit shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocRecord {
    pub kind: String,
    pub title: String,
    pub url: String,
    /// Plain text of the body: its beginning if `more`.
    pub body: String,
    /// The body goes on (in `b/<doc>.json`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub more: bool,
}

impl DocRecord {
    /// Whether the snippet for `words` needs the rest of the body.
    pub fn needs_rest(&self, words: &[String]) -> bool {
        self.more && snippet_of_beginning(&self.body, false, words).is_none()
    }
}

/// Ranks documents for `words` given one shard per word (`None`: the shard
/// does not exist, so nothing contains the word). Returns `(total, top
/// documents in order)`. A word stands for the tokens of its shard it
/// begins, cut as the server cuts them ([`kept_expansions`]).
pub fn rank(words: &[String], shards: &[Option<Vec<ShardToken>>]) -> (usize, Vec<u32>) {
    use std::collections::HashMap;
    let mut scores: Option<HashMap<u32, u32>> = None;
    let mut kept = Vec::new();
    for (word, shard) in words.iter().zip(shards) {
        // The shard is in dictionary order: the tokens the word begins are
        // one run of it.
        let run: Vec<&ShardToken> = shard
            .iter()
            .flatten()
            .filter(|t| t.0.starts_with(word.as_str()))
            .collect();
        let dfs: Vec<u32> = run.iter().map(|t| t.1.len() as u32).collect();
        let exact = run.first().is_some_and(|t| t.0 == *word);
        kept_expansions(&dfs, exact, &mut kept);
        let mut found: HashMap<u32, (u32, bool, bool)> = HashMap::new();
        for ShardToken(_, postings) in kept.iter().map(|&i| run[i]) {
            for &(doc, count, flags) in postings {
                let e = found.entry(doc).or_insert((0, false, false));
                e.0 += count;
                e.1 |= flags & IN_TITLE != 0;
                e.2 |= flags & IN_TAGS != 0;
            }
        }
        let word_scores = found
            .into_iter()
            .map(|(doc, (body, title, tags))| (doc, word_score(title, tags, body)));
        scores = Some(match scores {
            None => word_scores.collect(),
            Some(prev) => {
                let now: HashMap<u32, u32> = word_scores.collect();
                prev.into_iter()
                    .filter_map(|(doc, s)| Some((doc, s + now.get(&doc)?)))
                    .collect()
            }
        });
    }
    let mut scored: Vec<(u32, u32)> = scores.unwrap_or_default().into_iter().collect();
    let total = scored.len();
    // Equal scores: lower number first (the export numbered them in order).
    scored.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    scored.truncate(MAX_HITS);
    (total, scored.into_iter().map(|(doc, _)| doc).collect())
}

/// The results page data for `query`, from the ranking and the records of
/// the hits shown (with the whole body where [`DocRecord::needs_rest`]).
pub fn results(query: &str, total: usize, hits: Vec<DocRecord>) -> SearchResults {
    let words = query_words(query);
    SearchResults {
        query: shown_query(query),
        hits: hits
            .into_iter()
            .map(|d| SearchHit {
                snippet: snippet_of_beginning(&d.body, !d.more, &words)
                    .unwrap_or_else(|| snippet(&d.body, &words)),
                kind: d.kind,
                title: d.title,
                url: d.url,
            })
            .collect(),
        total,
    }
}

/// Search wherever the page is served from: the `search` server function on
/// the server; on a static host (no server functions: its URL is missing)
/// the export's index, and after one answer from it, only the index.
///
/// The server is asked with a plain `fetch` of the function's URL and its
/// JSON decoded here: so a static host's reader does not download the
/// server-function client, and the server's reader not the static lookup.
/// (A lazy chunk for the decoder alone would save a static host's reader
/// about 3 KB, but one more split module tipped `wasm-split` into putting
/// all data in the main module: +30 KB for every reader.)
pub async fn search_anywhere(q: String) -> Result<SearchResults, String> {
    #[cfg(feature = "hydrate")]
    {
        thread_local! {
            static STATIC_HOST: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
        }
        if !STATIC_HOST.with(std::cell::Cell::get) {
            match ask_server(&q).await? {
                Some(json) => return serde_json::from_str(&json).map_err(|e| e.to_string()),
                None => STATIC_HOST.with(|s| s.set(true)),
            }
        }
        search(q).await
    }
    #[cfg(not(feature = "hydrate"))]
    {
        crate::api::search(q).await.map_err(|e| e.to_string())
    }
}

/// The `search` server function's JSON answer to `q`; `None` where there is
/// no such URL (a static host answers 404, or 403 as S3 does for a missing
/// key, or 405).
#[cfg(feature = "hydrate")]
#[allow(clippy::manual_range_patterns)]
async fn ask_server(q: &str) -> Result<Option<String>, String> {
    use leptos::server_fn::ServerFn as _;
    let url = format!(
        "{}?q={}",
        crate::api::Search::PATH,
        String::from(web_sys::js_sys::encode_uri_component(q))
    );
    let res = gloo_net::http::Request::get(&url)
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if matches!(res.status(), 403 | 404 | 405) {
        return Ok(None);
    }
    if !res.ok() {
        return Err(format!("{url}: HTTP {}", res.status()));
    }
    res.text().await.map(Some).map_err(|e| e.to_string())
}

/// The browser side: fetch what a query needs and answer it. Lazy: its
/// code is a WASM chunk of its own (`cargo leptos build --split`), fetched
/// the first time a static host is searched, so readers of the server-served
/// site never download it.
#[cfg(feature = "hydrate")]
#[leptos::lazy]
pub async fn search(query: String) -> Result<SearchResults, String> {
    use futures::future::try_join_all;
    let words = query_words(&query);
    if words.is_empty() {
        return Ok(results(&query, 0, Vec::new()));
    }
    let shards = try_join_all(words.iter().map(|w| async move {
        match shard_key(w) {
            Some(key) => fetch_json::<Vec<ShardToken>>(&shard_url(&key)).await,
            None => Ok(None),
        }
    }))
    .await?;
    let (total, top) = rank(&words, &shards);
    let words = &words;
    let records = try_join_all(top.iter().map(|&doc| async move {
        let Some(mut record) = fetch_json::<DocRecord>(&doc_url(doc)).await? else {
            return Ok(None);
        };
        if record.needs_rest(words) {
            if let Some(body) = fetch_json::<String>(&body_url(doc)).await? {
                record.body = body;
                record.more = false;
            }
        }
        Ok::<_, String>(Some(record))
    }))
    .await?;
    Ok(results(
        &query,
        total,
        records.into_iter().flatten().collect(),
    ))
}

/// `None` for a 404 (no such shard); an error for anything else unusable.
#[cfg(feature = "hydrate")]
async fn fetch_json<T: serde::de::DeserializeOwned>(url: &str) -> Result<Option<T>, String> {
    let res = gloo_net::http::Request::get(url)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if res.status() == 404 {
        return Ok(None);
    }
    if !res.ok() {
        return Err(format!("{url}: HTTP {}", res.status()));
    }
    res.json::<T>().await.map(Some).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_keys_and_urls() {
        assert_eq!(shard_key("terraform").as_deref(), Some("te"));
        assert_eq!(shard_key("x"), None);
        assert_eq!(shard_url("te"), "/search-index/s/7465.json");
        assert_eq!(shard_url("ñu"), "/search-index/s/c3b175.json");
    }

    #[test]
    fn every_word_must_match_and_title_outranks_body() {
        let shard_te = vec![
            ShardToken("terraform".into(), vec![(0, 0, IN_TITLE), (2, 3, 0)]),
            ShardToken("test".into(), vec![(1, 1, 0)]),
        ];
        let shard_an = vec![ShardToken("ansible".into(), vec![(2, 1, 0)])];
        let words = vec!["terraform".to_string()];
        assert_eq!(rank(&words, &[Some(shard_te.clone())]), (2, vec![0, 2]));
        let words = vec!["terraform".to_string(), "ansible".to_string()];
        assert_eq!(
            rank(&words, &[Some(shard_te.clone()), Some(shard_an)]),
            (1, vec![2])
        );
        assert_eq!(rank(&words, &[Some(shard_te), None]), (0, vec![]));
    }
}
