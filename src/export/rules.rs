//! What static hosts read beside the files: `_redirects` and `_headers`
//! (Netlify and Cloudflare Pages format), `netlify.toml`, and for hosts
//! without rules (GitHub Pages, S3) one small redirect page per old URL.
//!
//! Old URLs come from content (aliases). In these formats whitespace
//! separates fields, `#` starts a comment, a new line starts a rule, `:name`
//! is a placeholder and `*` a splat: an alias carrying any of them could add
//! rules or headers of its own. So a path goes into a rules file only when
//! it is made of characters that are literal there; non-ASCII is
//! percent-encoded (as browsers send it); anything else is skipped and
//! reported, never escaped into something a host might read differently.

use std::collections::{BTreeMap, BTreeSet};

use super::render::RenderedSite;
use crate::content::Site;
use crate::model::SiteInfo;
use crate::server::documents::DocKind;

pub const REDIRECTS_FILE: &str = "_redirects";
pub const HEADERS_FILE: &str = "_headers";
pub const NETLIFY_FILE: &str = "netlify.toml";

/// Cloudflare Pages reads at most this many static redirects …
pub const CLOUDFLARE_MAX_REDIRECTS: usize = 2_000;
/// … and this many `_headers` rules.
pub const CLOUDFLARE_MAX_HEADER_RULES: usize = 100;

/// Why a path cannot be written into a rules file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unsafe {
    #[error("does not start with `/`")]
    NotAbsolute,
    #[error("contains {0:?}, which a rules file cannot carry literally")]
    Character(char),
    #[error("has a `%` that is not followed by two hex digits")]
    Percent,
    #[error("is longer than 1024 bytes")]
    TooLong,
    #[error("has a `.` or `..` segment")]
    DotSegment,
}

/// `path` as a rules file can carry it: ASCII that every host reads
/// literally, with non-ASCII percent-encoded; an error for anything else.
pub fn rule_path(path: &str) -> Result<String, Unsafe> {
    if !path.starts_with('/') {
        return Err(Unsafe::NotAbsolute);
    }
    if path.len() > 1024 {
        return Err(Unsafe::TooLong);
    }
    let bytes = path.as_bytes();
    let mut out = String::with_capacity(path.len());
    for (i, c) in path.char_indices() {
        match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' => out.push(c),
            '/' | '-' | '.' | '_' | '~' | '!' | '$' | '&' | '\'' | '(' | ')' | '+' | ',' | ';'
            | '=' | '@' => out.push(c),
            '%' => {
                let hex = |j: usize| bytes.get(j).is_some_and(u8::is_ascii_hexdigit);
                if !(hex(i + 1) && hex(i + 2)) {
                    return Err(Unsafe::Percent);
                }
                out.push('%');
            }
            c if !c.is_ascii() && !c.is_control() && !c.is_whitespace() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            c => return Err(Unsafe::Character(c)),
        }
    }
    if out.split('/').any(|s| s == "." || s == "..") {
        return Err(Unsafe::DotSegment);
    }
    // A `//` start reads as another host in a Location.
    if out.starts_with("//") {
        return Err(Unsafe::Character('/'));
    }
    Ok(out)
}

/// The redirects of one export.
pub struct Redirects {
    /// `(from, to)`, both safe for a rules file, sorted by `from`.
    pub rules: Vec<(String, String)>,
    /// Old URLs left out, with why.
    pub skipped: Vec<String>,
    site_url: String,
}

/// The host itself serves `from` with a file of the export: a page's
/// trailing-slash twin (`/posts/x/` is `posts/x/index.html`) or `/index.html`.
/// A rule there would fight the host's own handling of folders (Cloudflare
/// Pages answers `/posts/x` with a redirect to `/posts/x/`: a loop).
fn served_by_a_file(from: &str, files: &BTreeMap<String, Vec<u8>>) -> bool {
    let rel = from.trim_start_matches('/');
    if files.contains_key(rel) {
        return true;
    }
    from.ends_with('/') && {
        let dir = rel.trim_end_matches('/');
        let index = if dir.is_empty() {
            "index.html".to_string()
        } else {
            format!("{dir}/index.html")
        };
        files.contains_key(&index)
    }
}

/// Every redirect the server answers, as a static host can carry it.
pub fn redirects(site: &Site, files: &BTreeMap<String, Vec<u8>>, info: &SiteInfo) -> Redirects {
    let mut rules = Vec::new();
    let mut skipped = Vec::new();
    for (from, to) in site.redirects() {
        if served_by_a_file(from, files) {
            continue;
        }
        match (rule_path(from), rule_path(to)) {
            (Ok(f), Ok(t)) => rules.push((f, t)),
            (Err(e), _) => skipped.push(format!("old URL {from:?} {e}")),
            (_, Err(e)) => skipped.push(format!("redirect target {to:?} {e}")),
        }
    }
    rules.sort();
    rules.dedup_by(|a, b| a.0 == b.0);
    Redirects {
        rules,
        skipped,
        site_url: info.url.clone(),
    }
}

fn escape_html(s: &str) -> String {
    crate::markdown::escape_html(s)
}

impl Redirects {
    /// `_redirects`: one `from to 301` line per old URL.
    pub fn file(&self) -> String {
        let mut out = String::from(
            "# Generated by `microblog export`: every old URL the server redirects, as a 301.\n",
        );
        for (from, to) in &self.rules {
            out.push_str(&format!("{from} {to} 301\n"));
        }
        out
    }

    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.rules.len() > CLOUDFLARE_MAX_REDIRECTS {
            out.push(format!(
                "_redirects has {} rules; Cloudflare Pages reads only the first {CLOUDFLARE_MAX_REDIRECTS}",
                self.rules.len()
            ));
        }
        out
    }

    /// For hosts without rules: a page at each old URL that sends the reader
    /// (`<meta http-equiv="refresh">`) and search engines (`rel=canonical`)
    /// on. Returns `(file, html)`; never replaces a file of the export.
    pub fn meta_pages(&self, files: &BTreeMap<String, Vec<u8>>) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut taken: BTreeSet<String> = BTreeSet::new();
        for (from, to) in &self.rules {
            let Some(file) = meta_file(from) else {
                continue;
            };
            if files.contains_key(&file) || !taken.insert(file.clone()) {
                continue;
            }
            let to_html = escape_html(to);
            let canonical = escape_html(&format!("{}{}", self.site_url, to));
            let html = format!(
                "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
                 <title>Moved</title>\n<meta http-equiv=\"refresh\" content=\"0; url={to_html}\">\n\
                 <link rel=\"canonical\" href=\"{canonical}\">\n<meta name=\"robots\" content=\"noindex\">\n\
                 </head>\n<body>\n<p>This page has moved to <a href=\"{to_html}\">{to_html}</a>.</p>\n\
                 </body>\n</html>\n"
            );
            out.push((file, html));
        }
        out
    }
}

/// The file a host serves for the old URL `from` (already [`rule_path`]-safe):
/// `/x.html` is `x.html`, `/x/` and `/x` are `x/index.html`.
fn meta_file(from: &str) -> Option<String> {
    let decoded = percent_encoding::percent_decode_str(from)
        .decode_utf8()
        .ok()?
        .into_owned();
    let rel = decoded.trim_start_matches('/');
    let file = if rel.is_empty() {
        return None;
    } else if rel.ends_with('/') {
        format!("{rel}index.html")
    } else if rel.ends_with(".html") || rel.ends_with(".htm") {
        rel.to_string()
    } else {
        format!("{rel}/index.html")
    };
    super::tree::check_relative(&file).ok()?;
    Some(file)
}

/// A `Cache-Control` value the server sends for a URL.
struct Cached {
    value: String,
    /// A page (also reached at its trailing-slash twin).
    page: bool,
}

/// `_headers`, and what it could not express.
pub struct Headers {
    pub file: String,
    pub warnings: Vec<String>,
}

/// A header value as `_headers` carries it: one line of visible ASCII.
fn header_value(value: &str) -> Option<&str> {
    (!value.is_empty() && value.bytes().all(|b| (0x20..0x7f).contains(&b))).then_some(value)
}

/// At most this many distinct script hashes share one policy for every
/// page; beyond that each page gets its own rule.
const MAX_SHARED_HASHES: usize = 100;

/// `_headers`: the security headers of every response on `/*`; the pages'
/// `Content-Security-Policy` (one policy naming every page's script hashes
/// when they are few, else one rule per page); and each document's and
/// file's `Cache-Control` as the server sends it, per folder where a folder
/// agrees. A response never gets two values of one header: the hosts would
/// join them with a comma, which for a CSP means two policies.
pub fn headers(rendered: &RenderedSite) -> Headers {
    let mut warnings = Vec::new();
    let mut rules: Vec<(String, Vec<(String, String)>)> = Vec::new();

    let mut common = axum::http::HeaderMap::new();
    crate::server::ops::add_security_headers(axum::http::StatusCode::OK, &mut common);
    // The policy is chosen below from the pages' own; the server's fallback
    // for a response without one would be a second policy on every page.
    common.remove(axum::http::header::CONTENT_SECURITY_POLICY);
    let mut everywhere: Vec<(String, String)> = common
        .iter()
        .filter_map(|(k, v)| Some((canonical_name(k.as_str()), v.to_str().ok()?.to_string())))
        .collect();
    everywhere.sort();

    // Policies: one for all pages when their scripts are few.
    let pages: Vec<_> = rendered
        .documents
        .iter()
        .filter(|d| d.kind == DocKind::Page && d.content_security_policy.is_some())
        .collect();
    let hashes: BTreeSet<&str> = pages
        .iter()
        .filter_map(|d| d.content_security_policy.as_deref())
        .flat_map(|csp| csp.split_whitespace())
        .filter(|t| t.starts_with("'sha256-"))
        .collect();
    let shared_policy = (hashes.len() <= MAX_SHARED_HASHES)
        .then(|| {
            pages
                .first()
                .and_then(|d| d.content_security_policy.as_deref())
        })
        .flatten()
        .map(|first| union_policy(first, &hashes));
    if let Some(policy) = shared_policy.as_deref().and_then(header_value) {
        everywhere.push(("Content-Security-Policy".into(), policy.to_string()));
    }
    rules.push(("/*".into(), everywhere));

    // Cache-Control by URL; documents as rendered, files as the server said.
    let mut by_url: BTreeMap<String, Cached> = BTreeMap::new();
    for (rel, cc) in &rendered.file_cache_control {
        if let Some(cc) = cc {
            let cached = Cached {
                value: cc.clone(),
                page: false,
            };
            by_url.insert(format!("/{rel}"), cached);
        }
    }
    for d in &rendered.documents {
        if d.file == super::render::NOT_FOUND_FILE {
            continue;
        }
        if let Some(cc) = &d.cache_control {
            let cached = Cached {
                value: cc.clone(),
                page: d.kind == DocKind::Page,
            };
            by_url.insert(d.path.clone(), cached);
        }
    }
    // One rule per top-level folder whose URLs all agree, else one per URL.
    let mut groups: BTreeMap<&str, Vec<(&String, &Cached)>> = BTreeMap::new();
    for (url, cached) in &by_url {
        let top = url.trim_start_matches('/').split('/').next().unwrap_or("");
        groups.entry(top).or_default().push((url, cached));
    }
    for (top, members) in &groups {
        let first = &members[0].1.value;
        let agree = members.iter().all(|(_, c)| c.value == *first);
        if agree && !top.is_empty() && members.len() > 1 {
            for pattern in [format!("/{top}"), format!("/{top}/*")] {
                push_rule(&mut rules, &mut warnings, &pattern, "Cache-Control", first);
            }
            continue;
        }
        for (url, c) in members {
            push_rule(&mut rules, &mut warnings, url, "Cache-Control", &c.value);
            if c.page && url.as_str() != "/" {
                let twin = format!("{url}/");
                push_rule(&mut rules, &mut warnings, &twin, "Cache-Control", &c.value);
            }
        }
    }
    if shared_policy.is_none() {
        for d in &pages {
            let (Some(csp), false) = (
                &d.content_security_policy,
                d.file == super::render::NOT_FOUND_FILE,
            ) else {
                continue;
            };
            for url in [d.path.clone(), format!("{}/", d.path.trim_end_matches('/'))] {
                push_rule(
                    &mut rules,
                    &mut warnings,
                    &url,
                    "Content-Security-Policy",
                    csp,
                );
            }
        }
    }
    let mut file = String::from(
        "# Generated by `microblog export`: the headers the server sends, per path.\n",
    );
    let mut merged: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for (pattern, hs) in rules {
        if !merged.contains_key(&pattern) {
            order.push(pattern.clone());
        }
        merged.entry(pattern).or_default().extend(hs);
    }
    for pattern in &order {
        file.push_str(pattern);
        file.push('\n');
        for (name, value) in &merged[pattern] {
            file.push_str(&format!("  {name}: {value}\n"));
        }
    }
    if order.len() > CLOUDFLARE_MAX_HEADER_RULES {
        warnings.push(format!(
            "_headers has {} rules; Cloudflare Pages reads only the first {CLOUDFLARE_MAX_HEADER_RULES}",
            order.len()
        ));
    }
    Headers { file, warnings }
}

/// Adds `name: value` for `path` when both are safe to write.
fn push_rule(
    rules: &mut Vec<(String, Vec<(String, String)>)>,
    warnings: &mut Vec<String>,
    path: &str,
    name: &str,
    value: &str,
) {
    let pattern = if path.ends_with("/*") {
        rule_path(path.trim_end_matches('*')).map(|p| format!("{p}*"))
    } else {
        rule_path(path)
    };
    match (pattern, header_value(value)) {
        (Ok(p), Some(v)) => rules.push((p, vec![(name.to_string(), v.to_string())])),
        (Err(e), _) => warnings.push(format!("no {name} rule for {path:?}: it {e}")),
        (_, None) => warnings.push(format!("no {name} rule for {path:?}: unusable value")),
    }
}

/// `first` with its script hashes replaced by all of `hashes`.
fn union_policy(first: &str, hashes: &BTreeSet<&str>) -> String {
    first
        .split("; ")
        .map(|directive| {
            if let Some(rest) = directive.strip_prefix("script-src ") {
                let others: Vec<&str> = rest
                    .split_whitespace()
                    .filter(|t| !t.starts_with("'sha256-"))
                    .collect();
                let mut sources: Vec<&str> = hashes.iter().copied().collect();
                sources.extend(others);
                format!("script-src {}", sources.join(" "))
            } else {
                directive.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// `x-frame-options` → `X-Frame-Options`, as the hosts' documentation writes them.
fn canonical_name(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(c) => c.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// `netlify.toml` for the export folder itself (`cd OUT && netlify deploy`):
/// the folder is what is published; `_headers` and `_redirects` carry the rest.
pub fn netlify_toml() -> String {
    "# Generated by `microblog export`. Deploy this folder as it is:\n\
     #   cd OUT && netlify deploy --prod\n\
     # Headers and redirects are in _headers and _redirects beside this file.\n\
     [build]\n  publish = \".\"\n"
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_paths_keep_literal_characters_and_reject_the_rest() {
        assert_eq!(
            rule_path("/posts/a-b_c.html"),
            Ok("/posts/a-b_c.html".into())
        );
        assert_eq!(rule_path("/categoría/"), Ok("/categor%C3%ADa/".into()));
        assert_eq!(rule_path("/a%20b"), Ok("/a%20b".into()));
        for (bad, why) in [
            ("/a b", Unsafe::Character(' ')),
            ("/a\tb", Unsafe::Character('\t')),
            ("/a\n/evil /x 200", Unsafe::Character('\n')),
            ("/a#b", Unsafe::Character('#')),
            ("/:splat", Unsafe::Character(':')),
            ("/x/*", Unsafe::Character('*')),
            ("/a?b=1", Unsafe::Character('?')),
            ("/a\u{2028}b", Unsafe::Character('\u{2028}')),
            ("/a\u{a0}b", Unsafe::Character('\u{a0}')),
            ("/a\"b", Unsafe::Character('"')),
            ("/%zz", Unsafe::Percent),
            ("relative", Unsafe::NotAbsolute),
            ("/../../etc/x.html", Unsafe::DotSegment),
        ] {
            assert_eq!(rule_path(bad), Err(why), "{bad:?}");
        }
        assert!(rule_path("//evil.example/x").is_err());
    }

    #[test]
    fn meta_pages_sit_where_hosts_look() {
        assert_eq!(meta_file("/old.html").as_deref(), Some("old.html"));
        assert_eq!(meta_file("/old/").as_deref(), Some("old/index.html"));
        assert_eq!(meta_file("/page/1").as_deref(), Some("page/1/index.html"));
        assert_eq!(meta_file("/caf%C3%A9.html").as_deref(), Some("café.html"));
        assert_eq!(meta_file("/a/%2E%2E/b"), None, "no climbing out");
        assert_eq!(meta_file("/"), None);
    }

    #[test]
    fn header_names_read_as_documented() {
        assert_eq!(canonical_name("x-frame-options"), "X-Frame-Options");
        assert_eq!(
            canonical_name("content-security-policy"),
            "Content-Security-Policy"
        );
    }

    #[test]
    fn one_policy_names_every_hash() {
        let hashes = BTreeSet::from(["'sha256-a'", "'sha256-b'"]);
        let p = union_policy(
            "default-src 'self'; script-src 'sha256-a' 'strict-dynamic' 'wasm-unsafe-eval'; img-src 'self'",
            &hashes,
        );
        assert_eq!(
            p,
            "default-src 'self'; script-src 'sha256-a' 'sha256-b' 'strict-dynamic' 'wasm-unsafe-eval'; img-src 'self'"
        );
    }
}
