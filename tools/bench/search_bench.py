#!/usr/bin/env python3
"""`make bench-search`: search at scale against the in-memory baseline.

Starts the release binary with the shipped settings (JSON access log at
`info`, production) on N generated posts (`gen_posts.py`: a Zipf-distributed
English and Spanish vocabulary of about 70,000 words), captures the exact
bytes of each search URL, serves those from memory with `bench_baseline`, and
loads both with wrk at 1 and 64 connections, one right after the other: the
ratio is the cost of searching. Also reports the process's RSS after the
content load, its peak during the load, and its peak during the search runs
alone (the kernel's high-water mark is reset between the two with
`/proc/PID/clear_refs`).

    search_bench.py [--scale N] [--content DIR] [--seconds S] [--port P]

`--content` reuses a folder `gen_posts.py` wrote (generating 10,000 posts
takes a while); `--port` is the first of two ports (server, baseline).
"""

import argparse
import pathlib
import subprocess
import sys
import tempfile
import json
import urllib.parse

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import bench  # noqa: E402  (the shared runners: Server, wrk, baseline)

ROOT = bench.ROOT

# (name, path). The common word is in nearly every post, the rare one in a
# handful; the two-word query is the (#17) throughput target; `de`
# is a two-letter prefix that begins about 2,000 words of the vocabulary.
ROUTES = [
    ("search fn, common word `terraform`", "/api/search?q=terraform"),
    ("search fn, two words `terraform rollback`", "/api/search?q=terraform%20rollback"),
    ("search fn, rare word `{rare}`", "/api/search?q={rare}"),
    ("search fn, short prefix `de`", "/api/search?q=de"),
    ("search page `terraform`", "/search?q=terraform"),
]


def rare_word(base: str) -> str:
    """A word of the generated vocabulary that a few posts contain (1–10):
    the first such word of the Spanish list that the search finds."""
    words = pathlib.Path("/usr/share/dict/spanish").read_text(encoding="utf-8",
                                                              errors="ignore").split()
    for w in words[1000::97]:
        if not w.isalpha() or len(w) < 8:
            continue
        _, _, body = bench.fetch(f"{base}/api/search?q={urllib.parse.quote(w)}", "identity")
        total = int(json.loads(body)["total"])
        if 1 <= total <= 10:
            return w
    return "zzzz"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=int, default=10000)
    ap.add_argument("--content", type=pathlib.Path)
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--port", type=int, default=0, help="first of two ports (0: any free)")
    ap.add_argument("--out", type=pathlib.Path, default=ROOT / "target/bench/search.md")
    args = ap.parse_args()
    for b in (bench.SERVER, bench.BASELINE):
        if not b.exists():
            sys.exit(f"search_bench: {b} missing (make bench-search builds it)")
    if args.port:
        ports = iter([args.port, args.port + 1])
        bench.free_port = lambda: next(ports)

    work = pathlib.Path(tempfile.mkdtemp(prefix="microblog-search-bench-"))
    content = args.content
    if content is None or not (content / "posts").is_dir():
        content = content or work / f"content-{args.scale}"
        subprocess.run([sys.executable, str(ROOT / "tools/bench/gen_posts.py"),
                        str(args.scale), str(content)], check=True)
    posts = sum(1 for _ in (content / "posts").glob("*.md"))

    server = bench.Server(content, work / "server.log")
    md = []
    try:
        pid = server.proc.pid
        rss_loaded = bench.proc_status_kb(pid, "VmRSS") / 1024
        peak_load = bench.proc_status_kb(pid, "VmHWM") / 1024
        # Reset the high-water mark: from here it is the search runs' peak.
        pathlib.Path(f"/proc/{pid}/clear_refs").write_text("5")
        rare = rare_word(server.base)
        routes = [(n.format(rare=rare), p.format(rare=rare)) for n, p in ROUTES]
        manifest = bench.capture(server, routes, work)
        baseline, base_url = bench.start_baseline(manifest, work / "baseline.log")
        head = (f"{posts} generated posts, content load {server.load_ms():.0f} ms, RSS after "
                f"load **{rss_loaded:.0f} MB**, peak during the load {peak_load:.0f} MB. "
                f"wrk -d{args.seconds}s, Accept-Encoding: {bench.ACCEPT_ENCODING}, "
                "the shipped settings (JSON access log at `info`).\n")
        print(head)
        md.append(head)
        header = ("| route | conns | rps | p50 ms | p99 ms | CPU µs/req | baseline rps | "
                  "baseline p99 ms | rps ratio |")
        md += [header, "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        print(header)
        try:
            for name, path in routes:
                for c in (1, args.connections):
                    threads = min(c, 2)
                    cpu0 = bench.proc_cpu_seconds(pid)
                    s = bench.wrk(server.base + path, args.seconds, c, threads)
                    cpu = (bench.proc_cpu_seconds(pid) - cpu0) * 1e6 / max(s["requests"], 1)
                    b = bench.wrk(base_url + path, args.seconds, c, threads)
                    row = (f"| {name} | {c} | {s['rps']:.0f} | {bench.fmt_ms(s['p50'])} | "
                           f"{bench.fmt_ms(s['p99'])} | {cpu:.0f} | {b['rps']:.0f} | "
                           f"{bench.fmt_ms(b['p99'])} | {s['rps'] / b['rps']:.2f}× |")
                    if s["non2xx"] or s["errors"]:
                        row += f" non-2xx {s['non2xx']} {s['errors']}"
                    md.append(row)
                    print(row, flush=True)
        finally:
            baseline.terminate()
            baseline.wait()
        peak = bench.proc_status_kb(pid, "VmHWM") / 1024
        rss_after = bench.proc_status_kb(pid, "VmRSS") / 1024
        tail = (f"\nPeak RSS during the search runs: **{peak:.0f} MB**; RSS after them "
                f"{rss_after:.0f} MB.\n")
        md.append(tail)
        print(tail)
    finally:
        server.stop()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(md) + "\n")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
