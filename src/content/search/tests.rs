use chrono::NaiveDate;

use super::*;

/// Bodies as the posts hold them: beginning plain, rest packed.
impl From<&str> for Split {
    fn from(text: &str) -> Split {
        Split::new(text, PLAIN_START_BYTES)
    }
}

impl From<String> for Split {
    fn from(text: String) -> Split {
        Split::new(&text, PLAIN_START_BYTES)
    }
}

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

fn urls(r: &SearchResults) -> Vec<&str> {
    r.hits.iter().map(|h| h.url.as_str()).collect()
}

fn post(title: &str, url: &str, day: u32, body: String) -> Entry<'static> {
    Entry {
        kind: Kind::Post,
        title: Box::leak(title.to_string().into_boxed_str()),
        url: url.into(),
        date: NaiveDate::from_ymd_opt(2024, 1, day),
        tags: &[],
        body: body.into(),
    }
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
    assert_eq!(urls(&r), ["/posts/gke", "/about"]);
    let r = index().search("observabilidad");
    assert_eq!(
        r.hits[0].url, "/glossary#observabilidad",
        "title match first"
    );
    assert_eq!(r.hits[0].kind, "glossary term");
    let tags = vec!["kubernetes".to_string()];
    let idx = SearchIndex::build([
        post(
            "Body",
            "/body",
            3,
            "kubernetes kubernetes kubernetes".into(),
        ),
        Entry {
            tags: &tags,
            ..post("Tagged", "/tagged", 1, "nothing here".into())
        },
        post("Kubernetes in the title", "/title", 2, "no body".into()),
    ]);
    assert_eq!(
        urls(&idx.search("kube")),
        ["/title", "/tagged", "/body"],
        "title 100 > tags 20 > body counts, whatever the dates"
    );
}

#[test]
fn every_word_must_match() {
    assert_eq!(index().search("terraform ansible").total, 1);
    assert_eq!(index().search("terraform kubernetes").total, 0);
    assert_eq!(index().search("kubernetes terraform").total, 0);
}

#[test]
fn empty_short_long_and_unicode_queries() {
    let idx = index();
    assert_eq!(idx.search("").total, 0);
    assert_eq!(idx.search("t").total, 0);
    assert_eq!(idx.search("   ").total, 0);
    assert_eq!(idx.search("🚀🚀 ✨").total, 0, "no letters: no words");
    assert_eq!(idx.search("\0\0").total, 0);
    let long = "terraform ".repeat(100);
    let r = idx.search(&long);
    assert_eq!(r.query.chars().count(), MAX_QUERY_CHARS);
    assert_eq!(r.total, 2);
    // 33 different two-letter words: every one must match, none does.
    let many: String = ('a'..='z')
        .flat_map(|a| [a, 'q', ' '])
        .collect::<String>()
        .repeat(4);
    assert_eq!(idx.search(&many).total, 0);
    let tags: Vec<String> = Vec::new();
    let cjk = SearchIndex::build([Entry {
        kind: Kind::Post,
        title: "東京の夜",
        url: "/tokyo".into(),
        date: None,
        tags: &tags,
        body: "Ελληνικά и русский текст.".into(),
    }]);
    assert_eq!(urls(&cjk.search("東京")), ["/tokyo"], "a CJK prefix");
    assert_eq!(urls(&cjk.search("ΕΛΛΗΝ")), ["/tokyo"], "Greek, folded");
    assert_eq!(urls(&cjk.search("Русск")), ["/tokyo"], "Cyrillic, folded");
}

#[test]
fn words_match_the_words_they_begin_and_count_per_occurrence() {
    let r = index().search("terra");
    assert_eq!(urls(&r), ["/posts/gke", "/about"], "terra begins terraform");
    assert_eq!(index().search("form").total, 0, "not inside a word");
    assert_eq!(index().search("terraformer").total, 0, "not longer");
    let idx = SearchIndex::build([
        post("one", "/one", 2, "state state".into()),
        post("two", "/two", 1, "stateful state statement".into()),
    ]);
    let r = idx.search("state");
    assert_eq!(r.total, 2);
    assert_eq!(r.hits[0].url, "/two", "three words begin with it, not two");
}

#[test]
fn equal_scores_newest_first_then_title() {
    let idx = SearchIndex::build([
        post("b", "/b-old", 1, "rust".into()),
        post("b", "/b-new", 9, "rust".into()),
        post("a", "/a-new", 9, "rust".into()),
        post("c", "/c-mid", 5, "rust".into()),
    ]);
    assert_eq!(
        urls(&idx.search("rust")),
        ["/a-new", "/b-new", "/c-mid", "/b-old"]
    );
}

#[test]
fn only_the_best_hits_are_returned_and_total_counts_all() {
    let entries: Vec<Entry<'static>> = (0..(MAX_HITS as u32 * 3))
        .map(|i| {
            // Post i mentions "alpha" i % 7 times (at least once).
            let body = "alpha ".repeat((i % 7 + 1) as usize);
            post(&format!("p{i:03}"), &format!("/p{i:03}"), 1 + i % 28, body)
        })
        .collect();
    let idx = SearchIndex::build(entries);
    let r = idx.search("alpha");
    assert_eq!(r.total, MAX_HITS * 3);
    assert_eq!(r.hits.len(), MAX_HITS);
    // Scores cap at 5 occurrences: posts with 5, 6 or 7 tie and come first,
    // newest first.
    let counts: Vec<usize> = r
        .hits
        .iter()
        .map(|h| {
            let i: usize = h.url[2..].parse().unwrap_or(usize::MAX);
            (i % 7 + 1).min(5)
        })
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    assert_eq!(counts[0], 5);
}

/// `MAX_EXPANSIONS + 36` tokens begin with `zq`; token `zq{i}` is in
/// `i + 1` documents (`zq0` in one), and the word `zq` itself in one.
fn crowded() -> SearchIndex {
    let n = MAX_EXPANSIONS + 36;
    let entries: Vec<Entry<'static>> = (0..n)
        .map(|d| {
            // Document d holds every zq{i} with i >= d: zq{i} is in i+1 docs.
            let mut body: String = (d..n).map(|i| format!("zq{i:03} ")).collect();
            if d == n - 1 {
                body.push_str("zq");
            }
            post(&format!("doc {d}"), &format!("/d{d:03}"), 1, body)
        })
        .collect();
    SearchIndex::build(entries)
}

#[test]
fn a_short_prefix_stands_for_its_most_common_tokens_only() {
    let idx = crowded();
    let n = MAX_EXPANSIONS + 36;
    // Kept: `zq` itself (in doc n-1) and the MAX_EXPANSIONS - 1 most common
    // of zq000…: zq{n-63}… are in the most documents; zq000…zq{n-64} are
    // cut. Documents 0..n-63 hold only cut tokens and kept ones: every
    // document d holds zq{n-1}, which is kept, so all match.
    assert_eq!(idx.search("zq").total, n);
    // A document whose only tokens are cut: none here, so build one.
    let mut entries: Vec<Entry<'static>> = (0..n)
        .map(|d| {
            let body: String = (d..n).map(|i| format!("zq{i:03} ")).collect();
            post(&format!("doc {d}"), &format!("/d{d:03}"), 1, body)
        })
        .collect();
    entries.push(post("rare only", "/rare", 2, "zq000".into()));
    let idx = SearchIndex::build(entries);
    let r = idx.search("zq");
    assert!(
        !urls(&r).contains(&"/rare"),
        "zq000 (two documents) is not among the {MAX_EXPANSIONS} most common"
    );
    assert_eq!(r.total, n, "every generated doc holds a kept token");
    assert_eq!(idx.search("zq000").total, 2, "the full word still finds it");
    // zq00x is in documents 0..=x: zq000…zq009 in documents 0..=9, and /rare.
    assert_eq!(
        idx.search("zq00").total,
        11,
        "a narrower prefix keeps all ten"
    );
}

#[test]
fn the_word_itself_is_kept_even_when_rare() {
    let idx = crowded();
    let n = MAX_EXPANSIONS + 36;
    let (run, exact) = idx.terms_beginning("zq");
    assert!(exact, "`zq` is a token");
    assert_eq!(run.len(), n + 1);
    // `zq` is in one document (the last), as is the rarest expansion, but
    // it is kept: the last document scores with it in the body.
    let mut entries: Vec<Entry<'static>> = (0..n)
        .map(|d| {
            let body: String = (d..n).map(|i| format!("zq{i:03} ")).collect();
            post(&format!("doc {d}"), &format!("/d{d:03}"), 1, body)
        })
        .collect();
    entries.push(post("exact", "/exact", 3, "zq".into()));
    let idx = SearchIndex::build(entries);
    assert_eq!(
        idx.search("zq").total,
        n + 1,
        "/exact is found through `zq`"
    );
    let mut without: Vec<Entry<'static>> = (0..n)
        .map(|d| {
            let body: String = (d..n).map(|i| format!("zq{i:03} ")).collect();
            post(&format!("doc {d}"), &format!("/d{d:03}"), 1, body)
        })
        .collect();
    without.push(post("rare", "/rare", 3, "zq000".into()));
    assert_eq!(
        SearchIndex::build(without).search("zq").total,
        n,
        "a rare longer token in its place is cut"
    );
}

#[test]
fn a_run_of_terms_is_found_by_two_lookups() {
    let idx = index();
    let (run, exact) = idx.terms_beginning("terra");
    assert_eq!(run.len(), 1);
    assert!(!exact);
    let (run, exact) = idx.terms_beginning("terraform");
    assert_eq!(run.len(), 1);
    assert!(exact);
    assert!(idx.terms_beginning("zz").0.is_empty());
    assert!(idx.terms_beginning("\u{10ffff}").0.is_empty());
    assert_eq!(prefix_successor(b"ab"), Some(b"ac".to_vec()));
    assert_eq!(prefix_successor(b"a\xff"), Some(b"b".to_vec()));
    assert_eq!(prefix_successor(b"\xff\xff"), None);
}

#[test]
fn scratch_is_clean_between_queries_and_indexes() {
    let big = crowded();
    let small = index();
    let first = small.search("terraform");
    let crowded_first = big.search("zq");
    for _ in 0..3 {
        assert_eq!(big.search("zq050 zq099").total, 51);
        assert_eq!(small.search("terraform"), first);
        assert_eq!(big.search("zq"), crowded_first);
        assert_eq!(small.search("kubernetes").total, 0);
    }
}

#[test]
fn postings_carry_capped_counts_and_flags() {
    let idx = index();
    let all: Vec<_> = idx.postings().collect();
    let terms: Vec<&str> = all.iter().map(|(t, _)| t.as_str()).collect();
    let mut sorted = terms.clone();
    sorted.sort_unstable();
    assert_eq!(terms, sorted, "dictionary order");
    let get = |t: &str| &all.iter().find(|(k, _)| k == t).expect(t).1;
    // The GKE post is newest: document 0.
    assert_eq!(get("terraform"), &vec![(0, 0, IN_TITLE), (1, 1, 0)]);
    assert_eq!(get("iac"), &vec![(0, 0, IN_TAGS)]);
    let many = SearchIndex::build([post("x", "/x", 1, "go ".repeat(40))]);
    let go: Vec<_> = many.postings().collect();
    assert_eq!(go[0], ("go".to_string(), vec![(0, 5, 0)]), "capped at 5");
}

/// The index keeps a body's beginning plain and the rest compressed: a
/// match in the beginning, one far past it, and one cut by the beginning's
/// end must all get the snippet the whole text gives.
#[test]
fn snippets_past_the_kept_beginning_come_from_the_whole_body() {
    let filler = "plain words fill the opening paragraph here ".repeat(100);
    let near = format!("zebrafish first. {filler}");
    let far = format!("{filler}{filler}and then the axolotl appears near the end.");
    // Put a match across the cut: it begins before and ends after it.
    let cut = PLAIN_START_BYTES;
    let mut across = "ab ".repeat((cut - 4) / 3);
    across.push_str(&" ".repeat(cut - 3 - across.len()));
    across.push_str("quokka and more words after it");
    assert!(across
        .find("quokka")
        .is_some_and(|at| at < cut && at + 6 > cut));
    let index = SearchIndex::build([
        post("Near", "/posts/near", 1, near.clone()),
        post("Far", "/posts/far", 2, far.clone()),
        post("Across", "/posts/across", 3, across.clone()),
    ]);
    for (query, body) in [("zebrafish", &near), ("axolotl", &far), ("quokka", &across)] {
        let results = index.search(query);
        assert_eq!(results.hits.len(), 1, "{query}");
        let words = crate::search_rank::query_words(query);
        let whole = crate::search_rank::snippet(body, &words);
        assert!(whole.iter().any(|(_, marked)| *marked), "{query} is marked");
        assert_eq!(results.hits[0].snippet, whole, "{query}");
    }
}

/// A two-letter word whose tokens' postings outnumber the documents is
/// answered from a list merged at build time: the same total and hits, in
/// the same order, as merging its tokens per query.
#[test]
fn a_merged_prefix_list_answers_as_the_per_query_merge() {
    // Varied documents: words from a small vocabulary where many tokens
    // begin `zq` and `ab`, in bodies, titles and tags, repeated up to past
    // the count cap.
    let tags = [vec!["zqtag".to_string()], vec![], vec!["abtag".to_string()]];
    let mut seed = 3u32;
    let mut next = move || {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        (seed >> 16) as usize
    };
    let entries: Vec<Entry<'_>> = (0..150)
        .map(|d| {
            let body: String = (0..40)
                .map(|_| match next() % 4 {
                    0 => format!("zq{:03} ", next() % 120),
                    1 => format!("ab{} ", next() % 90),
                    2 => "zq ".to_string(),
                    _ => "filler ".to_string(),
                })
                .collect();
            let title = if d % 7 == 0 { "Zq title" } else { "Other" };
            Entry {
                kind: Kind::Post,
                title,
                url: format!("/p{d:03}"),
                date: NaiveDate::from_ymd_opt(2024, 1, 1 + (d % 28) as u32),
                tags: &tags[d % 3],
                body: body.into(),
            }
        })
        .collect();
    let idx = SearchIndex::build(entries);
    for word in ["zq", "ab"] {
        assert!(idx.prefixes.get(word).is_some(), "{word} has a merged list");
    }
    assert!(
        idx.prefixes.get("fi").is_none(),
        "one token: nothing to merge"
    );
    for q in ["zq", "ab", "zq ab", "zq filler", "ab zq001", "fi", "zz"] {
        let words = query_words(q);
        let mut scratch = query::Scratch::default();
        let merged = query::rank(&idx, &words, &mut scratch, true);
        let direct = query::rank(&idx, &words, &mut scratch, false);
        assert_eq!(merged, direct, "{q}");
    }
    assert!(
        query::rank(
            &idx,
            &query_words("zq"),
            &mut query::Scratch::default(),
            true
        )
        .0 > 100
    );
}
