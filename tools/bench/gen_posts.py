#!/usr/bin/env python3
"""Write N realistic posts into a content folder, for `make bench` at scale.

Each post has YAML front matter (title, date, tags, summary), headings, prose
with emoji shortcodes, lists, a table now and then, fenced code in the
languages the blog uses, and `{{< ref >}}` links to earlier posts. The shipped
glossary is copied alongside (the About page is not: it links to the shipped
posts, which are not there).

Prose is drawn from a real vocabulary, as search sees a real blog: English
and Spanish words (Debian's `wamerican` and `wspanish` word lists, at least
50,000 distinct words in all), Zipf-distributed (the k-th most common word
is about k times rarer than the first), with the blog's own jargon as the
most common words. About a third of the posts are in Spanish (`lang: es`).
Post lengths follow the shipped posts: a log-normal around 1,000 words,
from 200 to 3,000.

Deterministic: the same N and seed give the same files.

    gen_posts.py N DIR [--seed S]
"""

import argparse
import datetime
import itertools
import math
import pathlib
import random
import shutil
import sys

WORDS = (
    "cluster node pod deployment service ingress latency throughput budget "
    "error alert page runbook incident postmortem toil automation pipeline "
    "artifact registry image container kernel cgroup namespace network "
    "packet retry timeout backoff queue worker shard replica leader quorum "
    "consensus snapshot backup restore terraform module state provider "
    "ansible playbook inventory role handler python rust async tokio future "
    "model feature training inference drift dataset metric histogram trace "
    "span log sampling cardinality dashboard observability reliability "
    "capacity autoscaling cost region zone failover canary rollout rollback "
    "configuración despliegue fiabilidad observabilidad métricas señal "
    "the a of to and in is that for on with as it be by this are or from"
).split()

TAGS = [
    "sre", "devops", "mlops", "rust", "python", "terraform", "kubernetes",
    "nomad", "ansible", "observability", "prometheus", "grafana", "aws", "gcp",
    "azure", "linux", "networking", "security", "ci", "cd", "docker", "helm",
    "postgres", "redis", "kafka", "incident", "oncall", "slo", "cost",
    "tracing", "logging", "testing", "performance", "leptos", "wasm", "go",
    "bash", "git", "nix", "serverless",
]

EMOJI = [":rocket:", ":fire:", ":+1:", ":tada:", ":warning:", ":bug:",
         ":sparkles:", ":t-rex:", ":shipit:", ":white_check_mark:", ":zap:"]

CODE = {
    "rust": 'use std::time::Duration;\n\nasync fn retry<F, T>(mut f: F) -> Result<T, Error>\nwhere\n    F: FnMut() -> Result<T, Error>,\n{\n    for attempt in 0..5 {\n        match f() {\n            Ok(v) => return Ok(v),\n            Err(e) if attempt < 4 => {\n                tokio::time::sleep(Duration::from_millis(100 << attempt)).await;\n                tracing::warn!(%e, attempt, "retrying");\n            }\n            Err(e) => return Err(e),\n        }\n    }\n    unreachable!()\n}\n',
    "python": 'import asyncio\nimport httpx\n\nasync def fetch_all(urls: list[str]) -> list[int]:\n    """Fetch every URL concurrently, return the status codes."""\n    async with httpx.AsyncClient(timeout=5.0) as client:\n        responses = await asyncio.gather(*(client.get(u) for u in urls))\n    return [r.status_code for r in responses]\n\nif __name__ == "__main__":\n    print(asyncio.run(fetch_all(["https://example.com"] * 3)))\n',
    "yaml": 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  labels: {app: api}\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n        - name: api\n          image: registry.example.com/api:1.4.2\n          resources:\n            requests: {cpu: 250m, memory: 256Mi}\n          readinessProbe:\n            httpGet: {path: /readyz, port: 8080}\n',
    "bash": '#!/usr/bin/env bash\nset -euo pipefail\nfor host in $(cat hosts.txt); do\n  ssh "$host" "sudo systemctl restart node-exporter" \\\n    && echo "ok $host" || echo "FAILED $host" >&2\ndone\n',
    "hcl": 'resource "google_container_cluster" "primary" {\n  name     = "private-gke"\n  location = var.region\n  private_cluster_config {\n    enable_private_nodes    = true\n    enable_private_endpoint = false\n    master_ipv4_cidr_block  = "172.16.0.0/28"\n  }\n  release_channel { channel = "REGULAR" }\n}\n',
    "promql": 'sum(rate(http_requests_total{status=~"5.."}[5m]))\n  / sum(rate(http_requests_total[5m])) > 0.01\n',
}


DICTS = {"en": "/usr/share/dict/american-english", "es": "/usr/share/dict/spanish"}
# Distinct words taken from each list (together well over 50,000).
PER_LANGUAGE = {"en": 40_000, "es": 30_000}
ZIPF_S = 1.0


class Vocabulary:
    """One language's words by rank, sampled with Zipf weights."""

    def __init__(self, lang: str, rng: random.Random):
        path = pathlib.Path(DICTS[lang])
        if not path.exists():
            sys.exit(f"gen_posts.py: {path} missing: apt-get install wamerican wspanish")
        words = sorted({
            w.strip().lower() for w in path.read_text(encoding="utf-8", errors="ignore").split("\n")
            if w.strip().isalpha() and len(w.strip()) > 1
        })
        rng.shuffle(words)
        jargon = [w for w in WORDS if w not in words]
        self.words = jargon + words[:PER_LANGUAGE[lang]]
        self.cum = list(itertools.accumulate(1 / (r + 1) ** ZIPF_S for r in range(len(self.words))))

    def draw(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cum, k=k)


VOCAB: dict[str, Vocabulary] = {}


def sentence(rng: random.Random, lang: str = "en") -> str:
    n = rng.randint(8, 20)
    words = VOCAB[lang].draw(rng, n)
    if rng.random() < 0.15:
        words.insert(rng.randrange(len(words)), rng.choice(EMOJI))
    if rng.random() < 0.1:
        words.insert(rng.randrange(len(words)), f"`{rng.choice(WORDS)}_{rng.randint(1, 99)}`")
    s = " ".join(words)
    return s[0].upper() + s[1:] + "."


def paragraph(rng: random.Random, lang: str = "en") -> str:
    return " ".join(sentence(rng, lang) for _ in range(rng.randint(3, 6)))


def post(i: int, n: int, rng: random.Random, start: datetime.date) -> str:
    lang = "es" if rng.random() < 0.33 else "en"
    target = min(3000, max(200, int(rng.lognormvariate(math.log(1000), 0.45))))
    title = " ".join(VOCAB[lang].draw(rng, rng.randint(3, 7))).capitalize()
    tags = rng.sample(TAGS, rng.randint(1, 4))
    date = start + datetime.timedelta(days=i // 3)
    out = [
        "---",
        f'title: "{title} #{i}"',
        f"date: {date.isoformat()}",
        f"tags: [{', '.join(tags)}]",
        f'summary: "{sentence(rng, lang)}"',
        f"lang: {lang}",
        "---",
        "",
        paragraph(rng, lang),
        "",
        "<!--more-->",
        "",
    ]
    s = 0
    while len(" ".join(out).split()) < target:
        heading = " ".join(VOCAB[lang].draw(rng, 2)).capitalize()
        out += [f"## {heading} {s}", ""]
        out += [paragraph(rng, lang), ""]
        s += 1
        if rng.random() < 0.5:
            code = rng.choice(list(CODE))
            out += [f"```{code}", CODE[code].rstrip("\n"), "```", ""]
        if rng.random() < 0.5:
            out += [f"- {sentence(rng, lang)}" for _ in range(rng.randint(2, 5))] + [""]
        if i > 0 and rng.random() < 0.5:
            j = rng.randrange(max(0, i - 50), i)
            out += [f'See also [an earlier note]({{{{< ref "post-{j:05d}.md" >}}}}).', ""]
        if rng.random() < 0.15:
            out += ["| metric | before | after |", "|---|---|---|",
                    f"| p99 | {rng.randint(100, 900)} ms | {rng.randint(10, 99)} ms |", ""]
        out += [paragraph(rng, lang), ""]
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("dir", type=pathlib.Path)
    ap.add_argument("--seed", type=int, default=9)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    for lang in DICTS:
        VOCAB[lang] = Vocabulary(lang, random.Random(args.seed))
    posts = args.dir / "posts"
    posts.mkdir(parents=True, exist_ok=True)
    start = datetime.date(2000, 1, 1)
    for i in range(args.n):
        (posts / f"post-{i:05d}.md").write_text(post(i, args.n, rng, start), encoding="utf-8")
    shipped = pathlib.Path(__file__).resolve().parents[2] / "content"
    for page in ("glossary.md",):
        if (shipped / page).exists():
            shutil.copy(shipped / page, args.dir / page)
    total = sum(p.stat().st_size for p in posts.iterdir())
    vocab = sum(len(v.words) for v in VOCAB.values())
    print(f"wrote {args.n} posts ({total / 1e6:.1f} MB of Markdown, vocabulary {vocab} words) to {args.dir}")


if __name__ == "__main__":
    main()
