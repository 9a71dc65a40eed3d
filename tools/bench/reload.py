#!/usr/bin/env python3
"""Publishing and restarting at scale: the release server on N generated posts.

1. Cold start with an empty CACHE_DIR: time until /readyz answers, content
   load time and its steps, RSS, and when the search index (built in the
   background after the load) was ready.
2. Warm the page cache (home, feeds and WARM random posts), edit one line of
   one post, and time from the write until the post's page shows the edit
   (publish latency, debounce included). Then ask for the warmed posts again
   and count the `x-cache: hit` answers (the issue's "other pages stay
   cached"), and read the server's own reload record (load, warm-up, pages
   kept, changed and rendered).
3. Restart on the render cache the first run wrote: a warm start (the same
   figures as the cold start, and how long reading the cache took).

    reload.py [--posts N | --content DIR] [--warm W] [--server BIN]
              [--baseline BIN] [--out FILE]

With `--baseline` (another build, e.g. main's binary copied aside), both
binaries run the same steps on the same folder, one after the other, and a
table gives each figure and the ratio measured / baseline.

Production settings (LEPTOS_ENV=PROD, JSON log, access log at info, as
shipped), CONTENT_WATCH=1. Needs target/release/microblog.
"""

import argparse
import http.client
import json
import os
import pathlib
import random
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from bench import CLK_TCK, ROOT, SERVER, free_port, proc_status_kb, shipped_env, stop, wait_ready  # noqa: E402


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of `pid` so far: on a shared machine, what a
    start cost is steadier than how long it took."""
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


class Server:
    def __init__(self, binary: pathlib.Path, content: pathlib.Path, cache: pathlib.Path,
                 log: pathlib.Path):
        self.port = free_port()
        env = shipped_env(self.port, CONTENT_DIR=str(content), CONTENT_WATCH="1",
                          CACHE_DIR=str(cache))
        self.log = log
        self.proc = subprocess.Popen([str(binary)], env=env, cwd=ROOT,
                                     stdout=log.open("w"), stderr=subprocess.STDOUT)
        self.ready_s = wait_ready(f"http://127.0.0.1:{self.port}/readyz", self.proc)
        self.ready_cpu_s = cpu_seconds(self.proc.pid)
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def get(self, path: str, encoding: str = "br"):
        self.conn.request("GET", path, headers={"Accept-Encoding": encoding})
        r = self.conn.getresponse()
        body = r.read()
        return r.status, r.getheader("x-cache", ""), body

    def records(self, message: str) -> list:
        out = []
        for line in self.log.read_text().splitlines():
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if rec.get("fields", {}).get("message") == message:
                out.append(rec["fields"])
        return out

    def wait_record(self, message: str, count: int = 1, timeout: float = 120) -> list:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            found = self.records(message)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        sys.exit(f"reload.py: no `{message}` record in {self.log}")

    def stop(self):
        stop(self.proc)


def run(binary: pathlib.Path, content: pathlib.Path, work: pathlib.Path, warm: int) -> dict:
    """The three steps of the module doc with one server binary; returns the
    figures (seconds, milliseconds, MB) and the lines that describe them."""
    posts = sorted(p.stem for p in (content / "posts").glob("*.md"))
    cache = work / "cache"
    if cache.exists():
        shutil.rmtree(cache)
    md = []
    f = {}

    server = Server(binary, content, cache, work / "cold.log")
    try:
        loaded = server.wait_record("content loaded")[0]
        rss = proc_status_kb(server.proc.pid, "VmRSS") / 1024
        indexed = server.wait_record("search index built")[0]
        rss_indexed = proc_status_kb(server.proc.pid, "VmRSS") / 1024
        f.update(cold_ready_s=server.ready_s, cold_cpu_s=server.ready_cpu_s, cold_load_ms=float(loaded["load_ms"]),
                 cold_rss_mb=rss, cold_index_ms=float(indexed["index_ms"]),
                 cold_rss_indexed_mb=rss_indexed)
        md.append(f"- cold start (empty `CACHE_DIR`): ready after **{server.ready_s:.2f} s** "
                  f"({server.ready_cpu_s:.2f} s of CPU), content load {float(loaded['load_ms']):.0f} ms, RSS after load **{rss:.0f} MB**; "
                  f"search index built {float(indexed['index_ms']):.0f} ms later, RSS then "
                  f"**{rss_indexed:.0f} MB** (steps: {loaded.get('phases')})")
        rng = random.Random(7)
        warmed = rng.sample(posts, min(warm, len(posts) - 1))
        target = next(p for p in reversed(posts) if p not in warmed)
        warmed.append(target)
        first = time.monotonic()
        for path in ["/", "/feed.xml", "/sitemap.xml"] + [f"/posts/{p}" for p in warmed]:
            server.get(path)
        f["first_requests_ms"] = (time.monotonic() - first) * 1000 / (len(warmed) + 3)
        md.append(f"- first request of {len(warmed) + 3} pages (home, feeds, sitemap, posts; "
                  f"each rendered, body included): **{f['first_requests_ms']:.1f} ms** a page")
        server.wait_record("render cache written")
        # Edit one line of one post (atomic replace, as editors save).
        src = content / "posts" / f"{target}.md"
        text = src.read_text(encoding="utf-8")
        marker = f"edited-{time.time_ns()}"
        tmp = src.with_suffix(".tmp")
        tmp.write_text(text.replace("<!--more-->", f"{marker}\n\n<!--more-->", 1), encoding="utf-8")
        t0 = time.monotonic()
        os.replace(tmp, src)
        while True:
            status, _, body = server.get(f"/posts/{target}", encoding="identity")
            if status == 200 and marker.encode() in body:
                break
            if time.monotonic() - t0 > 300:
                sys.exit("reload.py: the edit never showed")
            time.sleep(0.005)
        publish_s = time.monotonic() - t0
        f["publish_s"] = publish_s
        rec = server.wait_record("content reloaded")[0]
        hits = sum(1 for p in warmed[:-1] if server.get(f"/posts/{p}")[1] == "hit")
        md.append(f"- one post edited: the page showed the edit after **{publish_s:.2f} s** "
                  f"(60 ms debounce included; server: load {float(rec['load_ms']):.0f} ms with "
                  f"{rec.get('files_reused')} files reused, published after "
                  f"{float(rec['reload_ms']):.0f} ms; cached pages kept {rec['pages_kept']}, "
                  f"changed {rec['pages_changed']}, rendered ahead {rec['pages_rendered']}; "
                  f"steps: {rec.get('phases')})")
        md.append(f"- afterwards {hits} of the {len(warmed) - 1} other warmed posts answered "
                  "`x-cache: hit`")
        # The render cache must hold the edit before the warm restart.
        server.wait_record("render cache written", count=2)
    finally:
        server.stop()

    server = Server(binary, content, cache, work / "warm.log")
    try:
        loaded = server.wait_record("content loaded")[0]
        rss = proc_status_kb(server.proc.pid, "VmRSS") / 1024
        indexed = server.wait_record("search index built")[0]
        rss_indexed = proc_status_kb(server.proc.pid, "VmRSS") / 1024
        f.update(warm_ready_s=server.ready_s, warm_cpu_s=server.ready_cpu_s, warm_cache_read_ms=float(loaded["cache_read_ms"]),
                 warm_load_ms=float(loaded["load_ms"]), warm_rss_mb=rss,
                 warm_index_ms=float(indexed["index_ms"]), warm_rss_indexed_mb=rss_indexed)
        md.append(f"- warm restart (render cache from the first run): ready after "
                  f"**{server.ready_s:.2f} s** (cache read {float(loaded['cache_read_ms']):.0f} ms, "
                  f"content load {float(loaded['load_ms']):.0f} ms, "
                  f"{loaded.get('files_reused')} files reused), RSS after load **{rss:.0f} MB**; "
                  f"search index built {float(indexed['index_ms']):.0f} ms later, RSS then "
                  f"**{rss_indexed:.0f} MB** (steps: {loaded.get('phases')})")
    finally:
        server.stop()
    f["lines"] = md
    return f


COMPARED = [
    ("cold start: ready", "cold_ready_s", "s"),
    ("cold start: CPU until ready (all threads)", "cold_cpu_s", "s"),
    ("cold start: content load", "cold_load_ms", "ms"),
    ("cold start: search index", "cold_index_ms", "ms"),
    ("cold start: RSS after load", "cold_rss_mb", "MB"),
    ("cold start: RSS after the index", "cold_rss_indexed_mb", "MB"),
    ("first request of a page", "first_requests_ms", "ms"),
    ("one edit published", "publish_s", "s"),
    ("warm restart: ready", "warm_ready_s", "s"),
    ("warm restart: CPU until ready (all threads)", "warm_cpu_s", "s"),
    ("warm restart: cache read", "warm_cache_read_ms", "ms"),
    ("warm restart: content load", "warm_load_ms", "ms"),
    ("warm restart: search index", "warm_index_ms", "ms"),
    ("warm restart: RSS after load", "warm_rss_mb", "MB"),
    ("warm restart: RSS after the index", "warm_rss_indexed_mb", "MB"),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=10_000)
    ap.add_argument("--warm", type=int, default=2_000)
    ap.add_argument("--content", type=pathlib.Path, help="an existing generated folder")
    ap.add_argument("--server", type=pathlib.Path, default=SERVER, help="the binary measured")
    ap.add_argument("--baseline", type=pathlib.Path,
                    help="another binary (e.g. main's) measured the same way, one after the other")
    ap.add_argument("--out", type=pathlib.Path, default=ROOT / "target/bench/reload.md")
    args = ap.parse_args()
    for binary in filter(None, [args.server, args.baseline]):
        if not binary.exists():
            sys.exit(f"reload.py: build {binary} first")
    work = pathlib.Path(tempfile.mkdtemp(prefix="microblog-reload-"))
    content = args.content or work / "content"
    if not args.content:
        subprocess.run([sys.executable, str(ROOT / "tools/bench/gen_posts.py"),
                        str(args.posts), str(content)], check=True)
    n = len(list((content / "posts").glob("*.md")))
    md = [f"Publishing and restarting, {n} generated posts "
          "(`tools/bench/reload.py`, production settings, access log on):\n"]
    runs = []
    if args.baseline:
        runs.append(("baseline", args.baseline))
    runs.append(("measured", args.server))
    figures = {}
    for label, binary in runs:
        (work / label).mkdir(exist_ok=True)
        figures[label] = run(binary, content, work / label, args.warm)
        if args.baseline:
            md.append(f"\n{label} (`{binary}`):\n")
        md.extend(figures[label]["lines"])
    if args.baseline:
        base, new = figures["baseline"], figures["measured"]
        md.append("\n| | baseline | measured | measured / baseline |\n|---|---:|---:|---:|")
        for name, key, unit in COMPARED:
            b, m = base[key], new[key]
            ratio = f"{m / b:.3f}" if b else "–"
            md.append(f"| {name} | {b:.2f} {unit} | {m:.2f} {unit} | {ratio} |")
    text = "\n".join(md) + "\n"
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)


if __name__ == "__main__":
    main()
