//! Assembling a snapshot from the files read: front matter parsed (in
//! parallel), the page index and images collected, the glossary built, every
//! other file built or reused (`build.rs`), then what is derived per
//! snapshot — the schedule split, order, tags, neighbours, series, related
//! posts, redirects, search and the page fingerprints.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use rayon::prelude::*;

use super::body::RenderEnv;
use super::index::PageIndex;
use super::parse::{parse_shared, ParseOutcome};
use super::read::Source;
use super::{
    assets, build, fingerprint, glossary, memo, page_updated, redirects, related, schedule, search,
    Built, Diagnostic, Kind, LoadOptions, Phases, Site, Split,
};
use crate::markdown::RenderContext;
use crate::model::{Glossary, Page, Post};

/// Builds the snapshot of `sources` (see the module doc); `dir` is the
/// content folder, `previous` the snapshot whose unchanged files are reused.
pub(super) fn from_sources(
    sources: Vec<Source>,
    options: &LoadOptions,
    mut diags: Vec<Diagnostic>,
    dir: &Path,
    previous: Option<&Site>,
) -> Site {
    let mut lap = Instant::now();
    let mut phases = Phases::default();
    // Front matter is parsed per file: over the cores, in file order.
    // A file read unchanged since a previous load comes parsed already.
    let results: Vec<(ParseOutcome, String)> = sources
        .into_par_iter()
        .map(|source| {
            let path = source.path.clone();
            (parse_shared(source), path)
        })
        .collect();
    let mut parsed = Vec::with_capacity(results.len());
    let mut unparsed = Vec::new();
    for ((p, found), path) in results {
        diags.extend(found);
        match p {
            Some(p) => parsed.push(p),
            None => unparsed.push(path),
        }
    }
    phases.lap("parse", &mut lap);
    let index = PageIndex::build(&parsed, &unparsed, &mut diags);
    // Page bundles: `posts/<folder>/index.md` owns the files beside it.
    let bundles: Vec<(String, String)> = parsed
        .iter()
        .filter(|p| p.kind == Kind::Post && p.path.ends_with("/index.md"))
        .filter_map(|p| {
            let folder = p.path.strip_suffix("/index.md")?;
            Some((folder.to_string(), p.url()))
        })
        .collect();
    let assets = Arc::new(assets::Assets::collect(dir, &bundles));
    phases.lap("index and images", &mut lap);

    // The glossary first: posts link the first mention of each term to it.
    let mut site = Site::default();
    if let Some(p) = parsed.iter().find(|p| p.kind == Kind::Glossary) {
        let ctx = RenderContext {
            path: &p.path,
            emoji: &options.emoji,
            resolver: &index,
            terms: None,
            images: Some(&*assets),
        };
        let (mut g, texts) = glossary::build(
            &p.path,
            &p.fm,
            p.body(),
            p.body_line_offset,
            &ctx,
            &mut diags,
        );
        g.updated = page_updated(p, &mut diags);
        site.glossary = Some(g);
        site.term_texts = texts;
    }
    let linker = site.glossary.as_ref().map(glossary::term_linker);
    site.term_cards = site
        .glossary
        .as_ref()
        .map(|g| glossary::term_cards(g, &site.term_texts))
        .unwrap_or_default();

    // Rendering is the expensive part and each file is independent: spread
    // it over the cores, then merge in file order so output is stable.
    // Files whose inputs did not change since `previous` are reused.
    let inputs = build::Inputs {
        emoji: &options.emoji,
        index: &index,
        assets: &assets,
        linker: linker.as_ref(),
        context: memo::context_hash(site.glossary.as_ref(), options.emoji.base_url()),
    };
    phases.lap("glossary", &mut lap);
    let (built, reused) = build::build_files(&parsed, &inputs, previous);
    phases.lap("render or reuse", &mut lap);
    site.reused = reused;
    site.emoji = options.emoji.clone();
    // What the posts' HTML is rendered with when asked for (`body.rs`).
    let env = Arc::new(RenderEnv {
        emoji: options.emoji.clone(),
        index,
        assets: assets.clone(),
        linker,
    });
    site.assets = assets;
    let mut posts = Vec::new();
    for (built, found, memo) in built {
        diags.extend(found);
        site.memos.insert(memo.path.clone(), memo);
        match built {
            Built::Post(mut entry) => {
                entry.body.set_env(&env);
                posts.push(*entry);
            }
            Built::Draft => site.drafts += 1,
            Built::About(page, text) => {
                site.about = Some(page);
                site.about_text = text;
            }
            Built::Nothing => {}
        }
    }
    let now = options.now.unwrap_or_else(Utc::now);
    let (mut posts, scheduled) = schedule::split(posts, now);
    site.scheduled = scheduled;
    // Newest first; same-day posts in a stable, readable order.
    posts.sort_by(|a, b| {
        b.date
            .cmp(&a.date)
            .then_with(|| a.post.meta.title.cmp(&b.post.meta.title))
    });
    for (i, entry) in posts.iter().enumerate() {
        site.by_slug.insert(entry.post.meta.slug.clone(), i);
        for tag in &entry.post.meta.tags {
            site.tags.entry(tag.clone()).or_default().push(i);
        }
    }
    // Neighbours in reading order, for the links under each post.
    let links: Vec<(String, String)> = posts
        .iter()
        .map(|e| (e.post.meta.slug.clone(), e.post.meta.title.clone()))
        .collect();
    for (i, entry) in posts.iter_mut().enumerate() {
        entry.post.newer = i.checked_sub(1).map(|j| links[j].clone());
        entry.post.older = links.get(i + 1).cloned();
    }
    phases.lap("order and neighbours", &mut lap);
    related::attach_series(&mut posts, &mut diags);
    // Related posts score every pair of posts: reuse the previous picks
    // when nothing they are computed from changed.
    let key = related::inputs_key(&posts);
    let (picks, picks_reused) =
        related::Picks::for_posts(&posts, key, previous.map(|p| &p.related));
    related::attach_related(&mut posts, &picks);
    site.related = picks;
    phases.lap(
        if picks_reused {
            "related (reused)"
        } else {
            "related"
        },
        &mut lap,
    );
    site.posts = posts;
    site.redirects = redirects::build(&parsed, &site);
    phases.lap("redirects", &mut lap);
    site.fingerprints = fingerprint::Fingerprints::build(&site);
    phases.lap("fingerprints", &mut lap);
    diags.sort_by(|a, b| (&a.path, a.line, a.col).cmp(&(&b.path, b.line, b.col)));
    site.diagnostics = diags;
    site.phases = phases;
    site
}

/// Posts, glossary terms and the About page, as plain text.
pub(super) fn build_search(site: &Site) -> search::SearchIndex {
    use search::{Entry, Kind};
    let posts = site.posts.iter().map(|e| Entry {
        kind: Kind::Post,
        title: &e.post.meta.title,
        url: Post::path(&e.post.meta.slug),
        date: Some(e.date),
        tags: &e.post.meta.tags,
        body: e.search_text.clone(),
    });
    let terms = site.glossary.iter().flat_map(|g| {
        g.terms.iter().map(|t| Entry {
            kind: Kind::Term,
            title: &t.term,
            url: Glossary::term_path(&t.id),
            date: None,
            tags: &t.aliases,
            body: Split::new(
                site.term_texts.get(&t.id).map_or("", String::as_str),
                search::PLAIN_START_BYTES,
            ),
        })
    });
    let pages = site.about.iter().map(|p| Entry {
        kind: Kind::Page,
        title: &p.title,
        url: Page::ABOUT_PATH.to_string(),
        date: None,
        tags: &[],
        body: Split::new(&site.about_text, search::PLAIN_START_BYTES),
    });
    search::SearchIndex::build(posts.chain(terms).chain(pages))
}
