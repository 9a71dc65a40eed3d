//! Series and related posts, computed once per load over the published posts
//! (newest first, as the snapshot keeps them). A request only clones them.

use std::collections::HashMap;

use rayon::prelude::*;

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

/// Up to [`RELATED_MAX`] posts per post, scored on shared tags and shared
/// glossary terms; parts of the same series are left out (the series box
/// already lists them). Ties go to the newer post.
pub fn attach_related(posts: &mut [PostEntry]) {
    let mut by_tag: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut by_term: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, e) in posts.iter().enumerate() {
        for t in &e.post.meta.tags {
            by_tag.entry(t).or_default().push(i);
        }
        for t in &e.term_ids {
            by_term.entry(t).or_default().push(i);
        }
    }
    let series_of = |i: usize| posts[i].series.as_ref().map(|(n, _)| n.as_str());
    let picks: Vec<Vec<usize>> = (0..posts.len())
        .into_par_iter()
        .map(|i| {
            let mut score: HashMap<usize, u32> = HashMap::new();
            let e = &posts[i];
            for t in &e.post.meta.tags {
                for &j in by_tag.get(t.as_str()).into_iter().flatten() {
                    *score.entry(j).or_default() += TAG_WEIGHT;
                }
            }
            for t in &e.term_ids {
                for &j in by_term.get(t.as_str()).into_iter().flatten() {
                    *score.entry(j).or_default() += TERM_WEIGHT;
                }
            }
            let mine = series_of(i);
            let mut ranked: Vec<(u32, usize)> = score
                .into_iter()
                .filter(|&(j, _)| j != i && (mine.is_none() || series_of(j) != mine))
                .map(|(j, s)| (s, j))
                .collect();
            // Highest score first, then newest (lowest index).
            ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            ranked
                .into_iter()
                .take(RELATED_MAX)
                .map(|(_, j)| j)
                .collect()
        })
        .collect();
    let links: Vec<RelatedPost> = posts
        .iter()
        .map(|e| RelatedPost {
            slug: e.post.meta.slug.clone(),
            title: e.post.meta.title.clone(),
            date: e.post.meta.date.clone(),
            date_display: e.post.meta.date_display.clone(),
        })
        .collect();
    for (entry, pick) in posts.iter_mut().zip(picks) {
        entry.post.related = pick.into_iter().map(|j| links[j].clone()).collect();
    }
}
