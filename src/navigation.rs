//! How moving between pages stays instant without a client-side router: every
//! page is a full server-rendered document, and the browser prerenders the one
//! a link points at as soon as the reader's pointer rests on it (Speculation
//! Rules). A click
//! then shows the already-rendered page: its first frame comes 40–60 ms after
//! the click in headless Chromium on this machine (`make bench-navigation`).
//! There is no View Transition: capturing the old page held that first
//! frame back by 50–90 ms, and the fade showed the new title at full
//! strength only 120 ms later (ARCHITECTURE.md, "Navigation"). Back and forward are ordinary history entries, so the
//! browser restores their scroll position (or serves them from its
//! back/forward cache).

use leptos::prelude::*;
use serde_json::json;

use crate::model::EVENTS_PATH;

/// Same-origin paths that are not pages and must never be prerendered: the
/// server functions, the author-mode event stream, the build's assets, and
/// feeds (XML).
const NOT_PAGES: [&str; 4] = ["/api/*", "/pkg/*", "/*.xml", "/*.txt"];

/// The rules as JSON: prerender any same-site page link as soon as the
/// reader's pointer rests on it. `eager`: on desktop Chromium (141 and
/// later) a short hover, shorter than `moderate`'s ~200 ms, which often
/// left a reader who clicks 300 ms into the hover a page still loading
/// (click → first frame: median 65.9 ms with 3 of 10 clicks over 200 ms,
/// against 50.9 ms with `eager`; ARCHITECTURE.md, "Navigation"); on
/// mobile, links that stay in the viewport a moment. Chromium keeps at most
/// two such prerenders and drops the oldest; a prerendered page starts no
/// WASM until it is shown (`first_paint`).
///
/// The rules are the same for every page: made once per process (building
/// them with `json!` on each render was a hundredth of a post page's CPU).
pub fn speculation_rules_json() -> &'static str {
    static RULES: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    RULES.get_or_init(build_rules)
}

fn build_rules() -> String {
    let mut excluded: Vec<serde_json::Value> = NOT_PAGES
        .iter()
        .map(|p| json!({ "not": { "href_matches": p } }))
        .collect();
    excluded.push(json!({ "not": { "href_matches": EVENTS_PATH } }));
    excluded.push(json!({ "not": { "selector_matches": "[rel~=nofollow], [download]" } }));
    let mut all = vec![json!({ "href_matches": "/*" })];
    all.extend(excluded);
    json!({
        "prerender": [{
            "source": "document",
            "where": { "and": all },
            "eagerness": "eager",
        }]
    })
    .to_string()
}

/// The `<script type="speculationrules">` of every page. It carries the
/// render's nonce so the page's CSP lists its hash like leptos' own scripts.
#[component]
pub fn SpeculationRules() -> impl IntoView {
    let nonce = use_nonce();
    view! { <script type="speculationrules" nonce=nonce inner_html=speculation_rules_json()></script> }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_prerender_pages_and_skip_what_is_not_a_page() {
        let rules: serde_json::Value =
            serde_json::from_str(speculation_rules_json()).expect("valid JSON");
        let rule = &rules["prerender"][0];
        assert_eq!(rule["eagerness"], "eager");
        let all = rule["where"]["and"]
            .as_array()
            .expect("a list of conditions");
        assert_eq!(all[0]["href_matches"], "/*");
        let excluded: Vec<&str> = all[1..]
            .iter()
            .filter_map(|c| c["not"]["href_matches"].as_str())
            .collect();
        for path in ["/api/*", "/pkg/*", "/*.xml", EVENTS_PATH] {
            assert!(excluded.contains(&path), "{path} must not be prerendered");
        }
    }
}
