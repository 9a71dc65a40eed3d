"""`bench.py --variant`: cached pages of several server builds against nginx
and the in-memory baseline, in one run, in alternating order.

One server build against nginx is noisy on a shared machine: a change worth
a few per cent of CPU per request hides in the spread between runs. Here
every build runs at once (idle until loaded), nginx and `bench_baseline`
serve the bytes the first build answered, and each round loads every target
once, the order rotated by one each round, so no build always goes first or
last. A build's figure is its CPU per request over nginx's (and the
baseline's) in the same round; the summary takes the median over rounds.
"""

import statistics

import bench


def parse_variant(text: str):
    """`LABEL=BIN[,KEY=VALUE…]`: a server binary and extra environment (as in
    `search_bench.py`)."""
    label, _, rest = text.partition("=")
    binary, *env = rest.split(",")
    return label, bench.pathlib.Path(binary), dict(e.split("=", 1) for e in env if e)


def run(variants, routes, rounds: int, args, work) -> list[str]:
    """Loads each of `routes` on every variant, nginx and the baseline,
    `rounds` times; returns the Markdown rows."""
    servers = []
    try:
        for label, binary, env in variants:
            servers.append((label, binary, env,
                            bench.Server(bench.ROOT / "content", work / f"server-{label}.log",
                                         binary=binary, extra_env=env)))
        manifest = bench.capture(servers[0][3], routes, work)
        baseline, base_url = bench.start_baseline(manifest, work / "baseline.log")
        nginx = bench.start_nginx(manifest, work)
        if nginx is None:
            raise SystemExit("bench: --variant compares with nginx: apt-get install nginx-light")
        try:
            targets = [(label, srv.base, (lambda p=srv.proc.pid: bench.proc_cpu_seconds(p)))
                       for label, _, _, srv in servers]
            targets.append(("nginx", nginx[1], lambda: bench.tree_cpu_seconds(nginx[0].pid)))
            targets.append(("baseline", base_url,
                            lambda: bench.proc_cpu_seconds(baseline.pid)))
            return _rounds(targets, [l for l, _, _, _ in servers], routes, rounds, args)
        finally:
            baseline.terminate()
            baseline.wait()
            nginx[0].terminate()
            nginx[0].wait()
    finally:
        for *_, srv in servers:
            srv.stop()


def _rounds(targets, labels, routes, rounds, args) -> list[str]:
    md = ["| round | route | build | rps | CPU µs/req | nginx CPU µs/req | CPU / nginx | "
          "baseline CPU µs/req | CPU / baseline |",
          "|---:|---|---|---:|---:|---:|---:|---:|---:|"]
    print(md[0], flush=True)
    ratios = {(name, label): ([], []) for name, _ in routes for label in labels}
    for r in range(rounds):
        order = targets[r % len(targets):] + targets[:r % len(targets)]
        for name, path in routes:
            cpu, rps = {}, {}
            for label, base, cpu_seconds in order:
                stats, us = bench.wrk_with_cpu(base + path, args, cpu_seconds)
                if stats["non2xx"] or stats["errors"]:
                    print(f"  {label}: non-2xx {stats['non2xx']} {stats['errors']}")
                cpu[label], rps[label] = us, stats["rps"]
            for label in labels:
                to_nginx = cpu[label] / cpu["nginx"]
                to_base = cpu[label] / cpu["baseline"]
                ratios[(name, label)][0].append(to_nginx)
                ratios[(name, label)][1].append(to_base)
                row = (f"| {r + 1} | {name} | {label} | {rps[label]:.0f} | {cpu[label]:.2f} | "
                       f"{cpu['nginx']:.2f} | {to_nginx:.2f}× | {cpu['baseline']:.2f} | "
                       f"{to_base:.2f}× |")
                md.append(row)
                print(row, flush=True)
    md += ["", "| route | build | median CPU / nginx | range | median CPU / baseline | range |",
           "|---|---|---:|---|---:|---|"]
    for (name, label), (n, b) in ratios.items():
        row = (f"| {name} | {label} | **{statistics.median(n):.2f}×** | "
               f"{min(n):.2f}–{max(n):.2f} | {statistics.median(b):.2f}× | "
               f"{min(b):.2f}–{max(b):.2f} |")
        md.append(row)
        print(row, flush=True)
    return md
