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
                    [--variant LABEL=BIN[,KEY=VALUE...]]...

`--content` reuses a folder `gen_posts.py` wrote (generating 10,000 posts
takes a while); `--port` is the first port used (servers and baselines take
the next ones). By default the release build is measured twice, one run
after the other: as shipped (repeated queries are answered from the search
answer cache, as a reader's repeated query is) and with
`SEARCH_CACHE_ENTRIES=0`, where every request ranks, cuts snippets,
serialises and compresses. `--variant` measures other builds the same way
(e.g. the build before a change, then after it, in one run).
"""

import argparse
import itertools
import os
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
# handful; the two-word query is the issue's (#17) throughput target; `de`
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


def log_field(server, message: str, field: str) -> float:
    """`field` of the first JSON log line whose message is `message`."""
    for line in server.log.read_text().splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        fields = rec.get("fields", {})
        if fields.get("message") == message:
            return float(fields.get(field, "nan"))
    return float("nan")


def parse_variant(text: str):
    """`LABEL=BIN[,KEY=VALUE…]`: a server binary and extra environment."""
    label, _, rest = text.partition("=")
    binary, *env = rest.split(",")
    return label, pathlib.Path(binary), dict(e.split("=", 1) for e in env)


def run_variant(label, binary, env, content, posts, args, work, md):
    """Starts `binary` with `env` on `content`, loads every route with wrk
    at 1 and `args.connections` connections against the in-memory baseline
    of the same bytes, and appends the rows to `md`."""
    bench.SERVER = binary
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        server = bench.Server(content, work / f"server-{label}.log")
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    try:
        pid = server.proc.pid
        rss_loaded = bench.proc_status_kb(pid, "VmRSS") / 1024
        peak_load = bench.proc_status_kb(pid, "VmHWM") / 1024
        # Reset the high-water mark: from here it is the search runs' peak.
        pathlib.Path(f"/proc/{pid}/clear_refs").write_text("5")
        rare = rare_word(server.base)
        routes = [(n.format(rare=rare), p.format(rare=rare)) for n, p in ROUTES]
        manifest = bench.capture(server, routes, work)
        baseline, base_url = bench.start_baseline(manifest, work / f"baseline-{label}.log")
        env_text = " ".join(f"{k}={v}" for k, v in env.items()) or "shipped defaults"
        head = (f"\n**{label}** (`{binary.name}`, {env_text}): {posts} generated posts, "
                f"content load {server.load_ms():.0f} ms, search index built in "
                f"{log_field(server, 'search index built', 'index_ms'):.0f} ms, RSS after "
                f"load **{rss_loaded:.0f} MB**, peak during the load {peak_load:.0f} MB. "
                f"wrk -d{args.seconds}s, Accept-Encoding: {bench.ACCEPT_ENCODING}, "
                "JSON access log at `info`.\n")
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=int, default=10000)
    ap.add_argument("--content", type=pathlib.Path)
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--port", type=int, default=0, help="first port to use (0: any free)")
    ap.add_argument("--variant", action="append", default=[], metavar="LABEL=BIN[,K=V…]",
                    help="a server to measure, one after the other in this run "
                         "(default: the release build as shipped, then with "
                         "SEARCH_CACHE_ENTRIES=0: every answer computed)")
    ap.add_argument("--out", type=pathlib.Path, default=ROOT / "target/bench/search.md")
    args = ap.parse_args()
    variants = [parse_variant(v) for v in args.variant] or [
        ("shipped", bench.SERVER, {}),
        ("answer cache off", bench.SERVER, {"SEARCH_CACHE_ENTRIES": "0"}),
    ]
    for b in [bench.BASELINE] + [v[1] for v in variants]:
        if not b.exists():
            sys.exit(f"search_bench: {b} missing (make bench-search builds it)")
    if args.port:
        ports = itertools.count(args.port)
        bench.free_port = lambda: next(ports)

    work = pathlib.Path(tempfile.mkdtemp(prefix="microblog-search-bench-"))
    content = args.content
    if content is None or not (content / "posts").is_dir():
        content = content or work / f"content-{args.scale}"
        subprocess.run([sys.executable, str(ROOT / "tools/bench/gen_posts.py"),
                        str(args.scale), str(content)], check=True)
    posts = sum(1 for _ in (content / "posts").glob("*.md"))
    md = []
    for label, binary, env in variants:
        run_variant(label, binary, env, content, posts, args, work, md)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(md) + "\n")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
