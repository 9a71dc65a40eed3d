#!/usr/bin/env python3
"""`make bench`: the release server against an in-memory baseline, in one run.

For each route: start the release binary on loopback, capture the exact bytes
it answers (with a browser's Accept-Encoding), serve those bytes from memory
with `bench_baseline`, and load both with wrk, one after the other. Prints
rps, p50/p99 and the ratio to the baseline, the server's CPU time per request
(from /proc/PID/stat) and its peak RSS (VmHWM), the sizes of what a post page
downloads, and the same server at scale (generated posts). Writes the tables
as Markdown for BENCHMARKS.md.

Ratios matter, absolute numbers do not: the machine is shared and noisy, but
both servers run under the same noise within seconds of each other.

`--variant LABEL=BIN[,K=V…]` (repeated) measures only cached pages, of
several builds at once against nginx and the baseline, in alternating
rounds (`variants.py`): a before/after comparison of a change.
"""

import argparse
import json
import os
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(1, str(ROOT / "tools/bench"))
import client_size  # noqa: E402  (the budget: one place)
SERVER = ROOT / "target/release/microblog"
BASELINE = ROOT / "target/release/examples/bench_baseline"
SITE_ROOT = ROOT / "target/site"
ACCEPT_ENCODING = "gzip, deflate, br"
CLK_TCK = os.sysconf("SC_CLK_TCK")

ROUTES = [
    ("post page", "/posts/observability_lmao"),
    ("home", "/"),
    ("glossary", "/glossary"),
    ("/feed.xml", "/feed.xml"),
    ("search fn", "/api/search?q=terraform"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, encoding: str = ACCEPT_ENCODING):
    req = urllib.request.Request(url, headers={"Accept-Encoding": encoding})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status, dict(r.headers), r.read()


def shipped_env(port: int, **extra: str) -> dict:
    """The server's environment as shipped (production, JSON logs at `info`,
    the access log on) listening on `port`, plus `extra`."""
    env = dict(os.environ,
               LEPTOS_SITE_ADDR=f"127.0.0.1:{port}",
               LEPTOS_SITE_ROOT=str(SITE_ROOT),
               LEPTOS_OUTPUT_NAME="microblog",
               LEPTOS_ENV="PROD",
               LOG_FORMAT="json",
               RUST_LOG="info")
    env.update(extra)
    return env


def stop(proc: subprocess.Popen, timeout: float = 15) -> None:
    """SIGTERM, then SIGKILL if it is still running after `timeout` s."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()


def accepts_within(port: int, seconds: float) -> bool:
    """Whether something accepts TCP connections on `port` within `seconds`."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.02)
    return False


def wait_ready(url: str, proc: subprocess.Popen, timeout: float = 120.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if proc.poll() is not None:
            sys.exit(f"bench: server exited with {proc.returncode}")
        try:
            if fetch(url)[0] == 200:
                return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.02)
    sys.exit(f"bench: {url} not ready after {timeout}s")


def proc_cpu_seconds(pid: int) -> float:
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # utime and stime are fields 14 and 15 (1-based) of the full line.
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def proc_status_kb(pid: int, key: str) -> int:
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def to_ms(value: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s)", value.strip())
    if not m:
        return float("nan")
    n, unit = float(m.group(1)), m.group(2)
    return {"us": n / 1000, "ms": n, "s": n * 1000}[unit]


def wrk(url: str, seconds: int, connections: int, threads: int) -> dict:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
           "-H", f"Accept-Encoding: {ACCEPT_ENCODING}", url]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    p50 = to_ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = to_ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p50": p50, "p99": p99, "requests": total,
            "non2xx": int(bad.group(1)) if bad else 0,
            "errors": errors.group(1) if errors else ""}


def wrk_with_cpu(url: str, args, cpu_seconds) -> tuple[dict, float]:
    """One wrk run against `url`, with the CPU `cpu_seconds()` reports spent
    during it, per request in µs."""
    cpu0 = cpu_seconds()
    stats = wrk(url, args.seconds, args.connections, args.threads)
    cpu1 = cpu_seconds()
    return stats, (cpu1 - cpu0) * 1e6 / max(stats["requests"], 1)


class Server:
    """The release binary with the shipped settings (JSON logs at `info`, the
    per-request access log included). Its stdout goes through a pipe to a
    reader, as under a container runtime; the reader keeps every line except
    the access log in a file (`BENCH_KEEP_ACCESS_LOG=1` keeps those too), so
    a run does not write gigabytes of access log to disk."""

    def __init__(self, content: pathlib.Path, log: pathlib.Path,
                 binary: pathlib.Path | None = None, extra_env: dict | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = shipped_env(self.port,
                          CONTENT_DIR=str(content),
                          CONTENT_WATCH="0",
                          # As shipped (Dockerfile, deploy/): `info`, access log on.
                          RUST_LOG=os.environ.get("BENCH_RUST_LOG", "info"))
        env.update(extra_env or {})
        self.log = log
        self.started = time.monotonic()
        self.proc = subprocess.Popen([str(binary or SERVER)], env=env, cwd=ROOT,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        keep_all = os.environ.get("BENCH_KEEP_ACCESS_LOG") == "1"
        self.reader = subprocess.Popen(
            ["cat"] if keep_all
            else ["grep", "-v", "--line-buffered", '"target":"microblog::access"'],
            stdin=self.proc.stdout, stdout=log.open("w"))
        if self.proc.stdout:
            self.proc.stdout.close()  # the reader owns the pipe now
        self.ready_s = wait_ready(self.base + "/readyz", self.proc)

    def load_ms(self) -> float:
        for line in self.log.read_text().splitlines():
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            fields = rec.get("fields", {})
            if fields.get("message") == "content loaded":
                return float(fields.get("load_ms", "nan"))
        return float("nan")

    def stop(self):
        stop(self.proc)
        self.reader.wait(timeout=15)


# nginx with an access log shaped like ours (one JSON line per request).
NGINX_CONF = """
worker_processes {workers};
daemon off;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
  log_format json escape=json '{{"time":"$time_iso8601","method":"$request_method",'
    '"path":"$request_uri","status":$status,"latency_s":$request_time,"request_id":"$request_id"}}';
  access_log {work}/nginx-access.log json;
  keepalive_requests 1000000;
  server {{
    listen 127.0.0.1:{port};
{locations}
  }}
}}
"""


def nginx_compares(path: str) -> bool:
    """Whether nginx is compared on `path`: pages, not the search answers
    (a static host has no search API to serve)."""
    return not path.startswith("/api/")


def start_nginx(manifest: pathlib.Path, work: pathlib.Path):
    """nginx serving the captured bytes of each route from disk, with their
    Content-Type and Content-Encoding: what a static host would do with
    precompressed pages. `None` when nginx is not installed."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not pathlib.Path(nginx).exists():
        return None
    locations = []
    for i, line in enumerate(manifest.read_text().splitlines()):
        path, ctype, enc, file = line.split("\t")
        extra = f"add_header Content-Encoding {enc}; add_header Vary Accept-Encoding;" if enc != "-" else ""
        locations.append(f"    location = {path} {{ rewrite ^ /_body{i} last; }}\n"
                         f"    location = /_body{i} {{ internal; alias {file}; "
                         f"default_type \"{ctype}\"; {extra} }}")
    port = free_port()
    conf = work / "nginx.conf"
    conf.write_text(NGINX_CONF.format(workers=os.cpu_count() or 2, work=work, port=port,
                                      locations="\n".join(locations)))
    # nginx started as root serves as `nobody`: the bodies (in a 0700 temp
    # folder) must be readable by it, or every answer is a 403 page.
    work.chmod(0o755)
    for line in manifest.read_text().splitlines():
        pathlib.Path(line.split("\t")[3]).chmod(0o644)
    proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(work)],
                            stdout=(work / "nginx.log").open("w"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    if not accepts_within(port, 30):
        proc.kill()
        return None
    # The comparison is only meaningful if nginx sends the same bytes (for
    # the routes it is compared on: `location =` does not see query strings).
    for line in manifest.read_text().splitlines():
        path, _, _, file = line.split("\t")
        if not nginx_compares(path):
            continue
        try:
            status, _, body = fetch(base + path)
        except OSError as e:
            status, body = getattr(e, "code", e), b""
        if status != 200 or body != pathlib.Path(file).read_bytes():
            proc.kill()
            sys.exit(f"bench: nginx answered {path} with {status}, not the captured bytes "
                     f"(see {work}/nginx-error.log)")
    return proc, base


def tree_cpu_seconds(pid: int) -> float:
    """CPU of a process and its children (nginx's master and workers)."""
    total = proc_cpu_seconds(pid)
    for child in pathlib.Path("/proc").glob("[0-9]*"):
        try:
            stat = (child / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat[1]) == pid:
            total += proc_cpu_seconds(int(child.name))
    return total


def start_baseline(manifest: pathlib.Path, log: pathlib.Path):
    port = free_port()
    proc = subprocess.Popen([str(BASELINE), f"127.0.0.1:{port}", str(manifest)],
                            stdout=log.open("w"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    if accepts_within(port, 30):
        return proc, base
    sys.exit("bench: baseline did not start")


def capture(server: Server, routes, work: pathlib.Path) -> pathlib.Path:
    lines = []
    for i, (_, path) in enumerate(routes):
        fetch(server.base + path)  # warm: render and cache
        status, headers, body = fetch(server.base + path)
        if status != 200:
            sys.exit(f"bench: {path} answered {status}")
        f = work / f"body{i}"
        f.write_bytes(body)
        lines.append("\t".join([path, headers.get("Content-Type", "text/plain"),
                                headers.get("Content-Encoding", "-"), str(f)]))
    manifest = work / "manifest.tsv"
    manifest.write_text("\n".join(lines) + "\n")
    return manifest


def asset_sizes(server: Server, post_path: str):
    """Raw, gzip and brotli sizes of the /pkg files a post page loads."""
    _, _, html = fetch(server.base + post_path, encoding="identity")
    names = sorted(set(re.findall(r"/pkg/[\w.\-]+", html.decode())))
    # The loader imports the .js; the .js fetches the .wasm by the same stem
    # and imports the `__wasm_split` loader. The lazy chunks (`split_*`,
    # `chunk_*`) are fetched only by pages with a lazy island: not counted.
    for js in [n for n in names if n.endswith(".js")]:
        stem = pathlib.Path(js).name.split(".")[0]
        for f in (SITE_ROOT / "pkg").iterdir():
            loaded = (f.name.startswith(stem + ".") and f.suffix == ".wasm") or (
                f.name.startswith("__wasm_split.") and f.suffix == ".js")
            if loaded and f"/pkg/{f.name}" not in names:
                names.append(f"/pkg/{f.name}")
    rows = []
    for name in names:
        f = SITE_ROOT / name.lstrip("/")
        if not f.exists():
            continue
        size = lambda p: p.stat().st_size if p.exists() else 0
        rows.append((f.name, size(f), size(f.with_name(f.name + ".gz")),
                     size(f.with_name(f.name + ".br"))))
    return rows


def _nginx_table(server: Server, nginx, args) -> str:
    """The cached routes against nginx serving the same bytes, both with an
    access log on, side by side: rps and CPU per request."""
    proc, base = nginx
    rows = ["\nCached pages against nginx (Debian `nginx-light`, same bytes from disk, "
            "JSON access log) — both with their access log on:\n",
            "| route | rps | CPU µs/req | nginx rps | nginx CPU µs/req | CPU ratio |",
            "|---|---:|---:|---:|---:|---:|"]
    for name, path in ROUTES:
        if not nginx_compares(path):
            continue
        s, ours = wrk_with_cpu(server.base + path, args,
                               lambda: proc_cpu_seconds(server.proc.pid))
        n, theirs = wrk_with_cpu(base + path, args, lambda: tree_cpu_seconds(proc.pid))
        row = (f"| {name} | {s['rps']:.0f} | {ours:.1f} | {n['rps']:.0f} | {theirs:.1f} | "
               f"{ours / theirs if theirs else float('nan'):.2f}× |")
        rows.append(row)
        print(row, flush=True)
    return "\n".join(rows) + "\n"


def fmt_ms(v: float) -> str:
    return f"{v:.2f}"


def compare_variants(args) -> None:
    """`--variant`: the cached-page comparison of several builds, nothing else."""
    import variants
    chosen = [variants.parse_variant(v) for v in args.variant]
    for b in [BASELINE] + [v[1] for v in chosen]:
        if not b.exists():
            sys.exit(f"bench: {b} missing")
    names = args.route or ["post page"]
    routes = [(n, p) for n, p in ROUTES if n in names]
    if len(routes) != len(names):
        sys.exit(f"bench: --route takes {', '.join(n for n, _ in ROUTES)}")
    work = pathlib.Path(tempfile.mkdtemp(prefix="microblog-bench-variants-"))
    print(f"wrk -t{args.threads} -c{args.connections} -d{args.seconds}s, "
          f"Accept-Encoding: {ACCEPT_ENCODING}, {args.rounds} rounds")
    md = variants.run(chosen, routes, args.rounds, args, work)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(md) + "\n")
    print(f"\nMarkdown rows written to {args.out}")
    shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description="microblog benchmark")
    ap.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", 10)))
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--scale", type=int, default=int(os.environ.get("BENCH_SCALE", 10000)),
                    help="generated posts for the scale run (0: skip)")
    ap.add_argument("--out", type=pathlib.Path, default=ROOT / "target/bench/results.md")
    ap.add_argument("--variant", action="append", default=[], metavar="LABEL=BIN[,K=V…]",
                    help="compare server builds on cached pages only (tools/bench/variants.py): "
                         "each against nginx and the baseline, in alternating order")
    ap.add_argument("--rounds", type=int, default=4, help="rounds of --variant runs")
    ap.add_argument("--route", action="append", default=[],
                    help="routes for --variant runs, by name (default: post page)")
    args = ap.parse_args()
    if args.variant:
        return compare_variants(args)
    for b in (SERVER, BASELINE):
        if not b.exists():
            sys.exit(f"bench: {b} missing (make bench builds it)")
    if not shutil.which("wrk"):
        sys.exit("bench: wrk not found (apt-get install wrk)")

    work = pathlib.Path(tempfile.mkdtemp(prefix="microblog-bench-"))
    md = []
    cpu = pathlib.Path("/proc/cpuinfo").read_text()
    model = re.search(r"model name\s*:\s*(.*)", cpu)
    machine = (f"{model.group(1) if model else 'unknown CPU'}, {os.cpu_count()} cores, "
               f"{os.uname().sysname} {os.uname().release}")
    print(f"machine: {machine}")
    md.append(f"Machine: {machine}. wrk -t{args.threads} -c{args.connections} "
              f"-d{args.seconds}s, Accept-Encoding: {ACCEPT_ENCODING}.\n")

    server = Server(ROOT / "content", work / "server.log")
    try:
        manifest = capture(server, ROUTES, work)
        baseline, base_url = start_baseline(manifest, work / "baseline.log")
        nginx = start_nginx(manifest, work)
        try:
            header = ("| route | rps | p50 ms | p99 ms | baseline rps | baseline p50 | "
                      "baseline p99 | rps ratio | p99 ratio | CPU µs/req | baseline CPU µs/req |")
            md += [header, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
            print(header)
            for name, path in ROUTES:
                s, cpu_us = wrk_with_cpu(server.base + path, args,
                                         lambda: proc_cpu_seconds(server.proc.pid))
                b, bcpu_us = wrk_with_cpu(base_url + path, args,
                                          lambda: proc_cpu_seconds(baseline.pid))
                row = (f"| {name} | {s['rps']:.0f} | {fmt_ms(s['p50'])} | {fmt_ms(s['p99'])} | "
                       f"{b['rps']:.0f} | {fmt_ms(b['p50'])} | {fmt_ms(b['p99'])} | "
                       f"{s['rps'] / b['rps']:.2f}× | {s['p99'] / b['p99']:.2f}× | {cpu_us:.0f} | {bcpu_us:.0f} |")
                if s["non2xx"] or s["errors"]:
                    row += f" non-2xx {s['non2xx']} {s['errors']}"
                md.append(row)
                print(row, flush=True)
            peak = proc_status_kb(server.proc.pid, "VmHWM") / 1024
            md.append(f"\nServer peak RSS: {peak:.0f} MB.\n")
            print(f"server peak RSS: {peak:.0f} MB")
            if nginx:
                md.append(_nginx_table(server, nginx, args))
            else:
                md.append("\nnginx not installed (apt-get install nginx-light): no nginx comparison.\n")
        finally:
            baseline.terminate()
            baseline.wait()
            if nginx:
                nginx[0].terminate()
                nginx[0].wait()

        rows = asset_sizes(server, ROUTES[0][1])
        md += ["| post page downloads | raw KB | gzip KB | brotli KB |", "|---|---:|---:|---:|"]
        print("\nasset (post page)            raw KB   gzip KB   br KB")
        for name, raw, gz, br in rows:
            md.append(f"| {name} | {raw / 1024:.1f} | {gz / 1024:.1f} | {br / 1024:.1f} |")
            print(f"{name:<28} {raw / 1024:7.1f} {gz / 1024:9.1f} {br / 1024:7.1f}")
        code = [r for r in rows if r[0].endswith((".wasm", ".js"))]
        br_total = sum(r[3] for r in code) / 1024
        md.append(f"\nWASM + JS, brotli: **{br_total:.1f} KB** (target and `make check-size` budget: "
                  f"{client_size.BUDGET:,} B).\n")
        print(f"WASM + JS brotli: {br_total:.1f} KB (target 100 KB)")
    finally:
        server.stop()

    if args.scale > 0:
        content = work / f"content-{args.scale}"
        subprocess.run([sys.executable, str(ROOT / "tools/bench/gen_posts.py"),
                        str(args.scale), str(content)], check=True)
        big = Server(content, work / "server-scale.log")
        try:
            rss_loaded = proc_status_kb(big.proc.pid, "VmRSS") / 1024
            print(f"\n{args.scale} posts: load {big.load_ms():.0f} ms (ready after "
                  f"{big.ready_s:.2f} s), RSS {rss_loaded:.0f} MB")
            md.append(f"{args.scale} generated posts: content load **{big.load_ms():.0f} ms** "
                      f"(process ready after {big.ready_s:.2f} s), RSS after load "
                      f"**{rss_loaded:.0f} MB**.\n")
            md += ["| route at scale | connections | rps | p50 ms | p99 ms |",
                   "|---|---:|---:|---:|---:|"]
            scale_routes = [("home", "/"), ("page 500", "/page/500"),
                            ("post page", "/posts/post-04242"),
                            ("search fn (common words)", "/api/search?q=terraform%20rollback"),
                            ("search fn (rare word)", "/api/search?q=gke"),
                            ("search page", "/search?q=terraform")]
            for name, path in scale_routes:
                fetch(big.base + path)
                for c in (1, args.connections):
                    r = wrk(big.base + path, max(3, args.seconds // 2), c, min(c, args.threads))
                    row = f"| {name} | {c} | {r['rps']:.0f} | {fmt_ms(r['p50'])} | {fmt_ms(r['p99'])} |"
                    md.append(row)
                    print(row, flush=True)
            peak = proc_status_kb(big.proc.pid, "VmHWM") / 1024
            md.append(f"\nPeak RSS at scale: **{peak:.0f} MB**.\n")
            print(f"peak RSS at scale: {peak:.0f} MB")
        finally:
            big.stop()

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(md) + "\n")
    print(f"\nMarkdown rows written to {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
