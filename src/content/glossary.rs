//! The glossary file: an intro, then one `## Term {#id}` section per term.
//!
//! ```markdown
//! ## Kubernetes {#kubernetes}
//!
//! Alias: K8s
//!
//! Definition, any Markdown.
//!
//! Ver también: [Helm](#helm), [Nomad](#nomad)
//! ```
//! `Alias:` and `Ver también:` (or `See also:`) paragraphs are optional.

use std::cmp::Ordering;
use std::collections::HashMap;

use super::build::{plain_text, push_render_diags, truncate_chars, SUMMARY_MAX_CHARS};
use super::front_matter::FrontMatter;
use super::{diag, Diagnostic};
use crate::markdown::terms::{TermLinker, TermNames};
use crate::markdown::{self, headings, RenderContext, Severity};
use crate::model::{Glossary, GlossaryTerm, TermCard};

const ALIAS_PREFIXES: [&str; 2] = ["Alias:", "Aliases:"];
const SEE_ALSO_PREFIXES: [&str; 3] = ["Ver también:", "Ver tambien:", "See also:"];

/// One `## ` section as written, with its file line.
struct Section {
    heading: String,
    heading_line: usize,
    /// File line of the first body line.
    body_line: usize,
    body: String,
}

/// Splits at level-2 headings outside fenced code.
fn sections(body: &str, body_line_offset: usize) -> (String, Vec<Section>) {
    let mut intro = String::new();
    let mut out: Vec<Section> = Vec::new();
    let mut fences = markdown::Fences::default();
    for (i, line) in body.lines().enumerate() {
        let file_line = body_line_offset + i + 1;
        if fences.is_code(line) {
            // A `## ` inside a code block is code, not a term.
        } else if let Some(h) = line.strip_prefix("## ") {
            out.push(Section {
                heading: h.trim().to_string(),
                heading_line: file_line,
                body_line: file_line + 1,
                body: String::new(),
            });
            continue;
        }
        let target = match out.last_mut() {
            Some(s) => &mut s.body,
            None => &mut intro,
        };
        target.push_str(line);
        target.push('\n');
    }
    (intro, out)
}

/// `Term {#id}` → (`Term`, Some(`id`)).
fn split_heading(heading: &str) -> (String, Option<String>) {
    if let Some(open) = heading.rfind("{#") {
        if let Some(id) = heading[open + 2..].strip_suffix('}') {
            return (
                heading[..open].trim().to_string(),
                Some(id.trim().to_string()),
            );
        }
    }
    (heading.to_string(), None)
}

/// Finds a paragraph starting with one of `prefixes`; returns its text (prefix
/// removed) and the section body without it.
fn take_paragraph(body: &str, prefixes: &[&str]) -> (Option<String>, String) {
    let mut found = None;
    let mut rest = Vec::new();
    for para in body.split("\n\n") {
        let t = para.trim();
        if found.is_none() {
            if let Some(p) = prefixes.iter().find_map(|p| t.strip_prefix(p)) {
                found = Some(p.trim().to_string());
                // Keep the line count so later diagnostics stay on the right line.
                rest.push("\n".repeat(para.matches('\n').count()));
                continue;
            }
        }
        rest.push(para.to_string());
    }
    (found, rest.join("\n\n"))
}

/// Ids of `[text](#id)` links in a "see also" line.
fn link_ids(line: &str) -> Vec<String> {
    line.split("](#")
        .skip(1)
        .filter_map(|s| s.split_once(')').map(|(id, _)| id.trim().to_string()))
        .collect()
}

/// Collation key for Spanish readers: accents ignored, `ñ` after `n`.
pub fn sort_key(term: &str) -> String {
    let mut key = String::with_capacity(term.len());
    for c in term.chars().flat_map(char::to_lowercase) {
        match c {
            'á' | 'à' | 'ä' | 'â' => key.push('a'),
            'é' | 'è' | 'ë' | 'ê' => key.push('e'),
            'í' | 'ì' | 'ï' | 'î' => key.push('i'),
            'ó' | 'ò' | 'ö' | 'ô' => key.push('o'),
            'ú' | 'ù' | 'ü' | 'û' => key.push('u'),
            'ñ' => key.push_str("n\u{7f}"),
            c if c.is_alphanumeric() || c == ' ' => key.push(c),
            _ => {}
        }
    }
    key
}

pub fn compare_terms(a: &str, b: &str) -> Ordering {
    sort_key(a).cmp(&sort_key(b)).then_with(|| a.cmp(b))
}

pub fn build(
    path: &str,
    fm: &FrontMatter,
    body: &str,
    body_line_offset: usize,
    ctx: &RenderContext<'_>,
    diags: &mut Vec<Diagnostic>,
) -> (Glossary, HashMap<String, String>) {
    let (intro, sections) = sections(body, body_line_offset);
    let intro_rendered = markdown::render(&intro, ctx);
    push_render_diags(path, body_line_offset, intro_rendered.diagnostics, diags);

    let mut terms: Vec<(GlossaryTerm, Vec<String>, usize)> = Vec::new();
    // Each definition's text as the pass collected it, by term id.
    let mut texts: HashMap<String, String> = HashMap::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for s in sections {
        let (term, explicit_id) = split_heading(&s.heading);
        let term = plain_text(ctx.emoji, &term);
        let mut id = explicit_id.unwrap_or_else(|| headings::slugify(&term));
        // `/glossary#id` must land on the term, not on part of the page.
        if crate::ids::is_reserved(&id) {
            let given = format!("term-{id}");
            diags.push(diag(
                path,
                s.heading_line,
                1,
                Severity::Warning,
                format!(
                    "glossary term `{term}`: id `{id}` is one the page itself uses; the term gets `{given}` (choose one with `{{#id}}`)"
                ),
            ));
            id = given;
        }
        if let Some(first) = seen.get(&id) {
            diags.push(diag(
                path,
                s.heading_line,
                1,
                Severity::Error,
                format!(
                    "duplicate glossary term `{term}` (id `{id}`, first defined on line {first})"
                ),
            ));
            continue;
        }
        seen.insert(id.clone(), s.heading_line);
        let (aliases, rest) = take_paragraph(&s.body, &ALIAS_PREFIXES);
        let (see_also, rest) = take_paragraph(&rest, &SEE_ALSO_PREFIXES);
        let rendered = markdown::render(&rest, ctx);
        push_render_diags(path, s.body_line - 1, rendered.diagnostics, diags);
        if rendered.words == 0 {
            diags.push(diag(
                path,
                s.heading_line,
                1,
                Severity::Error,
                format!("glossary term `{term}` has no definition"),
            ));
        }
        let aliases = aliases
            .map(|a| {
                a.split(',')
                    .map(|x| x.trim().to_string())
                    .filter(|x| !x.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let see_also_ids = see_also.as_deref().map(link_ids).unwrap_or_default();
        texts.insert(id.clone(), rendered.text);
        terms.push((
            GlossaryTerm {
                id,
                term,
                aliases,
                definition_html: rendered.html,
                see_also: Vec::new(),
            },
            see_also_ids,
            s.heading_line,
        ));
    }

    let names: HashMap<String, String> = terms
        .iter()
        .map(|(t, _, _)| (t.id.clone(), t.term.clone()))
        .collect();
    let mut out = Vec::with_capacity(terms.len());
    for (mut term, see_also_ids, line) in terms {
        for id in see_also_ids {
            match names.get(&id) {
                Some(name) => term.see_also.push((id, name.clone())),
                None => diags.push(diag(
                    path,
                    line,
                    1,
                    Severity::Error,
                    format!("`{}` links to unknown glossary term `#{id}`", term.term),
                )),
            }
        }
        out.push(term);
    }
    out.sort_by(|a, b| compare_terms(&a.term, &b.term));

    let summary = fm
        .summary
        .as_deref()
        .or(fm.description.as_deref())
        .map(|s| plain_text(ctx.emoji, s))
        .unwrap_or(intro_rendered.first_paragraph);
    let glossary = Glossary {
        updated: None,
        title: plain_text(ctx.emoji, fm.title.as_deref().unwrap_or("Glossary").trim()),
        summary: truncate_chars(&summary, SUMMARY_MAX_CHARS),
        lang: fm.lang.clone().unwrap_or_else(|| "en".to_string()),
        intro_html: intro_rendered.html,
        terms: out,
    };
    (glossary, texts)
}

/// Longest definition shown in a post's hover card, in characters.
const CARD_MAX_CHARS: usize = 220;

/// Every term and alias, for linking first mentions in posts.
pub fn term_linker(g: &Glossary) -> TermLinker {
    TermLinker::new(g.terms.iter().map(|t| {
        TermNames {
            id: &t.id,
            names: std::iter::once(t.term.as_str())
                .chain(t.aliases.iter().map(String::as_str))
                .collect(),
        }
    }))
}

/// The card each term shows in posts, by id; `texts`: each definition's
/// text (from [`build`]).
pub fn term_cards(g: &Glossary, texts: &HashMap<String, String>) -> HashMap<String, TermCard> {
    g.terms
        .iter()
        .map(|t| {
            let text = texts.get(&t.id).map_or("", String::as_str);
            let card = TermCard {
                id: t.id.clone(),
                term: t.term.clone(),
                summary: truncate_chars(text, CARD_MAX_CHARS),
            };
            (t.id.clone(), card)
        })
        .collect()
}
