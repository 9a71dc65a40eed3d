#!/usr/bin/env python3
"""`microblog export` against Hugo 0.111 on the same generated posts, and the
export's incremental and search-index figures on the shipped content.

Part of `make bench` (after bench.py). Needs the release build
(target/release/microblog, target/site) and Debian's `hugo`.

1. Generates N posts (tools/bench/gen_posts.py, deterministic) once.
2. A Hugo site with minimal layouts reads the same folder (module mount):
   highlighting (chroma, classes), table of contents, emoji, tags, feeds,
   sitemap and pagination on, like the export.
3. Alternates Hugo and the export RUNS times each into fresh folders, timing
   wall clock and CPU of each process; reports medians and the ratio.
4. Shipped content: a first export, a re-export with nothing changed, and a
   re-export after one post is edited (time and files written).
5. Search index: bytes a first search transfers on a static host (see
   search_budget; the static browser suite checks the real figure for `the`).

    export_bench.py [--posts N] [--runs R]
"""

import argparse
import gzip
import json
import os
import pathlib
import resource
import shutil
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = ROOT / "target/release/microblog"
SITE_ROOT = ROOT / "target/site"
WORK = ROOT / "target/bench/export"
SITE_URL = "https://blog.example.com"

HUGO_CONFIG = """baseURL = "{url}/"
title = "microblog"
languageCode = "en"
enableEmoji = true
paginate = 10
disableHugoGeneratorInject = true

[taxonomies]
  tag = "tags"

[markup.highlight]
  codeFences = true
  noClasses = false

[markup.tableOfContents]
  startLevel = 2
  endLevel = 3

[markup.goldmark.renderer]
  unsafe = true

[[module.mounts]]
  source = "{content}"
  target = "content"
"""

LAYOUTS = {
    "_default/baseof.html": """<!DOCTYPE html>
<html lang="{{ .Site.LanguageCode }}">
<head>
<meta charset="utf-8">
<title>{{ .Title }} — {{ .Site.Title }}</title>
<meta name="description" content="{{ .Summary | plainify | truncate 160 }}">
<link rel="canonical" href="{{ .Permalink }}">
{{ range .AlternativeOutputFormats }}<link rel="{{ .Rel }}" type="{{ .MediaType.Type }}" href="{{ .Permalink }}">{{ end }}
</head>
<body>
<header><a href="/">microblog</a> <a href="/tags/">Tags</a></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
""",
    "_default/single.html": """{{ define "main" }}<article>
<h1>{{ .Title }}</h1>
<time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time>
<ul>{{ range .Params.tags }}<li><a href="{{ "tags/" | relURL }}{{ . | urlize }}/">{{ . }}</a></li>{{ end }}</ul>
<nav class="toc">{{ .TableOfContents }}</nav>
{{ .Content }}
</article>{{ end }}
""",
    "_default/list.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Paginator.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Summary }}</li>{{ end }}</ul>
{{ with .Paginator }}{{ if .HasNext }}<a rel="next" href="{{ .Next.URL }}">Older</a>{{ end }}{{ end }}
{{ end }}
""",
    "_default/terms.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.ByCount }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> {{ .Count }}</li>{{ end }}</ul>
{{ end }}
""",
    "index.html": """{{ define "main" }}<h1>Posts</h1>
<ul>{{ range (.Paginate (where .Site.RegularPages "Section" "posts")).Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Summary }}</li>{{ end }}</ul>
{{ end }}
""",
}


def run_timed(cmd, env=None):
    """Wall seconds and CPU seconds (user + system) of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"{cmd[0]} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.stdout + proc.stderr


def export_env(content):
    env = dict(os.environ)
    env.update({
        "CONTENT_DIR": str(content),
        "LEPTOS_SITE_ROOT": str(SITE_ROOT),
        "LEPTOS_OUTPUT_NAME": "microblog",
        "LEPTOS_ENV": "PROD",
        "SITE_URL": SITE_URL,
        "LOG_FORMAT": "json",
        "RUST_LOG": "info",
    })
    return env


def hugo_site(content):
    site = WORK / "hugo"
    if site.exists():
        shutil.rmtree(site)
    (site / "layouts/_default").mkdir(parents=True)
    (site / "hugo.toml").write_text(HUGO_CONFIG.format(url=SITE_URL, content=content))
    for rel, text in LAYOUTS.items():
        (site / "layouts" / rel).write_text(text)
    return site


def files_in(d):
    return sum(1 for p in d.rglob("*") if p.is_file())


def scale(posts, runs):
    content = WORK / f"content-{posts}"
    if not (content / ".complete").exists():
        if content.exists():
            shutil.rmtree(content)
        subprocess.run([sys.executable, str(ROOT / "tools/bench/gen_posts.py"), str(posts), str(content)],
                       check=True)
        (content / ".complete").write_text("")
    site = hugo_site(content)
    hugo_out, ours_out = WORK / "hugo-out", WORK / "export-out"
    hugo_cmd = ["hugo", "--source", str(site), "--destination", str(hugo_out), "--quiet"]
    ours_cmd = [str(BIN), "export", str(ours_out)]
    hugo, ours = [], []
    for _ in range(runs):
        for out in (hugo_out, ours_out):
            if out.exists():
                shutil.rmtree(out)
        hugo.append(run_timed(hugo_cmd)[:2])
        ours.append(run_timed(ours_cmd, export_env(content)))
    med = lambda xs, i: statistics.median(x[i] for x in xs)
    rows = [
        f"| Hugo {hugo_version()} (minimal layouts) | {med(hugo, 0):.2f} s | {med(hugo, 1):.2f} s | {files_in(hugo_out)} | 1.00× |",
        f"| `microblog export` | {med(ours, 0):.2f} s | {med(ours, 1):.2f} s | {files_in(ours_out)} | "
        f"{med(ours, 0) / med(hugo, 0):.2f}× |",
    ]
    runs_text = ", ".join(f"{h[0]:.2f}/{o[0]:.2f}" for h, o in zip(hugo, ours))
    # The export's own split of its median run (wall/CPU s per phase).
    median_run = sorted(ours, key=lambda o: o[0])[len(ours) // 2]
    summary = next((l for l in median_run[2].splitlines() if l.startswith("exported ")), "")
    split = summary.rsplit("(wall/CPU s: ", 1)[-1].rstrip(")")
    return rows, runs_text, split


def hugo_version():
    out = subprocess.run(["hugo", "version"], stdout=subprocess.PIPE, text=True).stdout
    return out.split()[1].split("+")[0] if out else "?"


def short(report):
    """The summary line without its time split (the table has the wall time)."""
    return report.strip().split(" (wall/CPU s:")[0]


def incremental():
    content = WORK / "shipped-content"
    if content.exists():
        shutil.rmtree(content)
    shutil.copytree(ROOT / "content", content)
    out = WORK / "shipped-out"
    if out.exists():
        shutil.rmtree(out)
    env = export_env(content)
    first = run_timed([str(BIN), "export", str(out)], env)
    same = run_timed([str(BIN), "export", str(out)], env)
    post = sorted((content / "posts").glob("*.md"))[0]
    post.write_text(post.read_text() + "\n\nOne more paragraph, for the benchmark.\n")
    edit = run_timed([str(BIN), "export", str(out)], env)
    return [
        f"| first export | {first[0]:.2f} s | {short(first[2])} |",
        f"| again, nothing changed | {same[0]:.2f} s | {short(same[2])} |",
        f"| after editing `{post.name}` | {edit[0]:.2f} s | {short(edit[2])} |",
    ], out


def search_budget(out):
    """Bytes (gzip 6, as the static host of `make test-e2e-static` sends them)
    a first search transfers on a static host, counted as the browser test
    `search: the first search of "the" transfers at most 100 KB` counts them:
    the lazy WASM the header box loads there (its `lookup` split and the
    static `search` split, with the shared chunks the split manifest lists for
    them), the 404 page a static host answers the server-function probe
    with, then per query the shards of its words, the records (beginnings)
    of the 20 largest matching documents and the whole body of those whose
    beginning holds no word the query begins (an upper bound: the browser
    fetches the 20 best-ranked)."""
    index = out / "search-index"
    pkg = out / "pkg"
    gz = lambda data: len(gzip.compress(data, 6))
    manifest = json.loads(next(pkg.glob("__wasm_split_manifest*.json")).read_text())
    names = {n for key, deps in manifest.items()
             if key.startswith(("lookup_", "search_")) and "from_address" not in key
             for n in deps}
    code = [f for f in pkg.glob("*.wasm") if f.stem in names]
    code_raw = sum(f.stat().st_size for f in code)
    code_gz = sum(gz(f.read_bytes()) for f in code)
    probe = (out / "404.html").read_bytes()
    fixed = code_gz + gz(probe)
    rows = [f"| lazy search code ({len(code)} WASM chunks, once per visit) | "
            f"{code_raw / 1024:.1f} KB | {code_gz / 1024:.1f} KB | |",
            f"| `/api/search` probe (the host's 404 page, once per visit) | "
            f"{len(probe) / 1024:.1f} KB | {gz(probe) / 1024:.1f} KB | |"]
    for query in ["terraform", "kubernetes", "observabilidad", "rust async", "prometheus alert", "the"]:
        words = [w for w in query.lower().split() if len(w) >= 2]
        raw = size = 0
        docs = set()
        for w in words:
            shard = index / "s" / (w[:2].encode().hex() + ".json")
            if not shard.exists():
                continue
            data = shard.read_bytes()
            raw += len(data)
            size += gz(data)
            for token, postings in json.loads(data):
                if token.startswith(w):
                    docs.update(p[0] for p in postings)
        records = [(d, (index / "d" / f"{d}.json").read_bytes()) for d in sorted(docs)]
        records.sort(key=lambda r: len(r[1]), reverse=True)
        for d, r in records[:20]:
            raw += len(r)
            size += gz(r)
            record = json.loads(r)
            body = record["body"].lower()
            # A word the query begins, with the 180-char window inside.
            starts = [i for i in range(len(body)) if (i == 0 or not body[i - 1].isalnum())
                      and any(body.startswith(w, i) for w in words)]
            if record.get("more") and not (starts and starts[0] + 180 < len(body)):
                rest = (index / "b" / f"{d}.json").read_bytes()
                raw += len(rest)
                size += gz(rest)
        rows.append(f"| `{query}` | {raw / 1024:.1f} KB | {size / 1024:.1f} KB | "
                    f"{(size + fixed) / 1024:.1f} KB |")
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--posts", type=int, default=int(os.environ.get("BENCH_SCALE", 10000)))
    ap.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_EXPORT_RUNS", 3)))
    args = ap.parse_args()
    if not BIN.exists() or not (SITE_ROOT / "pkg").is_dir():
        sys.exit("build first: cargo leptos build --release --precompress")
    WORK.mkdir(parents=True, exist_ok=True)
    lines = ["### Static export", ""]
    if args.posts > 0:
        rows, runs_text, split = scale(args.posts, args.runs)
        lines += [f"{args.posts} generated posts, {args.runs} alternating runs each (median; "
                  f"Hugo/export wall s per run: {runs_text}):", "",
                  "| build | wall | CPU | files | time vs Hugo |", "|---|---:|---:|---:|---:|", *rows, "",
                  f"Export of the median run, wall/CPU s by phase: {split}.", ""]
    inc, out = incremental()
    lines += ["Shipped content:", "", "| export | wall | report |", "|---|---:|---|", *inc, ""]
    lines += ["First search on a static host, shipped content (code and probe once; per query the shards "
              "of its words and the records of the 20 largest matching documents: an upper bound). "
              "Budget: 100 KB (100,000 B) in all:", "",
              "| part | raw | gzip | first search in all |", "|---|---:|---:|---:|",
              *search_budget(out), ""]
    text = "\n".join(lines)
    print(text)
    results = ROOT / "target/bench/results.md"
    with results.open("a") as f:
        f.write("\n" + text + "\n")


if __name__ == "__main__":
    main()
