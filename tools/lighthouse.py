#!/usr/bin/env python3
"""`make lighthouse`: Lighthouse 12 (mobile preset) on the release build.

Starts the release binary on loopback in its production configuration (JSON
access log at info), runs Lighthouse against the home page, a post and the
glossary in Debian's Chromium, and prints the four category scores with LCP,
TBT, FCP, CLS and the bytes of script transferred. Reports go to
target/lighthouse/*.json.

GitHub's custom emoji are images on GitHub's host, unreachable offline, and an
image that fails to load costs best-practice points: the server is started
with EMOJI_BASE_URL pointing at a local folder of placeholder images
(target/site/lh-emoji), written here for every image the pages reference.
"""

import json
import os
import pathlib
import re
import shutil
import struct
import subprocess
import sys
import time
import urllib.request
import zlib

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent / "bench"))
from bench import ROOT, SERVER, SITE_ROOT, free_port, shipped_env  # noqa: E402

# Another build (its binary with hash.txt beside it, and its site folder), to
# compare two builds turn about, as `make bench-navigation` does.
SERVER = pathlib.Path(os.environ.get("BENCH_BIN", SERVER))
SITE_ROOT = pathlib.Path(os.environ.get("BENCH_SITE_ROOT", SITE_ROOT))

EMOJI_DIR = "lh-emoji"
OUT = pathlib.Path(os.environ.get("LH_OUT", ROOT / "target/lighthouse"))
LIGHTHOUSE = ROOT / "tools/node_modules/.bin/lighthouse"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
PAGES = [
    ("home", "/"),
    ("post", "/posts/leptos_ssr_blog"),
    ("glossary", "/glossary"),
]


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.read().decode()


def placeholder_png(size: int = 20) -> bytes:
    """A plain grey square, without an image library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x99" * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def start(port: int) -> subprocess.Popen:
    env = shipped_env(
        port,
        LEPTOS_SITE_ROOT=str(SITE_ROOT),
        SITE_URL=f"http://127.0.0.1:{port}",
        EMOJI_BASE_URL=f"/{EMOJI_DIR}",
    )
    proc = subprocess.Popen([str(SERVER)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            get(f"http://127.0.0.1:{port}/healthz")
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    sys.exit("the server did not start")


def lcp_inputs(report: dict) -> tuple[str, list[str]]:
    """The LCP element, and the requests Lighthouse's simulation may count
    towards LCP: every one (but low-priority images) that ended before the
    LCP observed on loopback, besides the document itself (it also drops a
    script that ran only after that paint)."""
    audits = report["audits"]
    observed = audits["metrics"]["details"]["items"][0]
    lcp_ts = observed["observedLargestContentfulPaintTs"] / 1000  # ms, monotonic
    nav_ts = observed["observedNavigationStartTs"] / 1000
    element = "?"
    for item in audits.get("largest-contentful-paint-element", {}).get("details", {}).get("items", []):
        for sub in item.get("items", []):
            node = sub.get("node")
            if node:
                element = node.get("selector", "?")
    counted = []
    for req in audits["network-requests"]["details"]["items"]:
        if req.get("resourceType") == "Document":
            continue
        if req.get("resourceType") == "Image" and req.get("priority") in ("Low", "VeryLow"):
            continue
        end = req.get("networkEndTime")
        if end is not None and end <= lcp_ts - nav_ts:
            counted.append(req["url"].rsplit("/", 1)[-1].split("?")[0])
    return element, counted


def main() -> int:
    runs = int(os.environ.get("LH_RUNS", "1"))
    if "--runs" in sys.argv:
        runs = int(sys.argv[sys.argv.index("--runs") + 1])
    if not SERVER.is_file():
        sys.exit("run 'cargo leptos build --release --precompress' first")
    OUT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    proc = start(port)
    base = f"http://127.0.0.1:{port}"
    rows = []
    try:
        # Placeholders for every emoji image the measured pages show.
        folder = SITE_ROOT / EMOJI_DIR
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        png = placeholder_png()
        for _, path in PAGES:
            for name in set(re.findall(rf"/{EMOJI_DIR}/([A-Za-z0-9_+-]+)\.png", get(base + path))):
                (folder / f"{name}.png").write_bytes(png)
        for run in range(1, runs + 1):
            for name, path in PAGES:
                report = OUT / (f"{name}.json" if runs == 1 else f"{name}-{run}.json")
                subprocess.run(
                    [
                        str(LIGHTHOUSE),
                        base + path,
                        "--quiet",
                        "--output=json",
                        f"--output-path={report}",
                        "--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run",
                    ],
                    check=True,
                    env=dict(os.environ, CHROME_PATH=CHROME),
                )
                r = json.loads(report.read_text())
                cat = {k: round(v["score"] * 100) for k, v in r["categories"].items()}
                audits = r["audits"]
                script_bytes = sum(
                    i.get("transferSize", 0)
                    for i in audits["network-requests"]["details"]["items"]
                    if i.get("resourceType") == "Script" or i.get("url", "").endswith(".wasm")
                )
                element, counted = lcp_inputs(r)
                rows.append(
                    (
                        name,
                        run,
                        cat["performance"],
                        cat["accessibility"],
                        cat["best-practices"],
                        cat["seo"],
                        audits["largest-contentful-paint"]["numericValue"] / 1000,
                        audits["total-blocking-time"]["numericValue"],
                        audits["first-contentful-paint"]["numericValue"] / 1000,
                        audits["cumulative-layout-shift"]["numericValue"],
                        script_bytes / 1000,
                        [a["id"] for a in audits.values() if a.get("score") is not None and a["score"] < 1 and a.get("scoreDisplayMode") == "binary"],
                        element,
                        counted,
                    )
                )
    finally:
        proc.terminate()
        proc.wait()
    first = OUT / ("home.json" if runs == 1 else "home-1.json")
    print(f"Lighthouse {json.loads(first.read_text())['lighthouseVersion']}, mobile preset, {CHROME}, {runs} run(s) per page, load average {os.getloadavg()[0]:.1f}")
    print("| page | run | perf | a11y | best pr. | SEO | LCP s | TBT ms | FCP s | CLS | JS+WASM KB (transfer) | failed audits | LCP element | requests counted towards LCP |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for n, run, p, a, b, s, lcp, tbt, fcp, cls, kb, failed, element, counted in rows:
        print(
            f"| {n} | {run} | {p} | {a} | {b} | {s} | {lcp:.2f} | {tbt:.0f} | {fcp:.2f} | {cls:.3f} | {kb:.1f} "
            f"| {', '.join(failed) or '—'} | `{element}` | {', '.join(counted) or '—'} |"
        )
    if runs > 1:
        print()
        print("| page | LCP s: median | worst | perf: worst | TBT ms: worst |")
        print("|---|---|---|---|---|")
        for name, _ in PAGES:
            mine = [r for r in rows if r[0] == name]
            lcps = sorted(r[6] for r in mine)
            print(f"| {name} | {lcps[len(lcps) // 2]:.2f} | {lcps[-1]:.2f} | {min(r[2] for r in mine)} | {max(r[7] for r in mine):.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
