// How `make bench-navigation` times a click, inside the browser, so neither
// the harness's DevTools round trips nor its polling are in the figure:
//
// - start: the `click` event's timestamp on the page being left (the moment
//   the reader releases the button), as wall time: timeOrigin + timeStamp;
// - end: the first contentful paint of the page arrived at (its first frame
//   with text, as presented), as wall time. For a prerendered page this is
//   the first frame after activation: a prerendered page paints nothing
//   before it is shown;
// - the hop counts only if the new page's `<title>` and `<h1>` are set and
//   the heading was in that first frame: the document was parsed completely
//   before it, or (a long page painted while still arriving) `watchTitle`
//   saw the `<h1>` inserted before it. It says whether the page was
//   prerendered (`activationStart > 0`, the proof that a prerender was used).
//
// The page's own scripts are untouched: the click listener is added to the
// page being left just before the click, `watchTitle` (an init script) only
// notes when the heading is parsed, and the rest is read afterwards from the
// new page's performance timeline.

/** Where the page being left writes the click time (same origin). */
export const CLICK_KEY = 'nav-bench-click';

/** Run in the page being left: remember when the next click happens. */
export function recordClick(key) {
  addEventListener(
    'click',
    (e) => localStorage.setItem(key, String(performance.timeOrigin + e.timeStamp)),
    { capture: true, once: true },
  );
}

/** Init script of every page: note when `main h1` has been parsed (a
 * mutation observer's callback runs before the next frame is rendered). */
export function watchTitle() {
  const seen = () => {
    if (!document.querySelector('main h1')) return false;
    window.__navBenchTitleAt = performance.now();
    return true;
  };
  if (seen()) return;
  const watcher = new MutationObserver(() => {
    if (seen()) watcher.disconnect();
  });
  watcher.observe(document, { childList: true, subtree: true });
}

/** Run in the page arrived at: null until it has painted, then the figures. */
export function readShown([key, from]) {
  if (location.pathname === from) return null;
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  const nav = performance.getEntriesByType('navigation')[0];
  if (!fcp || !nav) return null;
  const click = Number(localStorage.getItem(key));
  const since = (t) => Math.round((performance.timeOrigin + t - click) * 10) / 10;
  return {
    path: location.pathname,
    title: document.title,
    h1: (document.querySelector('main h1')?.textContent ?? '').trim(),
    shownMs: since(fcp.startTime),
    prerendered: nav.activationStart > 0,
    activationMs: nav.activationStart > 0 ? since(nav.activationStart) : null,
    complete:
      (nav.domContentLoadedEventStart > 0 && nav.domContentLoadedEventStart <= fcp.startTime) ||
      (window.__navBenchTitleAt !== undefined && window.__navBenchTitleAt <= fcp.startTime),
  };
}

/** Median, quartiles and range of a list of times (ms). */
export function summary(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q) => {
    const i = (s.length - 1) * q;
    const lo = Math.floor(i);
    return Math.round((s[lo] + (s[Math.ceil(i)] - s[lo]) * (i - lo)) * 10) / 10;
  };
  return { n: s.length, median: at(0.5), p25: at(0.25), p75: at(0.75), min: s[0], max: s[s.length - 1] };
}

/** Why a hop does not count. */
function failure(h) {
  if (h.path === undefined) return `never shown (${h.href})`;
  if (h.path !== h.href) return `wrong page (${h.path}, not ${h.href})`;
  if (!h.complete) return `partial first frame at ${h.shownMs} (${h.href})`;
  return `old title or no heading (${h.href})`;
}

/** One line for the report. */
export function describe(label, hops) {
  const shown = hops.filter((h) => h.ok).map((h) => h.shownMs);
  const failed = hops.length - shown.length;
  const s = summary(shown);
  const pre = hops.filter((h) => h.prerendered).length;
  return (
    `${label}: ${hops.map((h) => (h.ok ? h.shownMs : failure(h))).join(', ')} ms; ` +
    (shown.length
      ? `median ${s.median} ms (IQR ${s.p25}–${s.p75}, range ${s.min}–${s.max}); `
      : '') +
    `${pre} of ${hops.length} prerendered` +
    (failed ? `; ${failed} not shown or incomplete` : '')
  );
}
