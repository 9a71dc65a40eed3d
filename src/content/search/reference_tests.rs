//! Answers checked against the search's rules computed the plain way: every
//! dictionary token a word begins looked at, every matching document
//! scored, all of them sorted, and each hit's snippet cut from its whole
//! body. The index's scratch arrays, merged prefix lists, bounded heap,
//! snippet shortcuts and borrowed JSON must give the same answer, byte for
//! byte, for every kind of query.

use chrono::NaiveDate;
use rustc_hash::FxHashMap;

use super::*;
use crate::search_rank::{kept_expansions, shown_query, snippet, word_score};

/// The answer by the rules, from the index's dictionary and documents only.
/// A token and its postings: (document, body count, flags).
type TokenPostings = (String, Vec<(u32, u32, u8)>);

fn reference(index: &SearchIndex, query: &str) -> SearchResults {
    let words = query_words(query);
    let mut results = SearchResults {
        query: shown_query(query),
        hits: Vec::new(),
        total: 0,
    };
    if words.is_empty() || index.is_empty() {
        return results;
    }
    let dictionary: Vec<TokenPostings> = index.postings().collect();
    // Per document: the score so far, for those that matched every word.
    let mut scores: Option<FxHashMap<u32, u32>> = None;
    for w in &words {
        let run: Vec<&TokenPostings> = dictionary
            .iter()
            .filter(|(token, _)| token.starts_with(w.as_str()))
            .collect();
        let exact = run.first().is_some_and(|(token, _)| token == w);
        let dfs: Vec<u32> = run.iter().map(|(_, list)| list.len() as u32).collect();
        let mut kept = Vec::new();
        kept_expansions(&dfs, exact, &mut kept);
        // Per document: body count and flags over the kept tokens.
        let mut matched: FxHashMap<u32, (u32, u8)> = FxHashMap::default();
        for &k in &kept {
            for &(doc, count, flags) in &run[k].1 {
                let m = matched.entry(doc).or_insert((0, 0));
                m.0 += count;
                m.1 |= flags;
            }
        }
        let word: FxHashMap<u32, u32> = matched
            .into_iter()
            .map(|(doc, (count, flags))| {
                let s = word_score(flags & IN_TITLE != 0, flags & IN_TAGS != 0, count);
                (doc, s)
            })
            .collect();
        scores = Some(match scores {
            None => word,
            Some(so_far) => so_far
                .into_iter()
                .filter_map(|(doc, s)| word.get(&doc).map(|w| (doc, s + w)))
                .collect(),
        });
    }
    let mut all: Vec<(u32, u32)> = scores.unwrap_or_default().into_iter().collect();
    // Best score first; equal scores in document order.
    all.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    results.total = all.len();
    let docs: Vec<DocView<'_>> = index.documents().collect();
    results.hits = all
        .iter()
        .take(MAX_HITS)
        .map(|&(doc, _)| {
            let d = &docs[doc as usize];
            crate::model::SearchHit {
                kind: d.kind.to_string(),
                title: d.title.to_string(),
                url: d.url.to_string(),
                snippet: snippet(&d.body, &words),
            }
        })
        .collect();
    results
}

/// Words of every shape the rules care about: accents and case, words that
/// begin others, many tokens under one two-letter prefix (so `de` gets a
/// merged list), non-Latin scripts, punctuation and JSON's special chars.
const VOCABULARY: &[&str] = &[
    "terraform",
    "Terraform,",
    "terra",
    "rollback",
    "ROLLBACK.",
    "de",
    "del",
    "desde",
    "despliegue",
    "Deno",
    "debian",
    "decay",
    "deploy",
    "delta",
    "dense",
    "español",
    "ESPANOL",
    "Éxito",
    "naïve",
    "straße",
    "日本語",
    "Ελληνικά",
    "\"quoted\"",
    "back\\slash",
    "tab\there",
    "line\nbreak",
    "—",
    "(de)",
    "x-de",
    "the",
    "and",
    "of",
    "cluster",
    "latency",
    "observability",
];

/// A varied index: short and long bodies (past the plain beginning the
/// index keeps, some matching only far in), titles, tags and dates that
/// tie and differ.
fn corpus() -> SearchIndex {
    let mut seed = 17u32;
    let mut next = move |n: usize| {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        (seed >> 8) as usize % n
    };
    let tag_sets = [
        vec!["terraform".to_string()],
        vec![],
        vec!["devops".to_string(), "español".to_string()],
        vec!["deploy".to_string()],
    ];
    let mut bodies = Vec::new();
    let mut titles = Vec::new();
    for d in 0..260 {
        // Log-spread lengths: a few words to several KB.
        let len = [3, 20, 90, 400, 1500][next(5)] + next(40);
        let mut words: Vec<&str> = (0..len)
            .map(|_| {
                // Zipf-ish: the first words of the list far more often.
                let i = next(VOCABULARY.len()).min(next(VOCABULARY.len()));
                VOCABULARY[i]
            })
            .collect();
        // Some long bodies hold a rare word only near their end.
        if d % 9 == 0 && len > 1000 {
            words.push("axolotl");
        }
        bodies.push(words.join(if d % 2 == 0 { " " } else { "  " }));
        titles.push(format!(
            "{} {} {d}",
            VOCABULARY[next(VOCABULARY.len())],
            VOCABULARY[next(VOCABULARY.len())]
        ));
    }
    let entries: Vec<Entry<'_>> = (0..260)
        .map(|d| Entry {
            kind: [Kind::Post, Kind::Post, Kind::Term, Kind::Page][d % 4],
            title: &titles[d],
            url: format!("/p{d:03}"),
            // Some undated (glossary terms and pages are), many equal.
            date: if d % 5 == 0 {
                None
            } else {
                NaiveDate::from_ymd_opt(2024, 1 + (d % 12) as u32, 1 + (d % 3) as u32)
            },
            tags: &tag_sets[d % 4],
            body: bodies[d].as_str().into(),
        })
        .collect();
    SearchIndex::build(entries)
}

const QUERIES: &[&str] = &[
    "terraform",
    "terraform rollback",
    "rollback terraform terraform",
    "TERRA",
    "de",
    "des",
    "de terraform",
    "axolotl",
    "axolotl de",
    "espanol",
    "ÉXITO naive",
    "straße",
    "日本",
    "ελλην",
    "quoted",
    "back slash",
    "tab",
    "zzzz",
    "terraform zzzz",
    "",
    "t",
    "  ",
    "🚀",
    "the and of",
];

#[test]
fn answers_are_the_plain_computation_s() {
    let index = corpus();
    assert!(index.prefixes.get("de").is_some(), "`de` has a merged list");
    let long = "terraform rollback ".repeat(10);
    let mut queries: Vec<&str> = QUERIES.to_vec();
    queries.push(&long);
    for q in queries {
        let expected = reference(&index, q);
        let results = index.search(q);
        assert_eq!(results, expected, "{q:?}");
        let json = serde_json::to_vec(&expected).expect("serialise");
        assert_eq!(
            String::from_utf8_lossy(&index.search_json(q)),
            String::from_utf8_lossy(&json),
            "{q:?}"
        );
    }
    // The cases that make the comparison worth it are present.
    let many = index.search("terraform");
    assert_eq!(many.hits.len(), MAX_HITS);
    assert!(many.total > 2 * MAX_HITS, "{}", many.total);
    assert!(index.search("axolotl").total > 0);
    // `axolotl` ends bodies of over 1,000 words: past the plain beginning.
    let far = index.search("axolotl");
    assert!(
        far.hits
            .iter()
            .all(|h| h.snippet.iter().any(|(t, m)| *m && t == "axolotl")),
        "far matches are found in the unpacked rest"
    );
}
