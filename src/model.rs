//! Wire types shared by the server and the browser. Plain data, serde only.

use serde::{Deserialize, Serialize};

/// One entry of a post list (home, tag pages).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostSummary {
    pub slug: String,
    pub title: String,
    /// ISO `YYYY-MM-DD`, ready for `<time datetime>`.
    pub date: String,
    /// Human form, e.g. `12 March 2025`.
    pub date_display: String,
    /// Plain text (emoji already rendered as glyphs).
    pub summary: String,
    pub tags: Vec<String>,
    pub reading_minutes: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// A full post: the rendered body is trusted HTML produced at load time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Post {
    pub meta: PostSummary,
    pub updated: Option<String>,
    pub lang: String,
    pub html: String,
    pub toc: Vec<TocEntry>,
    pub words: usize,
}

/// A standalone page such as About.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page {
    pub title: String,
    pub summary: String,
    pub lang: String,
    pub html: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GlossaryTerm {
    /// Stable anchor: `/glossary#<id>`.
    pub id: String,
    pub term: String,
    pub aliases: Vec<String>,
    pub definition_html: String,
    /// `(id, term)` of related terms.
    pub see_also: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Glossary {
    pub title: String,
    pub summary: String,
    pub lang: String,
    pub intro_html: String,
    /// Sorted the way a reader of `lang` expects.
    pub terms: Vec<GlossaryTerm>,
}

/// Posts carrying one tag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TagPosts {
    pub tag: String,
    pub posts: Vec<PostSummary>,
}
