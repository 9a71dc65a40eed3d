//! Scheduled posts: a post whose `date` is still in the future is rendered and
//! checked like any other, then held back from the snapshot — no page, list,
//! tag, feed, sitemap entry or search hit — until that instant. The server's
//! publisher (`server::schedule`) loads a new snapshot when the next one is
//! due, so a post goes live at its minute without a restart or an edit.

use chrono::{DateTime, SecondsFormat, Utc};

use super::PostEntry;

/// A post held back until `at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scheduled {
    /// Content-relative path of the file.
    pub path: String,
    pub slug: String,
    pub title: String,
    /// When it goes live (the front matter's `date`, in UTC).
    pub at: DateTime<Utc>,
}

impl Scheduled {
    /// `at` as RFC 3339 in UTC, the form `microblog check` prints.
    pub fn at_rfc3339(&self) -> String {
        self.at.to_rfc3339_opts(SecondsFormat::Secs, true)
    }
}

/// Splits `posts` into those published by `now` and those still to come
/// (soonest first). A post is published from the second its date names.
pub fn split(posts: Vec<PostEntry>, now: DateTime<Utc>) -> (Vec<PostEntry>, Vec<Scheduled>) {
    let (published, later): (Vec<_>, Vec<_>) = posts.into_iter().partition(|p| p.publish_at <= now);
    let mut scheduled: Vec<Scheduled> = later
        .into_iter()
        .map(|p| Scheduled {
            path: p.path,
            slug: p.post.meta.slug,
            title: p.post.meta.title,
            at: p.publish_at,
        })
        .collect();
    scheduled.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.path.cmp(&b.path)));
    (published, scheduled)
}
