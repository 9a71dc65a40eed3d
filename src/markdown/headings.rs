//! Heading ids: GitHub-style slugs that never collide with each other, with
//! anchors the author wrote by hand (`<a name="...">`, `id="..."`), or with
//! the ids of the page around the text (`model::PAGE_IDS`).

use std::collections::{HashMap, HashSet};

use super::escape_html;

/// GitHub's rule: lower-case, drop punctuation, spaces become `-`; letters of
/// any script are kept (`Año` → `año`).
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars() {
        if c.is_alphanumeric() || c == '_' || c == '-' {
            out.extend(c.to_lowercase());
        } else if c.is_whitespace() {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// Ids already used by raw HTML in the document.
pub fn reserved_ids(source: &str) -> HashSet<String> {
    let mut ids = HashSet::new();
    for attr in ["name=", "id="] {
        let mut rest = source;
        while let Some(pos) = rest.find(attr) {
            let preceded_ok = rest[..pos]
                .chars()
                .next_back()
                .is_some_and(char::is_whitespace);
            rest = &rest[pos + attr.len()..];
            let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                continue;
            };
            let value = &rest[1..];
            if let (true, Some(end)) = (preceded_ok, value.find(quote)) {
                ids.insert(value[..end].to_string());
            }
        }
    }
    ids
}

/// Raw HTML with `<a name="x">` anchors (no `href`) rewritten as
/// `<a id="x">`: `name` on `a` is obsolete in HTML, and an `id` is what
/// `#x` has scrolled to ever since. An anchor that already has an `id`
/// just loses the `name`. `None` when there is nothing to rewrite.
pub fn name_anchors_as_ids(html: &str) -> Option<String> {
    use lol_html::{element, rewrite_str, RewriteStrSettings};
    let mut changed = false;
    let settings = RewriteStrSettings::new().append_element_content_handler(element!(
        "a[name]:not([href])",
        |el| {
            if let Some(name) = el.get_attribute("name") {
                el.remove_attribute("name");
                if !el.has_attribute("id") {
                    el.set_attribute("id", &name)?;
                }
                changed = true;
            }
            Ok(())
        }
    ));
    let out = rewrite_str(html, settings).ok()?;
    changed.then_some(out)
}

/// Hands out unique ids in document order.
#[derive(Debug, Default)]
pub struct IdAllocator {
    used: HashSet<String>,
    /// Per slug, the next suffix worth trying: every smaller one is taken
    /// (ids are never released), so the search never starts over at 1.
    next_suffix: HashMap<String, usize>,
}

impl IdAllocator {
    pub fn new(reserved: HashSet<String>) -> Self {
        IdAllocator {
            used: reserved,
            next_suffix: HashMap::new(),
        }
    }

    /// An author-given `{#id}` is kept even if raw HTML uses it too: the author
    /// asked for it by name.
    pub fn claim_explicit(&mut self, id: &str) -> String {
        self.used.insert(id.to_string());
        id.to_string()
    }

    /// The slug itself if free, else `slug-1`, `slug-2`, … Ids the page
    /// uses for its own elements (`ids::is_reserved`) are never free; where
    /// every numbered form would be one too (`term-card-x` → `term-card-x-1`,
    /// a reserved prefix), the base becomes `section-slug`.
    pub fn allocate(&mut self, slug: &str) -> String {
        use crate::ids::is_reserved;
        let mut base = if slug.is_empty() { "section" } else { slug }.to_string();
        if !is_reserved(&base) && self.used.insert(base.clone()) {
            return base;
        }
        if is_reserved(&format!("{base}-1")) {
            base = format!("section-{base}");
            if self.used.insert(base.clone()) {
                return base;
            }
        }
        let base = base.as_str();
        let n = self.next_suffix.entry(base.to_string()).or_insert(1);
        loop {
            let candidate = format!("{base}-{n}");
            *n += 1;
            if !crate::ids::is_reserved(&candidate) && self.used.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

/// `<hN id class>` for a heading whose id is settled.
pub(super) fn open_tag(level: u8, id: &str, classes: &[pulldown_cmark::CowStr<'_>]) -> String {
    let class = if classes.is_empty() {
        String::new()
    } else {
        let joined: Vec<&str> = classes.iter().map(|c| c.as_ref()).collect();
        format!(" class=\"{}\"", escape_html(&joined.join(" ")))
    };
    format!("<h{level} id=\"{}\"{class}>", escape_html(id))
}

/// The text of a heading's link to its own section.
pub(super) const ANCHOR_TEXT: &str = "#";

/// Whether a heading gets a link to its section: the levels a reader would
/// link to (2 to 4).
pub(super) fn has_anchor(level: u8) -> bool {
    (2..=4).contains(&level)
}

/// `</hN>`, after a `#` link to the section when [`has_anchor`].
pub(super) fn close_tag(level: u8, id: &str) -> String {
    let anchor = if has_anchor(level) {
        format!(
            "<a class=\"anchor\" href=\"#{}\" aria-label=\"Link to this section\">{ANCHOR_TEXT}</a>",
            escape_html(id)
        )
    } else {
        String::new()
    };
    format!("{anchor}</h{level}>\n")
}
