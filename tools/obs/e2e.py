#!/usr/bin/env python3
"""End-to-end check of deploy/prometheus and deploy/grafana against a real
Prometheus scraping the release server.

1. Starts the release binary on loopback with the shipped configuration
   (LEPTOS_ENV=PROD, JSON access log at info), the content watcher on and
   the metrics listener on its own port (METRICS_ADDR), over a copy of
   content/.
2. Starts Debian's Prometheus on loopback with a config generated from
   deploy/prometheus/prometheus.yml: the `microblog` job's scrape settings
   as they are, with discovery replaced by the loopback target and the
   intervals shortened to 1 s; the rule files from deploy/prometheus/rules.
3. Sends reader traffic (pages, feeds, search, server functions, HEAD, 304,
   static files), hundreds of distinct 404s, and forces a content reload
   failure (deletes a post another post links to).
4. Through Prometheus' HTTP API: every rule is healthy; every recording rule
   returns data (numbers, not NaN); the reload-failure alert is pending or
   firing; every query of every dashboard panel (and the instance variable)
   returns data without error.

Bounded: the whole run must finish within BUDGET seconds. Usage:
    tools/obs/e2e.py [path/to/microblog]   (default target/release/microblog)
"""

import json
import math
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
BUDGET = 55.0
JOB = "microblog"
# Grafana's variables, as Grafana would expand them for a dashboard over
# the last five minutes with the data source's 15 s scrape interval.
GRAFANA_VARS = {"$__rate_interval": "1m", "$__range": "5m", "$__interval": "15s"}

started = time.monotonic()


def left():
    return BUDGET - (time.monotonic() - started)


def log(msg):
    print(f"[{time.monotonic() - started:5.1f}s] {msg}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(url, method="GET", headers=None, timeout=5):
    """(status, headers, body) without raising on 4xx/5xx."""
    req = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def wait_for(what, check, timeout):
    deadline = time.monotonic() + min(timeout, max(left(), 0))
    last = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except (OSError, ValueError) as e:
            last = e
        time.sleep(0.2)
    raise SystemExit(f"FAIL: timed out waiting for {what} ({last})")


def prom_config(deploy_config, rules_dir, target):
    """The deploy config's microblog job, scraping `target` on loopback."""
    job = next(j for j in deploy_config["scrape_configs"] if j["job_name"] == JOB)
    job = {k: v for k, v in job.items() if not k.endswith("_sd_configs") and k != "relabel_configs"}
    job["static_configs"] = [{"targets": [target]}]
    job["scrape_interval"] = "1s"
    job["scrape_timeout"] = "1s"
    return {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(rules_dir / "*.yml")],
        "scrape_configs": [job],
    }


def traffic(base, round_no, pages, misses):
    """Reader traffic over every kind of route: `pages` pages from the
    sitemap (plain, conditional, HEAD), the fixed routes, and `misses`
    distinct unknown URLs of two shapes. Returns the count by status."""
    counts = {}

    def hit(path, method="GET", headers=None):
        status, hdrs, body = http(base + path, method, headers)
        counts[status] = counts.get(status, 0) + 1
        return status, hdrs, body

    _, _, sitemap = hit("/sitemap.xml")
    urls = re.findall(r"<loc>[^<]*?//[^/<]+(/[^<]*)</loc>", sitemap.decode())
    if len(urls) < 5:
        raise SystemExit(f"FAIL: sitemap lists {len(urls)} pages")
    for path in urls[:pages]:
        _, hdrs, _ = hit(path)
        etag = hdrs.get("etag")
        if etag:
            hit(path, headers={"If-None-Match": etag})
        hit(path, method="HEAD")
    for path in ["/", "/about", "/glossary", "/tags", "/emoji", "/feed.xml", "/rss.xml",
                 "/robots.txt", "/search?q=slo", "/glossary?q=kube", "/api/posts?page=1",
                 "/api/search?q=prometheus", "/api/tags", "/healthz", "/readyz",
                 "/favicon.ico"]:
        hit(path, headers={"Accept-Encoding": "br, gzip"})
    _, _, home = hit("/")
    for asset in sorted(set(re.findall(r'(/pkg/[^"\']+\.(?:js|css))', home.decode())))[:3]:
        hit(asset, headers={"Accept-Encoding": "br"})
    for i in range(misses):
        hit(f"/no/such/page-{round_no}-{i}")
        hit(f"/posts/missing-{round_no}-{i}")
    return counts


def query(prom, expr, kind="query"):
    params = {"query": expr}
    if kind == "query_range":
        now = time.time()
        params.update(start=f"{now - 30:.3f}", end=f"{now:.3f}", step="1")
    status, _, body = http(f"{prom}/api/v1/{kind}?" + urllib.parse.urlencode(params))
    data = json.loads(body)
    if status != 200 or data.get("status") != "success":
        return None, data.get("error", f"HTTP {status}")
    return data["data"]["result"], None


def numbers(result):
    """Every sample value in an instant or range result, as floats."""
    out = []
    for series in result:
        if "value" in series:
            out.append(float(series["value"][1]))
        out.extend(float(v) for _, v in series.get("values", []))
    return out


def has_data(result):
    return bool(result) and any(not math.isnan(v) for v in numbers(result))


def panel_queries(dashboard):
    def walk(panels):
        for p in panels:
            yield p
            yield from walk(p.get("panels", []))

    for p in walk(dashboard["panels"]):
        for t in p.get("targets", []):
            yield p["title"], p["type"], t["expr"]


def expand(expr, instance):
    """The query Grafana sends: its variables, and the chosen instance
    regex-escaped inside a PromQL string as Grafana escapes a multi-value
    variable (`127\\.0\\.0\\.1:9090`)."""
    for var, value in GRAFANA_VARS.items():
        expr = expr.replace(var, value)
    escaped = re.sub(r"([$^*{}\[\]'+?.()|])", r"\\\\\1", instance)
    return expr.replace("$instance", escaped)


def main():
    binary = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "target/release/microblog").resolve()
    prometheus = shutil.which("prometheus")
    promtool = shutil.which("promtool")
    if not binary.is_file() or not prometheus or not promtool:
        raise SystemExit(f"FAIL: need {binary}, prometheus and promtool")
    tmp = Path(tempfile.mkdtemp(prefix="microblog-obs-e2e-"))
    procs = []
    ok = False
    try:
        content = tmp / "content"
        shutil.copytree(ROOT / "content", content)
        # Two posts of our own, one linking the other: deleting the target
        # later breaks a page readers are getting, which a reload must never
        # publish (the forced reload failure).
        (content / "posts" / "zz-e2e-target.md").write_text(
            '---\ntitle: "E2E target"\ndate: 2026-01-01\n---\nThe target.\n')
        (content / "posts" / "zz-e2e-linker.md").write_text(
            '---\ntitle: "E2E linker"\ndate: 2026-01-02\n---\n'
            'See [the target]({{< ref "zz-e2e-target.md" >}}).\n')
        site_port, metrics_port, prom_port = free_port(), free_port(), free_port()
        site = f"http://127.0.0.1:{site_port}"
        metrics = f"http://127.0.0.1:{metrics_port}/metrics"
        prom = f"http://127.0.0.1:{prom_port}"
        env = dict(os.environ,
                   LEPTOS_ENV="PROD", LOG_FORMAT="json", RUST_LOG="info",
                   LEPTOS_SITE_ADDR=f"127.0.0.1:{site_port}",
                   METRICS_ADDR=f"127.0.0.1:{metrics_port}",
                   LEPTOS_SITE_ROOT=str(ROOT / "target/site"),
                   LEPTOS_OUTPUT_NAME="microblog",
                   CONTENT_DIR=str(content), CONTENT_WATCH="1",
                   SITE_URL="https://blog.example.com")
        server_log = open(tmp / "server.log", "wb")
        procs.append(subprocess.Popen([str(binary)], env=env, stdout=server_log,
                                      stderr=subprocess.STDOUT, cwd=tmp))
        wait_for("the server's /readyz", lambda: http(site + "/readyz")[0] == 200, 20)
        wait_for("the metrics listener", lambda: http(metrics)[0] == 200, 5)
        log(f"server up: site {site}, metrics {metrics}")

        # Every series exists before the first scrape, so each rate() has
        # two samples as soon as the second round of traffic is scraped.
        counts = traffic(site, 1, pages=10, misses=10)
        log(f"traffic round 1: {sorted(counts.items())}")

        deploy = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text())
        config = prom_config(deploy, ROOT / "deploy/prometheus/rules", f"127.0.0.1:{metrics_port}")
        (tmp / "prometheus.yml").write_text(yaml.safe_dump(config, sort_keys=False))
        check = subprocess.run([promtool, "check", "config", str(tmp / "prometheus.yml")],
                               capture_output=True, text=True)
        if check.returncode != 0:
            raise SystemExit(f"FAIL: promtool check config:\n{check.stdout}{check.stderr}")
        prom_log = open(tmp / "prometheus.log", "wb")
        procs.append(subprocess.Popen(
            [prometheus, f"--config.file={tmp / 'prometheus.yml'}",
             f"--storage.tsdb.path={tmp / 'data'}",
             f"--web.listen-address=127.0.0.1:{prom_port}", "--log.level=warn"],
            stdout=prom_log, stderr=subprocess.STDOUT, cwd=tmp))
        wait_for("Prometheus ready", lambda: http(prom + "/-/ready")[0] == 200, 15)
        up = lambda: (r := query(prom, f'up{{job="{JOB}"}}')[0]) and numbers(r) == [1.0]
        wait_for("the first scrape of the metrics listener", up, 10)
        log(f"Prometheus up on {prom}, scraping the metrics listener")

        counts = traffic(site, 2, pages=10, misses=150)
        log(f"traffic round 2: {sorted(counts.items())}")
        if counts.get(404, 0) < 300:
            raise SystemExit(f"FAIL: expected 300 404s, got {counts}")

        # Delete a post another post links to: the reload is rejected and the
        # last good content stays served.
        (content / "posts" / "zz-e2e-target.md").unlink()
        failing = lambda: re.search(rb"^microblog_content_reload_failing(\{[^}]*\})? 1$",
                                    http(metrics)[2], re.M)
        wait_for("the rejected reload in /metrics", failing, 10)
        log("content reload rejected (microblog_content_reload_failing 1)")
        seen = lambda: has_data(query(prom, f'microblog_content_reload_failures_total{{job="{JOB}"}} > 0')[0])
        wait_for("the reload failure in Prometheus", seen, 10)
        # Two more scrapes and a rule evaluation after the last traffic.
        time.sleep(2.5)

        failures = []
        # Every rule loaded and evaluated without error.
        _, _, body = http(prom + "/api/v1/rules")
        groups = json.loads(body)["data"]["groups"]
        rules = [r for g in groups for r in g["rules"]]
        records = [r for r in rules if r["type"] == "recording"]
        alerts = [r for r in rules if r["type"] == "alerting"]
        files = sorted({Path(g["file"]).name for g in groups})
        log(f"{len(groups)} rule groups from {files}: {len(records)} recording rules, {len(alerts)} alerts")
        if len(files) < 3 or not records or not alerts:
            failures.append(f"rules not loaded: {files}")
        for r in rules:
            if r.get("health") != "ok" or r.get("lastError"):
                failures.append(f"rule {r.get('name')}: health {r.get('health')} {r.get('lastError', '')}")

        # Every recording rule returns numbers.
        for r in records:
            result, err = query(prom, r["name"])
            if err or not has_data(result):
                failures.append(f"recording rule {r['name']}: {err or 'no data'} {result}")
        # The forced failure drives the reload alert (for: 5m, so pending).
        _, _, body = http(prom + "/api/v1/alerts")
        active = {a["labels"]["alertname"]: a["state"] for a in json.loads(body)["data"]["alerts"]}
        if active.get("MicroblogContentReloadFailing") not in ("pending", "firing"):
            failures.append(f"MicroblogContentReloadFailing is not pending: {active}")
        log(f"active alerts: {active}")

        # The dashboard: its instance variable, then every panel query as
        # Grafana would send it (range queries for graphs, instant for stats).
        dashboard = json.loads((ROOT / "deploy/grafana/dashboards/microblog.json").read_text())
        var = next(v for v in dashboard["templating"]["list"] if v["name"] == "instance")
        selector = re.fullmatch(r"label_values\((.+), instance\)", var["definition"]).group(1)
        _, _, body = http(f"{prom}/api/v1/series?" + urllib.parse.urlencode({"match[]": selector}))
        instances = sorted({s["instance"] for s in json.loads(body)["data"]})
        if instances != [f"127.0.0.1:{metrics_port}"]:
            failures.append(f"instance variable: {instances}")
        instance = instances[0] if instances else ".*"
        panels = 0
        for title, kind, expr in panel_queries(dashboard):
            panels += 1
            result, err = query(prom, expand(expr, instance),
                                "query" if kind == "stat" else "query_range")
            if err or not has_data(result):
                failures.append(f"panel {title!r}: {err or 'no data'}: {expand(expr, instance)}")
        log(f"{panels} dashboard queries evaluated")

        series, _ = query(prom, f'count({{job="{JOB}"}})')
        samples, _ = query(prom, f'scrape_samples_scraped{{job="{JOB}"}}')
        log(f"series of job {JOB}: {numbers(series or [])}, samples per scrape: {numbers(samples or [])}")

        if failures:
            print("\n".join(f"FAIL: {f}" for f in failures))
            raise SystemExit(1)
        if left() < 0:
            raise SystemExit(f"FAIL: took {time.monotonic() - started:.1f} s, over the {BUDGET:.0f} s budget")
        ok = True
        log("OK: every rule is healthy, every recording rule and dashboard query returns data")
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
        if ok:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"logs kept in {tmp} (server.log, prometheus.log, prometheus.yml)")


if __name__ == "__main__":
    main()
