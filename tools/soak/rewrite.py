#!/usr/bin/env python3
"""Rewrites the soak content folder every INTERVAL seconds until killed.

Usage: rewrite.py DIR [--interval SECONDS] [--once]

`--once` writes generation 1 and exits (the content the server starts
with, and serves unchanged during the soak's steady phase). Each tick G: every managed post is (re)written with the marker `gen-G;` in its
title, summary, heading and body (the `;` ends it, so a snippet cut inside a
marker, `gen-1…` of `gen-100;`, is not taken for another generation); a new
post `soak-new-G` is added and
`soak-new-(G-3)` removed; `soak-rotating` is edited. Files are written beside
their place and renamed in one tight loop, so the folder moves from one
generation to the next in well under the server's 60 ms reload debounce.
A page rendered from one snapshot therefore carries one generation only.
"""
import argparse
import datetime
import os
import time

parser = argparse.ArgumentParser()
parser.add_argument("root")
parser.add_argument("--interval", type=float, default=1.0)
parser.add_argument("--once", action="store_true")
parser.add_argument("--start", type=int, default=0, help="last generation already written")
args = parser.parse_args()
root = args.root
posts = os.path.join(root, "posts")
tmp = os.path.join(root, ".soak-tmp")
os.makedirs(tmp, exist_ok=True)
log = open(os.path.join(root, ".soak-rewrites.log"), "a")


def post(slug, gen, day):
    # In the past (a future date would schedule the post: 404 until then) and
    # newer than the shipped posts, so the soak posts lead the home page.
    date = datetime.date.today() - datetime.timedelta(days=32 - day)
    return f"""---
title: "Soak {slug} gen-{gen};"
date: {date.isoformat()}
tags: [soak]
summary: "Summary of {slug} at gen-{gen};"
---

First paragraph of {slug} at gen-{gen}; :rocket:

## Section gen-{gen};

{"Filler text at gen-%d; " % gen * 40}

```rust
fn gen() -> u32 {{ {gen} }}
```

Last line gen-{gen};
"""


gen = args.start
while True:
    gen += 1
    live = ["rotating"] + [f"new-{g}" for g in range(max(1, gen - 2), gen + 1)]
    staged = []
    for i, name in enumerate(live):
        slug = f"soak-{name}"
        path = os.path.join(tmp, slug + ".tmp")
        with open(path, "w") as f:
            f.write(post(slug, gen, 28 - i))
        staged.append((path, os.path.join(posts, slug + ".md")))
    gone = os.path.join(posts, f"soak-new-{gen - 3}.md")
    # The switch: renames only (atomic each), then one unlink.
    for src, dst in staged:
        os.replace(src, dst)
    if os.path.exists(gone):
        os.unlink(gone)
    log.write(f"{time.time():.3f} gen-{gen} {len(live)} posts\n")
    log.flush()
    if args.once:
        break
    time.sleep(args.interval)
