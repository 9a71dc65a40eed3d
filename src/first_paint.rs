//! Content before code: the page's WASM is fetched only after its first
//! contentful paint.
//!
//! leptos' island loader starts the app (fetch the WASM, compile, hydrate) in
//! the browser's first idle time. While a page waits for its first frame the
//! main thread is often idle, so that came before anything was painted on
//! some loads and not on others. A reader on a slow link then waited for the
//! 83 KB module beside the text, and Lighthouse's simulation, which counts
//! every request finished before the observed largest paint, put the
//! post page's LCP at 1.81 s in one run and 1.05 s in the next
//! (BENCHMARKS.md, branch `nav`).
//!
//! [`AFTER_FIRST_PAINT_SCRIPT`] runs in `<head>`, before the loader: it holds
//! back `requestIdleCallback` calls until the browser reports the first
//! contentful paint, then hands them to the real one. A page being
//! prerendered (Speculation Rules, `navigation.rs`) is held the same way: it
//! paints only once the reader has clicked, so a prerender the reader never
//! uses costs no compiling and hydrating, and one that is used cannot have
//! its first frame delayed by them. Browsers without `requestIdleCallback`
//! or `PerformanceObserver` are not held (the loader then starts at once,
//! as leptos does there), and a page that has not reported a paint 3 s
//! after it was loaded, or shown if it was prerendered, is let go anyway.

use leptos::nonce::use_nonce;
use leptos::prelude::*;

/// The gate (see the module docs). No `<`, `>` or `&`, so it is the same text
/// in the HTML as here, and its CSP hash is the hash of this string.
pub const AFTER_FIRST_PAINT_SCRIPT: &str = "(function(){var w=window,r=w.requestIdleCallback,q=[];\
if(!r||!w.PerformanceObserver)return;\
function go(){if(!q)return;var p=q;q=null;w.requestIdleCallback=r;\
p.forEach(function(a){r.call(w,a[0],a[1])})}\
w.requestIdleCallback=function(c,o){if(!q)return r.call(w,c,o);q.push([c,o]);return 0};\
try{new PerformanceObserver(function(l,o){\
if(l.getEntriesByName(\"first-contentful-paint\").length){o.disconnect();setTimeout(go,0)}\
}).observe({type:\"paint\",buffered:true})}catch(e){go()}\
function arm(){setTimeout(go,3000)}\
if(document.prerendering)document.addEventListener(\"prerenderingchange\",arm,{once:true});else arm()})()";

/// The gate as the `<script>` of every page, before leptos' island loader. It
/// carries the render's nonce, so the page's CSP lists its hash.
#[component]
pub fn IslandsAfterFirstPaint() -> impl IntoView {
    view! { <script nonce=use_nonce() inner_html=AFTER_FIRST_PAINT_SCRIPT></script> }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_is_the_same_text_inside_html() {
        for c in ['<', '>', '&'] {
            assert!(
                !AFTER_FIRST_PAINT_SCRIPT.contains(c),
                "{c:?} would be escaped or end the script"
            );
        }
    }

    #[test]
    fn the_script_waits_for_the_first_contentful_paint() {
        for part in [
            "first-contentful-paint",
            "w.requestIdleCallback=r",
            "setTimeout(go,3000)",
            "prerenderingchange",
        ] {
            assert!(AFTER_FIRST_PAINT_SCRIPT.contains(part), "missing {part}");
        }
    }
}
