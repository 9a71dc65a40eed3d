#!/usr/bin/env python3
"""`microblog export` against Hugo 0.111 on the same generated posts, and the
export's incremental and search-index figures on the shipped content.

Part of `make bench` (after bench.py). Needs the release build
(target/release/microblog, target/site) and Debian's `hugo`.

1. Generates N posts (tools/bench/gen_posts.py, deterministic) once.
2. A Hugo site with minimal layouts reads the same folder (module mount):
   highlighting (chroma, classes), table of contents, emoji, tags, feeds,
   sitemap and pagination on, like the export.
3. Alternates Hugo and the export (or several export builds, `--variant`)
   RUNS times each, timing wall clock and CPU of each process; reports
   medians and the ratios. Every timed run starts on a quiet disk, the same
   for every tool: it writes into a folder of its own that no earlier run
   used, `sync` first writes back what earlier runs left dirty, and the
   script waits a moment; the outputs are deleted only after the last run.
   Deleting the previous output right before a run (as this script did)
   slowed the next one by seconds, more with every run: ext4 does not reuse
   an inode freed in the last minute, and looking past tens of thousands
   of them was most of the system time of both tools (`perf`: ext4's
   `recently_deleted`). So leftovers of an earlier invocation are deleted
   first and followed by a wait past that minute. The posts are read once
   before the first run, so every run reads them from the page cache.
4. Shipped content: a first export, a re-export with nothing changed, and a
   re-export after one post is edited (time and files written).
5. Search index: bytes a first search transfers on a static host (see
   search_budget; the static browser suite checks the real figure for `the`).

    export_bench.py [--posts N] [--runs R] [--variant NAME=BIN[,SITE_ROOT]]...

`--variant` (repeatable) times several builds of the export against the same
Hugo runs, alternating Hugo, then each build in turn: e.g. main's binary
copied aside against this checkout's, `--variant base=/tmp/base-microblog
--variant new=target/release/microblog`. SITE_ROOT defaults to target/site.
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


def export_env(content, site_root=SITE_ROOT):
    env = dict(os.environ)
    env.update({
        "CONTENT_DIR": str(content),
        "LEPTOS_SITE_ROOT": str(site_root),
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


SETTLE_SECONDS = 2.0
# ext4 passes over inodes freed less than 60 s ago when it allocates one.
RECENTLY_DELETED_SECONDS = 65


def quiet_disk():
    """Writes back what is dirty and waits a moment: the next timed run
    starts on an idle disk (see the docstring)."""
    os.sync()
    time.sleep(SETTLE_SECONDS)


def clear_runs(runs_dir, wait):
    """Deletes the outputs of earlier runs; with `wait`, then waits until
    ext4 would reuse their inodes (see the docstring)."""
    if runs_dir.exists():
        shutil.rmtree(runs_dir)
        os.sync()
        if wait:
            print(f"export_bench: waiting {RECENTLY_DELETED_SECONDS} s after deleting earlier outputs",
                  file=sys.stderr)
            time.sleep(RECENTLY_DELETED_SECONDS)
    runs_dir.mkdir(parents=True)


def warm(content):
    """Reads every post once, so that no tool's first run reads from disk."""
    for p in content.rglob("*"):
        if p.is_file():
            p.read_bytes()


def parse_variant(text):
    """`NAME=BIN[,SITE_ROOT]`."""
    name, _, rest = text.partition("=")
    binary, _, site = rest.partition(",")
    if not name or not binary:
        sys.exit(f"--variant {text!r}: expected NAME=BIN[,SITE_ROOT]")
    return name, pathlib.Path(binary).resolve(), pathlib.Path(site).resolve() if site else SITE_ROOT


def scale(posts, runs, variants):
    content = WORK / f"content-{posts}"
    if not (content / ".complete").exists():
        if content.exists():
            shutil.rmtree(content)
        subprocess.run([sys.executable, str(ROOT / "tools/bench/gen_posts.py"), str(posts), str(content)],
                       check=True)
        (content / ".complete").write_text("")
    site = hugo_site(content)
    runs_dir = WORK / "runs"
    clear_runs(runs_dir, wait=True)
    warm(content)
    hugo, ours = [], {name: [] for name, _, _ in variants}
    files = {}
    for i in range(runs):
        hugo_out = runs_dir / f"hugo-{i}"
        quiet_disk()
        hugo.append(run_timed(["hugo", "--source", str(site), "--destination", str(hugo_out), "--quiet"])[:2])
        files["hugo"] = files_in(hugo_out)
        for name, binary, site_root in variants:
            out = runs_dir / f"export-{name}-{i}"
            quiet_disk()
            ours[name].append(run_timed([str(binary), "export", str(out)], export_env(content, site_root)))
            files[name] = files_in(out)
        # Each round as it ends: deleting the outputs at the end takes minutes on a busy disk.
        print(f"round {i + 1}: " + "/".join(f"{t[0]:.2f}/{t[1]:.2f}" for t in
                                           (hugo[i], *(ours[n][i] for n, _, _ in variants))) +
              " wall/CPU s (Hugo, " + ", ".join(n for n, _, _ in variants) + ")", file=sys.stderr, flush=True)
    clear_runs(runs_dir, wait=False)
    med = lambda xs, i: statistics.median(x[i] for x in xs)
    first = variants[0][0]
    rows = [f"| Hugo {hugo_version()} (minimal layouts) | {med(hugo, 0):.2f} s | {med(hugo, 1):.2f} s | "
            f"{files['hugo']} | 1.00× |" + (" |" if len(variants) > 1 else "")]
    for name, _, _ in variants:
        runs_of = ours[name]
        row = (f"| `microblog export` ({name}) | {med(runs_of, 0):.2f} s | {med(runs_of, 1):.2f} s | "
               f"{files[name]} | {med(runs_of, 0) / med(hugo, 0):.2f}× |")
        if len(variants) > 1:
            row += f" {med(runs_of, 0) / med(ours[first], 0):.2f}× |"
        rows.append(row)
    header = "| build | wall | CPU | files | time vs Hugo |" + (f" time vs {first} |" if len(variants) > 1 else "")
    align = "|---|---:|---:|---:|---:|" + ("---:|" if len(variants) > 1 else "")
    names = "/".join(["Hugo", *(name for name, _, _ in variants)])
    per_run = ", ".join("/".join(f"{t[0]:.2f}" for t in (hugo[i], *(ours[n][i] for n, _, _ in variants)))
                        for i in range(runs))
    runs_text = f"{names} wall s per run: {per_run}"
    # Each build's own split of its median run (wall/CPU s per phase).
    splits = []
    for name, _, _ in variants:
        median_run = sorted(ours[name], key=lambda o: o[0])[len(ours[name]) // 2]
        summary = next((l for l in median_run[2].splitlines() if l.startswith("exported ")), "")
        splits.append((name, summary.rsplit("(wall/CPU s: ", 1)[-1].rstrip(")")))
    return [header, align, *rows], runs_text, splits


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
    with, then per query the shards of its words, the files of records
    (beginnings) of the 20 largest matching documents and the files of whole
    bodies of those whose beginning holds no word the query begins, each
    file once (an upper bound: the browser fetches the 20 best-ranked)."""
    index = out / "search-index"
    # Documents per file of records and of bodies: a list when files group
    # several (the first is then a full one), an object for one a file.
    first = json.loads((index / "d" / "0.json").read_bytes())
    per_file = len(first) if isinstance(first, list) else 1
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
        # Each document's record, and the file it is in (per_file a file).
        record_files = {}
        records = []
        for d in sorted(docs):
            f = d // per_file
            if f not in record_files:
                record_files[f] = (index / "d" / f"{f}.json").read_bytes()
            parsed = json.loads(record_files[f])
            r = parsed[d % per_file] if isinstance(parsed, list) else parsed
            records.append((d, r, len(json.dumps(r, ensure_ascii=False).encode())))
        records.sort(key=lambda r: r[2], reverse=True)
        fetched, rests = set(), set()
        for d, record, _ in records[:20]:
            fetched.add(d // per_file)
            body = record["body"].lower()
            # A word the query begins, with the 180-char window inside.
            starts = [i for i in range(len(body)) if (i == 0 or not body[i - 1].isalnum())
                      and any(body.startswith(w, i) for w in words)]
            if record.get("more") and not (starts and starts[0] + 180 < len(body)):
                rests.add(d // per_file)
        for folder, files in (("d", fetched), ("b", rests)):
            for f in files:
                data = (index / folder / f"{f}.json").read_bytes()
                raw += len(data)
                size += gz(data)
        rows.append(f"| `{query}` | {raw / 1024:.1f} KB | {size / 1024:.1f} KB | "
                    f"{(size + fixed) / 1024:.1f} KB |")
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--posts", type=int, default=int(os.environ.get("BENCH_SCALE", 10000)))
    ap.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_EXPORT_RUNS", 3)))
    ap.add_argument("--variant", action="append", default=[], type=parse_variant,
                    help="NAME=BIN[,SITE_ROOT]: an export build to time (repeatable; default: this checkout's)")
    args = ap.parse_args()
    variants = args.variant or [("export", BIN, SITE_ROOT)]
    if not BIN.exists() or not (SITE_ROOT / "pkg").is_dir():
        sys.exit("build first: cargo leptos build --release --precompress")
    WORK.mkdir(parents=True, exist_ok=True)
    lines = ["### Static export", ""]
    if args.posts > 0:
        rows, runs_text, splits = scale(args.posts, args.runs, variants)
        lines += [f"{args.posts} generated posts, {args.runs} alternating runs each, each on a quiet disk "
                  f"(median; {runs_text}):", "", *rows, ""]
        lines += [f"Export ({name}) of its median run, wall/CPU s by phase: {split}." for name, split in splits]
        lines += [""]
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
