#!/usr/bin/env python3
"""`make validate-html`: every page of the release build through the W3C Nu
HTML Checker (npm `vnu-jar`, run with Debian's Java). Fails on any error.

Starts the release binary in its production configuration on HTML_PORT
(3600), reads the pages to check from its own /sitemap.xml, adds what the
sitemap does not list (the 404 page, /search with and without a query, the
filtered glossary and emoji views), saves each body under
target/validate-html/ and checks them in one run of the checker. Each error
prints as `URL:line:col: message` with the offending extract.

Messages the checker may ignore are listed in IGNORED below, each with the
framework issue it comes from (ARCHITECTURE.md, "Valid HTML"); there are
none today.
"""
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

PORT = os.environ.get("HTML_PORT", "3600")
BASE = f"http://127.0.0.1:{PORT}"
BIN = Path(os.environ.get("VALIDATE_BIN", "target/release/microblog"))
VNU = Path("tools/node_modules/vnu-jar/build/dist/vnu.jar")
OUT = Path("target/validate-html")

# Pages the sitemap does not list, with the status each must answer.
EXTRA = [
    ("/no-such-page", 404),
    ("/search?q=terraform", 200),
    ("/search", 200),
    ("/glossary?q=kube", 200),
    ("/emoji", 200),
    ("/emoji?q=rocket", 200),
]

# Exact checker messages to ignore, each a framework artefact that cannot be
# removed (see ARCHITECTURE.md). Empty: every page is valid.
IGNORED: list[str] = []


def fetch(path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(BASE + path, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def wait_ready(server: subprocess.Popen) -> None:
    deadline = time.time() + 60
    while time.time() < deadline:
        if server.poll() is not None:
            sys.exit(f"{BIN} exited with {server.returncode} before answering")
        try:
            if fetch("/readyz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit(f"{BIN} did not answer on {BASE} within 60 s")


def sitemap_paths() -> list[str]:
    status, body = fetch("/sitemap.xml")
    if status != 200:
        sys.exit(f"/sitemap.xml answered {status}")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [loc.text or "" for loc in ET.fromstring(body).findall("s:url/s:loc", ns)]
    if not locs:
        sys.exit("/sitemap.xml lists no pages")
    return [loc.removeprefix(BASE) or "/" for loc in locs]


def file_name(path: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", path.strip("/")) or "index"
    return name + ".html"


def main() -> int:
    if not BIN.is_file():
        print(f"{BIN}: missing; run 'cargo leptos build --release --precompress' first", file=sys.stderr)
        return 1
    if not VNU.is_file():
        print(f"{VNU}: missing; run 'make install-npm'", file=sys.stderr)
        return 1
    env = dict(
        os.environ,
        LEPTOS_SITE_ADDR=f"127.0.0.1:{PORT}",
        LEPTOS_SITE_ROOT="target/site",
        LEPTOS_OUTPUT_NAME="microblog",
        LEPTOS_ENV="PROD",
        SITE_URL=BASE,
        CONTENT_DIR="content",
        LOG_FORMAT="json",
        RUST_LOG="warn",
    )
    server = subprocess.Popen([str(BIN)], env=env, stdout=subprocess.DEVNULL)
    try:
        wait_ready(server)
        pages = [(p, 200) for p in sitemap_paths()]
        pages += [e for e in EXTRA if e[0] not in {p for p, _ in pages}]
        OUT.mkdir(parents=True, exist_ok=True)
        for old in OUT.glob("*.html"):
            old.unlink()
        files: dict[str, str] = {}
        for path, expected in pages:
            status, body = fetch(path)
            if status != expected:
                print(f"{path}: answered {status}, expected {expected}", file=sys.stderr)
                return 1
            target = OUT / file_name(path)
            target.write_bytes(body)
            files[target.resolve().as_uri()] = path
    finally:
        server.terminate()
        server.wait(timeout=15)

    run = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *[str(OUT / file_name(p)) for p, _ in pages]],
        capture_output=True,
        text=True,
    )
    # vnu writes its JSON report to stderr, and exits 1 when it found errors.
    try:
        report = json.loads(run.stderr)
    except json.JSONDecodeError:
        print(f"the checker did not report (exit {run.returncode}):\n{run.stderr}{run.stdout}", file=sys.stderr)
        return 1
    errors, ignored = [], 0
    for m in report.get("messages", []):
        if m.get("type") not in ("error", "non-document-error") and m.get("subType") != "fatal":
            continue
        if m.get("message") in IGNORED:
            ignored += 1
            continue
        url = files.get(m.get("url", ""), m.get("url", "?"))
        extract = (m.get("extract") or "").replace("\n", "⏎")
        errors.append(f"{url}:{m.get('lastLine', '?')}:{m.get('firstColumn', '?')}: {m.get('message')}\n    {extract}")
    for e in errors:
        print(e)
    summary = f"Nu HTML Checker: {len(pages)} pages, {len(errors)} errors"
    if ignored:
        summary += f", {ignored} ignored (listed in tools/validate_html.py)"
    print(summary)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
