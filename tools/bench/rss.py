#!/usr/bin/env python3
"""Memory of the release server by content size: what the deploy limits rest on.

For the shipped content/ and for generated sites of N posts
(tools/bench/gen_posts.py), start target/release/microblog with the shipped
settings (LEPTOS_ENV=PROD, JSON logs at info, default page cache), and read
from /proc/PID/status:

- RSS once /readyz answers (content loaded, page cache empty);
- RSS once the search index is built: one query (it waits for the index,
  which is built on its own thread after ready), then a second for the
  build's freed memory to be handed back; the figure #17's 250 MB is about;
- for the shipped content, RSS and peak (VmHWM) after every URL of the
  sitemap was fetched twice with Accept-Encoding: br, gzip (every page
  rendered and cached, all encodings) — what the deploy limits are sized for;
- for generated sites, the peak of the load itself (VmHWM once ready); their
  cached pages are bounded by PAGE_CACHE_MB on top (rendering thousands of
  pages at brotli 11 takes far longer than the load);

then the growth per 1,000 posts from a least-squares line over the generated
sizes. Prints a Markdown table.

Usage: rss.py [N ...] [--server BIN] [--baseline BIN]   (default sizes: 1000 2000 4000)

With `--baseline` (another build, e.g. main's binary copied aside), each
folder is measured with both binaries, one right after the other.
"""

from __future__ import annotations

import argparse
import pathlib
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from bench import ROOT, SERVER, free_port, shipped_env  # noqa: E402

GEN = ROOT / "tools/bench/gen_posts.py"


def status_kb(pid: int, field: str) -> int:
    text = pathlib.Path(f"/proc/{pid}/status").read_text()
    m = re.search(rf"^{field}:\s+(\d+) kB", text, re.M)
    return int(m.group(1)) if m else 0


def get(url: str, encoded: bool = True) -> bytes:
    headers = {"Accept-Encoding": "br, gzip"} if encoded else {}
    req = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.read()


def measure(content: pathlib.Path, cache_all: bool, server: pathlib.Path = SERVER) -> dict:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = shipped_env(port, CONTENT_DIR=str(content), SITE_URL=base)
    proc = subprocess.Popen([str(server)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                get(base + "/readyz")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"rss: server on {content} did not get ready")
                time.sleep(0.1)
        loaded = status_kb(proc.pid, "VmRSS")
        get(base + "/api/search?q=terraform")
        time.sleep(1.0)
        indexed = status_kb(proc.pid, "VmRSS")
        sitemap = get(base + "/sitemap.xml", encoded=False).decode()
        urls = re.findall(r"<loc>([^<]+)</loc>", sitemap)
        if cache_all:
            for _ in range(2):
                for u in urls:
                    get(u)
        return {
            "loaded": loaded,
            "indexed": indexed,
            "cached": status_kb(proc.pid, "VmRSS") if cache_all else None,
            "peak": status_kb(proc.pid, "VmHWM"),
            "pages": len(urls),
        }
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def slope(points: list[tuple[int, int]]) -> float:
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    num = sum((x - mx) * (y - my) for x, y in points)
    den = sum((x - mx) ** 2 for x, _ in points)
    return num / den if den else float("nan")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sizes", type=int, nargs="*", default=[1000, 2000, 4000])
    ap.add_argument("--server", type=pathlib.Path, default=SERVER, help="the binary measured")
    ap.add_argument("--baseline", type=pathlib.Path,
                    help="another binary measured on the same folders, right after each")
    args = ap.parse_args()
    rows = [("shipped content/", measure(ROOT / "content", cache_all=True, server=args.server))]
    if args.baseline:
        rows.append(("shipped content/, baseline",
                     measure(ROOT / "content", cache_all=True, server=args.baseline)))
    generated = []
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([sys.executable, str(GEN), str(n), tmp], check=True, stdout=subprocess.DEVNULL)
            m = measure(pathlib.Path(tmp), cache_all=False, server=args.server)
            rows.append((f"{n:,} generated posts", m))
            generated.append((n, m))
            if args.baseline:
                b = measure(pathlib.Path(tmp), cache_all=False, server=args.baseline)
                rows.append((f"{n:,} generated posts, baseline", b))
    mb = lambda kb: "–" if kb is None else f"{kb / 1024:.0f}"  # noqa: E731
    print("| content | pages | RSS loaded MB | RSS search index built MB | RSS all pages cached MB | peak MB |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, m in rows:
        print(f"| {name} | {m['pages']} | {mb(m['loaded'])} | {mb(m['indexed'])} | {mb(m['cached'])} "
              f"| {mb(m['peak'])} |")
    if len(generated) >= 2:
        for key, label in (("loaded", "loaded"), ("peak", "peak during load")):
            per = slope([(n, m[key]) for n, m in generated]) * 1000 / 1024
            print(f"\nPer 1,000 posts ({label}): {per:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
