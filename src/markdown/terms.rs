//! Finds glossary terms in running text, so a post can link the first mention
//! of each one to its definition.
//!
//! Matching is deliberately conservative: a false link on an ordinary English
//! word ("go", "chef") is worse than a missed one. Acronyms and short names
//! match only as written; longer names also match with their first letter in
//! the other case ("Toil" finds "toil"). Matches must sit on word boundaries.

use std::collections::{HashMap, HashSet};

use aho_corasick::{AhoCorasick, MatchKind};

use super::escape_html;
use crate::model::Glossary;

/// Names shorter than this match only exactly as the glossary writes them.
const MIN_CASE_FOLDED_LEN: usize = 4;

/// The glossary's terms and aliases, compiled once per content load.
pub struct TermLinker {
    matcher: Option<AhoCorasick>,
    /// Pattern index → term index.
    pattern_term: Vec<usize>,
    ids: Vec<String>,
    by_id: HashMap<String, usize>,
}

/// One term as the linker needs it: its anchor id and every name it goes by.
pub struct TermNames<'a> {
    pub id: &'a str,
    pub names: Vec<&'a str>,
}

impl<'a> TermNames<'a> {
    /// A term from literal names, the term's own name first.
    pub fn new(id: &'a str, names: &[&'a str]) -> Self {
        TermNames {
            id,
            names: names.to_vec(),
        }
    }
}

impl TermLinker {
    /// When two terms share a name, a term's own name beats another's alias,
    /// then the earlier term wins.
    pub fn new<'a>(terms: impl IntoIterator<Item = TermNames<'a>>) -> Self {
        let terms: Vec<TermNames<'a>> = terms.into_iter().collect();
        let ids: Vec<String> = terms.iter().map(|t| t.id.to_string()).collect();
        let by_id = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.clone(), i))
            .collect();
        let primary = terms
            .iter()
            .enumerate()
            .flat_map(|(i, t)| t.names.first().map(|n| (i, *n)));
        let aliases = terms
            .iter()
            .enumerate()
            .flat_map(|(i, t)| t.names.iter().skip(1).map(move |n| (i, *n)));
        let mut patterns: Vec<String> = Vec::new();
        let mut pattern_term = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        for (index, name) in primary.chain(aliases) {
            for variant in variants(name) {
                if seen.insert(variant.clone()) {
                    patterns.push(variant);
                    pattern_term.push(index);
                }
            }
        }
        // A DFA: a few hundred names make a small one, and it scans every
        // text run of every post (the most time of a load after the parser).
        let matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&patterns)
            .ok();
        TermLinker {
            matcher,
            pattern_term,
            ids,
            by_id,
        }
    }

    pub fn id(&self, term: usize) -> &str {
        &self.ids[term]
    }

    /// The term a link points at, when it is `/glossary#<known id>`.
    pub fn term_of_link(&self, dest: &str) -> Option<usize> {
        let id = dest.strip_prefix(Glossary::PATH)?.strip_prefix('#')?;
        self.by_id.get(id).copied()
    }

    /// The first match in `text` of a term not in `done`: `(start, end, term)`.
    pub fn find(&self, text: &str, done: &[bool]) -> Option<(usize, usize, usize)> {
        let matcher = self.matcher.as_ref()?;
        matcher.find_iter(text).find_map(|m| {
            let term = self.pattern_term[m.pattern().as_usize()];
            let bounded = !text[..m.start()]
                .chars()
                .next_back()
                .is_some_and(is_word_char)
                && !text[m.end()..].chars().next().is_some_and(is_word_char);
            (bounded && !done.get(term).copied().unwrap_or(false)).then_some((
                m.start(),
                m.end(),
                term,
            ))
        })
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The spellings a name is matched under.
fn variants(name: &str) -> Vec<String> {
    let name = name.trim();
    if name.is_empty() {
        return Vec::new();
    }
    let mut chars = name.chars();
    let first = chars.next().unwrap_or_default();
    let rest = chars.as_str();
    // "SRE", "GitOps", "K8s", "Go": the case carries meaning; match as written.
    let case_matters = name.chars().count() < MIN_CASE_FOLDED_LEN
        || rest.chars().any(char::is_uppercase)
        || rest.chars().any(|c| c.is_ascii_digit());
    if case_matters {
        return vec![name.to_string()];
    }
    let lower: String = first.to_lowercase().chain(rest.chars()).collect();
    let upper: String = first.to_uppercase().chain(rest.chars()).collect();
    let mut out = vec![name.to_string()];
    for v in [lower, upper] {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

/// The opening tag of a link to a glossary term; the post page renders the
/// card it describes.
pub(super) fn link_open(id: &str, title: &str) -> String {
    let card = escape_html(&crate::ids::term_card(id));
    let href = escape_html(&Glossary::term_path(id));
    let id = escape_html(id);
    let title = if title.is_empty() {
        String::new()
    } else {
        format!(" title=\"{}\"", escape_html(title))
    };
    format!(
        "<a class=\"term\" href=\"{href}\" data-term=\"{id}\" aria-describedby=\"{card}\"{title}>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linker() -> TermLinker {
        TermLinker::new([
            TermNames::new("toil", &["Toil"]),
            TermNames::new("go", &["Go"]),
            TermNames::new("sre", &["SRE", "Site Reliability Engineering"]),
            TermNames::new("error-budget", &["Presupuesto de errores", "Error budget"]),
            TermNames::new("kubernetes", &["Kubernetes", "K8s"]),
        ])
    }

    fn found(text: &str) -> Option<(&str, String)> {
        let l = linker();
        let done = vec![false; l.len()];
        l.find(text, &done)
            .map(|(s, e, t)| (&text[s..e], l.id(t).to_string()))
    }

    #[test]
    fn longer_names_match_either_first_letter_case() {
        assert_eq!(
            found("pure toil, really"),
            Some(("toil", "toil".to_string()))
        );
        assert_eq!(found("Toil is work"), Some(("Toil", "toil".to_string())));
        assert_eq!(
            found("an error budget"),
            Some(("error budget", "error-budget".to_string()))
        );
    }

    #[test]
    fn acronyms_and_short_names_match_only_as_written() {
        assert_eq!(found("let's go home"), None);
        assert_eq!(found("written in Go."), Some(("Go", "go".to_string())));
        assert_eq!(found("the sre team"), None);
        assert_eq!(found("the SRE team"), Some(("SRE", "sre".to_string())));
        assert_eq!(found("on k8s"), None);
        assert_eq!(found("on K8s"), Some(("K8s", "kubernetes".to_string())));
    }

    #[test]
    fn matches_need_word_boundaries() {
        assert_eq!(found("toiling"), None);
        assert_eq!(found("Gopher"), None);
        assert_eq!(found("SREs"), None);
        assert_eq!(found("(toil)"), Some(("toil", "toil".to_string())));
    }

    #[test]
    fn the_longest_name_wins_and_done_terms_are_skipped() {
        assert_eq!(
            found("Site Reliability Engineering, or SRE"),
            Some(("Site Reliability Engineering", "sre".to_string()))
        );
        let l = linker();
        let mut done = vec![false; l.len()];
        done[0] = true;
        let text = "toil and Go";
        assert_eq!(l.find(text, &done).map(|(s, e, _)| &text[s..e]), Some("Go"));
    }

    #[test]
    fn a_terms_own_name_beats_another_terms_alias() {
        let l = TermLinker::new([
            TermNames::new("lmao", &["LMAO", "Observability"]),
            TermNames::new("observabilidad", &["Observability", "o11y"]),
        ]);
        let text = "observability";
        let done = vec![false; 2];
        assert_eq!(
            l.find(text, &done).map(|(_, _, t)| l.id(t)),
            Some("observabilidad")
        );
    }

    #[test]
    fn glossary_links_map_back_to_terms() {
        let l = linker();
        assert_eq!(l.term_of_link("/glossary#toil"), Some(0));
        assert_eq!(l.term_of_link("/glossary#nope"), None);
        assert_eq!(l.term_of_link("/about#toil"), None);
    }
}
