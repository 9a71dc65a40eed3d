#!/usr/bin/env python3
"""How long the first request for each page takes (a page-cache miss:
render, then brotli 11 and gzip 9 before the reply) against the second (a
hit), as the server measures it: the latency the SLO histogram records,
read from the JSON access log of the release binary with the shipped
configuration (LEPTOS_ENV=PROD, LOG_FORMAT=json, RUST_LOG=info).

Usage: tools/obs/miss_latency.py [path/to/microblog]   (figures in BENCHMARKS.md)
"""

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from e2e import free_port, http  # noqa: E402


def main():
    binary = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "target/release/microblog").resolve()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tempfile.NamedTemporaryFile(prefix="microblog-miss-", suffix=".log", delete=False)
    env = dict(os.environ, LEPTOS_ENV="PROD", LOG_FORMAT="json", RUST_LOG="info",
               LEPTOS_SITE_ADDR=f"127.0.0.1:{port}", LEPTOS_SITE_ROOT=str(ROOT / "target/site"),
               LEPTOS_OUTPUT_NAME="microblog", CONTENT_DIR=str(ROOT / "content"))
    server = subprocess.Popen([str(binary)], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            try:
                if http(base + "/readyz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        _, _, sitemap = http(base + "/sitemap.xml")
        paths = re.findall(r"<loc>[^<]*?//[^/<]+(/[^<]*)</loc>", sitemap.decode())
        paths += ["/feed.xml", "/rss.xml", "/emoji", "/search?q=slo"]
        load = os.getloadavg()[0]
        for path in paths:
            for _ in range(2):
                http(base + path, headers={"Accept-Encoding": "br, gzip"}, timeout=30)
        time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=10)
    latencies = {}
    for line in open(log.name):
        try:
            fields = json.loads(line).get("fields", {})
        except ValueError:
            continue
        if fields.get("message") == "request" and fields.get("path") not in ("/readyz", "/sitemap.xml"):
            latencies.setdefault(fields["path"], []).append(fields["latency_ms"])
    pages = [(p, v[0], v[1]) for p, v in latencies.items() if len(v) >= 2]
    misses = sorted(m for _, m, _ in pages)
    hits = sorted(h for _, _, h in pages)
    q = lambda xs, f: xs[min(len(xs) - 1, int(f * len(xs)))]
    print(f"{len(pages)} pages (sitemap, feeds, /emoji, /search?q=slo), load average {load:.1f}")
    print("| request | p50 ms | p90 ms | max ms | over 100 ms |")
    print("|---|---:|---:|---:|---:|")
    for name, xs in (("first (miss)", misses), ("second (hit)", hits)):
        over = sum(1 for x in xs if x > 100)
        print(f"| {name} | {statistics.median(xs):.2f} | {q(xs, 0.9):.2f} | {max(xs):.1f} | {over} of {len(xs)} |")
    print(f"miss/hit ratio of medians: {statistics.median(misses) / statistics.median(hits):.0f}x")
    for p, m, _ in sorted(pages, key=lambda t: -t[1])[:5]:
        print(f"  slowest miss: {p} {m:.1f} ms")
    os.unlink(log.name)


if __name__ == "__main__":
    main()
