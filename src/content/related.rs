//! Series and related posts, computed once per load over the published posts
//! (newest first, as the snapshot keeps them). A request only clones them.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use rayon::prelude::*;
use xxhash_rust::xxh3::Xxh3Default;

use super::{diag, Diagnostic, PostEntry};
use crate::markdown::Severity;
use crate::model::{RelatedPost, SeriesNav};

/// How many related posts a post shows.
pub const RELATED_MAX: usize = 3;
/// A shared tag says more about the topic than a shared glossary term (most
/// posts mention SRE or Kubernetes in passing).
const TAG_WEIGHT: u32 = 2;
const TERM_WEIGHT: u32 = 1;

/// Groups posts by `series:` name; parts are in publication order (oldest
/// first). Names that differ only in case are reported: almost always a typo
/// that would split one series into two.
pub fn attach_series(posts: &mut [PostEntry], diags: &mut Vec<Diagnostic>) {
    let mut groups: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, entry) in posts.iter().enumerate() {
        if let Some((name, _)) = &entry.series {
            groups.entry(name.clone()).or_default().push(i);
        }
    }
    let mut by_folded: HashMap<String, &str> = HashMap::new();
    let mut names: Vec<&String> = groups.keys().collect();
    names.sort();
    for name in names {
        let folded = name.to_lowercase();
        match by_folded.get(folded.as_str()) {
            Some(other) => {
                for &i in &groups[name] {
                    let e = &posts[i];
                    let line = e.series.as_ref().map_or(1, |(_, l)| *l);
                    diags.push(diag(
                        &e.path,
                        line,
                        1,
                        Severity::Warning,
                        format!("series `{name}` differs from series `{other}` only in case: they are two series"),
                    ));
                }
            }
            None => {
                by_folded.insert(folded, name);
            }
        }
    }
    for (name, mut members) in groups {
        // `posts` is newest first: reverse for reading order.
        members.sort_by(|a, b| {
            let (pa, pb) = (&posts[*a], &posts[*b]);
            pa.publish_at.cmp(&pb.publish_at).then_with(|| b.cmp(a))
        });
        if members.len() == 1 {
            let e = &posts[members[0]];
            let line = e.series.as_ref().map_or(1, |(_, l)| *l);
            diags.push(diag(
                &e.path,
                line,
                1,
                Severity::Warning,
                format!("series `{name}` has only this part"),
            ));
        }
        let parts: Vec<(String, String)> = members
            .iter()
            .map(|&i| {
                let m = &posts[i].post.meta;
                (m.slug.clone(), m.title.clone())
            })
            .collect();
        for (n, &i) in members.iter().enumerate() {
            posts[i].post.series = Some(SeriesNav {
                name: name.clone(),
                parts: parts.clone(),
                position: n + 1,
            });
        }
    }
}

/// What each post's related posts are computed from, in snapshot order:
/// its slug, tags, linked glossary terms and series name. When a reload
/// leaves this unchanged (an edit of a post's body that links the same
/// terms, a new title or summary), the picks of the previous snapshot are
/// the picks of this one, and the O(n²) scoring is skipped.
pub fn inputs_key(posts: &[PostEntry]) -> u64 {
    let mut h = Xxh3Default::new();
    posts.len().hash(&mut h);
    for e in posts {
        (
            &e.post.meta.slug,
            &e.post.meta.tags,
            &e.term_ids,
            e.series.as_ref().map(|(name, _)| name),
        )
            .hash(&mut h);
    }
    h.finish()
}

/// Each post's related posts, as indexes into the posts they were computed
/// over, with the [`inputs_key`] of those posts.
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct Picks {
    key: u64,
    picks: Vec<Vec<u32>>,
}

impl Picks {
    /// The picks for `posts`: `previous`'s when its key is `key` (see
    /// [`inputs_key`]), else computed. The flag says which.
    pub fn for_posts(posts: &[PostEntry], key: u64, previous: Option<&Picks>) -> (Picks, bool) {
        match previous {
            Some(p) if p.key == key && p.picks.len() == posts.len() => (p.clone(), true),
            _ => (
                Picks {
                    key,
                    picks: related_picks(posts),
                },
                false,
            ),
        }
    }
}

/// Up to [`RELATED_MAX`] posts per post, scored on shared tags and shared
/// glossary terms; parts of the same series are left out (the series box
/// already lists them). Ties go to the newer post. `picks` are
/// [`Picks::for_posts`] of these `posts`.
pub fn attach_related(posts: &mut [PostEntry], picks: &Picks) {
    let links: Vec<RelatedPost> = posts
        .iter()
        .map(|e| RelatedPost {
            slug: e.post.meta.slug.clone(),
            title: e.post.meta.title.clone(),
            date: e.post.meta.date.clone(),
            date_display: e.post.meta.date_display.clone(),
        })
        .collect();
    for (entry, pick) in posts.iter_mut().zip(&picks.picks) {
        entry.post.related = pick
            .iter()
            .filter_map(|&j| links.get(j as usize).cloned())
            .collect();
    }
}

/// The scoring behind [`attach_related`], for every post.
///
/// Every post is scored against every other (a shared glossary term is
/// common, so most pairs share something): per post, one dense array of
/// scores, filled from the tag posting lists and from the glossary terms,
/// then one pass that keeps the best [`RELATED_MAX`]. Terms are compared
/// as bit sets (a popcount per other post) when that is cheaper than
/// walking the posting lists of the post's terms — the usual case, as each
/// term is linked by a large share of the posts.
pub fn related_picks(posts: &[PostEntry]) -> Vec<Vec<u32>> {
    let n = posts.len();
    let mut by_tag: HashMap<&str, Vec<u32>> = HashMap::new();
    let mut term_ids: HashMap<&str, usize> = HashMap::new();
    let mut by_term: Vec<Vec<u32>> = Vec::new();
    let mut post_terms: Vec<Vec<usize>> = Vec::with_capacity(n);
    for (i, e) in posts.iter().enumerate() {
        for t in &e.post.meta.tags {
            by_tag.entry(t).or_default().push(i as u32);
        }
        let mut mine = Vec::with_capacity(e.term_ids.len());
        for t in &e.term_ids {
            let id = *term_ids.entry(t).or_insert_with(|| {
                by_term.push(Vec::new());
                by_term.len() - 1
            });
            // A post lists a term once; a repeat would count twice.
            if !mine.contains(&id) {
                mine.push(id);
                by_term[id].push(i as u32);
            }
        }
        post_terms.push(mine);
    }
    let words = by_term.len().div_ceil(64);
    let mut bits = vec![0u64; n * words];
    for (i, mine) in post_terms.iter().enumerate() {
        for &id in mine {
            bits[i * words + id / 64] |= 1 << (id % 64);
        }
    }
    // Series as small numbers, so the exclusion is an integer compare.
    let mut series_ids: HashMap<&str, u32> = HashMap::new();
    let series: Vec<u32> = posts
        .iter()
        .map(|e| match &e.series {
            Some((name, _)) => {
                let next = series_ids.len() as u32 + 1;
                *series_ids.entry(name.as_str()).or_insert(next)
            }
            None => 0,
        })
        .collect();
    (0..n)
        .into_par_iter()
        .map_init(
            || vec![0u32; n],
            |score, i| {
                score.iter_mut().for_each(|s| *s = 0);
                let e = &posts[i];
                for t in &e.post.meta.tags {
                    for &j in by_tag.get(t.as_str()).into_iter().flatten() {
                        score[j as usize] += TAG_WEIGHT;
                    }
                }
                let walk: usize = post_terms[i].iter().map(|&id| by_term[id].len()).sum();
                if walk > n * words {
                    let mine = &bits[i * words..(i + 1) * words];
                    for (s, theirs) in score.iter_mut().zip(bits.chunks_exact(words)) {
                        let shared: u32 = mine
                            .iter()
                            .zip(theirs)
                            .map(|(a, b)| (a & b).count_ones())
                            .sum();
                        *s += shared * TERM_WEIGHT;
                    }
                } else {
                    for &id in &post_terms[i] {
                        for &j in &by_term[id] {
                            score[j as usize] += TERM_WEIGHT;
                        }
                    }
                }
                top(score, i, &series)
            },
        )
        .collect()
}

/// The [`RELATED_MAX`] best-scored posts for post `i` (highest score, then
/// lowest index: the newer post), leaving out `i`, posts that share nothing
/// and the parts of `i`'s series.
fn top(score: &[u32], i: usize, series: &[u32]) -> Vec<u32> {
    let mine = series[i];
    let mut best: [(u32, u32); RELATED_MAX] = [(0, 0); RELATED_MAX];
    for (j, &s) in score.iter().enumerate() {
        // Ascending j: a later post with an equal score never displaces.
        if s <= best[RELATED_MAX - 1].0 || j == i || (mine != 0 && series[j] == mine) {
            continue;
        }
        let mut k = RELATED_MAX - 1;
        while k > 0 && best[k - 1].0 < s {
            best[k] = best[k - 1];
            k -= 1;
        }
        best[k] = (s, j as u32);
    }
    best.iter()
        .take_while(|(s, _)| *s > 0)
        .map(|&(_, j)| j)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Post, PostSummary};

    fn entry(i: usize, tags: Vec<String>, terms: Vec<String>, series: Option<&str>) -> PostEntry {
        let date = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).expect("date");
        PostEntry {
            path: format!("posts/p{i}.md"),
            date,
            publish_at: chrono::DateTime::UNIX_EPOCH,
            updated: None,
            aliases: Vec::new(),
            term_ids: terms,
            series: series.map(|s| (s.to_string(), 2)),
            search_text: Default::default(),
            body: Default::default(),
            post: Post {
                meta: PostSummary {
                    slug: format!("p{i}"),
                    title: format!("P {i}"),
                    date: "2024-01-01".into(),
                    date_display: "1 January 2024".into(),
                    summary: String::new(),
                    tags,
                    reading_minutes: 1,
                },
                updated: None,
                lang: "en".into(),
                html: String::new(),
                toc: Vec::new(),
                terms: Vec::new(),
                words: 0,
                newer: None,
                older: None,
                series: None,
                related: Vec::new(),
                author: None,
                image: None,
            },
        }
    }

    /// The scoring as first written (a map of scores per post, a full
    /// sort): slow, obviously right, and what the fast one must equal.
    fn reference(posts: &[PostEntry]) -> Vec<Vec<u32>> {
        (0..posts.len())
            .map(|i| {
                let mut score: HashMap<usize, u32> = HashMap::new();
                for (j, other) in posts.iter().enumerate() {
                    let tags = posts[i]
                        .post
                        .meta
                        .tags
                        .iter()
                        .filter(|t| other.post.meta.tags.contains(t))
                        .count() as u32;
                    let terms = posts[i]
                        .term_ids
                        .iter()
                        .filter(|t| other.term_ids.contains(t))
                        .count() as u32;
                    let s = tags * TAG_WEIGHT + terms * TERM_WEIGHT;
                    if s > 0 {
                        score.insert(j, s);
                    }
                }
                let series = |k: usize| posts[k].series.as_ref().map(|(n, _)| n.as_str());
                let mut ranked: Vec<(u32, usize)> = score
                    .into_iter()
                    .filter(|&(j, _)| j != i && (series(i).is_none() || series(j) != series(i)))
                    .map(|(j, s)| (s, j))
                    .collect();
                ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
                ranked
                    .into_iter()
                    .take(RELATED_MAX)
                    .map(|(_, j)| j as u32)
                    .collect()
            })
            .collect()
    }

    /// A small deterministic generator (xorshift), so a failure reproduces.
    struct Rng(u64);
    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    fn random_posts(rng: &mut Rng, n: usize, tags: usize, terms: usize) -> Vec<PostEntry> {
        (0..n)
            .map(|i| {
                let mut pick = |pool: usize, most: usize, prefix: &str| {
                    let mut out: Vec<String> = Vec::new();
                    for _ in 0..rng.below(most + 1) {
                        let name = format!("{prefix}{}", rng.below(pool));
                        if !out.contains(&name) {
                            out.push(name);
                        }
                    }
                    out
                };
                let t = pick(tags, 4, "tag");
                let m = pick(terms, 12, "term");
                let series = match rng.below(6) {
                    0 => Some("one"),
                    1 => Some("two"),
                    _ => None,
                };
                entry(i, t, m, series)
            })
            .collect()
    }

    #[test]
    fn the_fast_scoring_picks_what_the_reference_picks() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        // Few terms (bit sets win), many terms (posting lists win), and a
        // glossary wider than one 64-bit word.
        for (n, tags, terms) in [(200, 8, 5), (300, 40, 500), (150, 3, 130), (1, 2, 2)] {
            let posts = random_posts(&mut rng, n, tags, terms);
            assert_eq!(
                related_picks(&posts),
                reference(&posts),
                "{n} posts, {tags} tags, {terms} terms"
            );
        }
    }

    #[test]
    fn picks_are_reused_only_for_the_same_inputs() {
        let mut rng = Rng(7);
        let mut posts = random_posts(&mut rng, 50, 6, 20);
        let key = inputs_key(&posts);
        let (first, reused) = Picks::for_posts(&posts, key, None);
        assert!(!reused);
        // A new title or body text: same inputs, same picks, reused.
        posts[3].post.meta.title = "Renamed".into();
        posts[3].search_text = crate::content::Split::new("other words", 64);
        let (_, reused) = Picks::for_posts(&posts, inputs_key(&posts), Some(&first));
        assert!(reused, "title and text are not inputs");
        // Each input changes the key: a tag, a linked term, a series, the order.
        let mut changed = Vec::new();
        let mut p = posts.clone();
        p[3].post.meta.tags.push("fresh".into());
        changed.push(p);
        let mut p = posts.clone();
        p[10].term_ids.push("fresh".into());
        changed.push(p);
        let mut p = posts.clone();
        p[20].series = Some(("new series".into(), 2));
        changed.push(p);
        let mut p = posts.clone();
        p.swap(0, 1);
        changed.push(p);
        for p in changed {
            let (picks, reused) = Picks::for_posts(&p, inputs_key(&p), Some(&first));
            assert!(!reused);
            assert_eq!(picks.picks, reference(&p));
        }
    }
}
