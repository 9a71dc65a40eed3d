#!/usr/bin/env bash
# Soak test: the release server under wrk (SOAK_CONNECTIONS connections for
# SOAK_SECONDS) while tools/soak/rewrite.py rewrites its content folder every
# second. Pass: 0 socket errors, 0 5xx, every 200 page complete and of one
# snapshot (checked per response by tools/soak/check.lua), RSS after warm-up
# within 10 %. Prints the figures and keeps them in target/soak/report.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${SOAK_SECONDS:-60}
connections=${SOAK_CONNECTIONS:-256}
threads=${SOAK_THREADS:-2}
warmup=${SOAK_WARMUP:-10}
port=${SOAK_PORT:-3198}
bin=target/release/microblog
out=target/soak
[ -x "$bin" ] || { echo "no $bin: run 'make build' first" >&2; exit 2; }

rm -rf "$out"
mkdir -p "$out"
content="$out/content"
cp -r content "$content"

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

# A generation is on disk before the server starts.
nice -n -5 python3 tools/soak/rewrite.py "$content" &
pids+=($!)
sleep 1.5

ulimit -n 65536 2>/dev/null || true
LEPTOS_SITE_ADDR=127.0.0.1:$port LEPTOS_SITE_ROOT=target/site LEPTOS_OUTPUT_NAME=microblog \
  LEPTOS_ENV=PROD CONTENT_DIR="$content" CONTENT_WATCH=1 RUST_LOG=warn,microblog::server::watch=info LOG_FORMAT=json \
  "$bin" >"$out/server.log" 2>&1 &
server=$!
pids+=("$server")
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.1
done

# RSS once a second: "seconds_since_start rss_kib".
(
  start=$(date +%s)
  while kill -0 "$server" 2>/dev/null; do
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$server/status" 2>/dev/null || true)
    [ -n "$rss" ] && echo "$(( $(date +%s) - start )) $rss"
    sleep 1
  done
) >"$out/rss.txt" &
pids+=($!)

SOAK_OUT="$out" wrk -t"$threads" -c"$connections" -d"${seconds}s" --timeout 10s --latency \
  -s tools/soak/check.lua "http://127.0.0.1:$port" | tee "$out/wrk.txt"

alive=yes
kill -0 "$server" 2>/dev/null || alive=no
generations=$(wc -l <"$content/.soak-rewrites.log")
reloads=$(grep -c 'content reloaded' "$out/server.log" || true)
rejected=$(grep -c 'reload rejected\|reload failed' "$out/server.log" || true)
result=$(grep '^soak-result ' "$out/wrk.txt" | sed 's/^soak-result //')

status=0
python3 - "$result" "$out/rss.txt" "$warmup" "$alive" "$generations" "$seconds" "$connections" "$reloads" "$rejected" >"$out/report.txt" <<'PY' || status=$?
import json, sys
r = json.loads(sys.argv[1])
rss = [tuple(map(int, l.split())) for l in open(sys.argv[2]) if l.strip()]
warmup, alive, gens = int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
after = [kib for t, kib in rss if t >= warmup]
base = after[0] if after else 0
peak = max(after) if after else 0
last = after[-1] if after else 0
growth = (peak - base) / base * 100 if base else float("inf")
errors = sum(r["socket_errors"][k] for k in ("connect", "read", "write", "timeout"))
checks = {
    "0 socket errors": errors == 0,
    "0 5xx": r["5xx"] == 0,
    "every 200 HTML page complete": r["html_incomplete"] == 0,
    "every 200 body of one snapshot": r["mixed_snapshot"] == 0,
    f"RSS within 10 % after {warmup} s warm-up": growth <= 10,
    "server alive at the end": alive == "yes",
}
print(f"soak: {sys.argv[7]} connections for {sys.argv[6]} s, content rewritten {gens} times; "
      f"server reloads {sys.argv[8]}, rejected (a file vanished mid-load; last good site kept) {sys.argv[9]}")
print(f"requests {r['requests']} ({r['requests'] / int(sys.argv[6]):.0f}/s): 2xx {r['2xx']}, 3xx {r['3xx']}, 4xx {r['4xx']}, 5xx {r['5xx']}")
print(f"socket errors: {r['socket_errors']}")
print(f"latency p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, max {r['max_ms']:.1f} ms")
print(f"bodies checked for one snapshot: {r['bodies_with_markers']}; mixed {r['mixed_snapshot']}; incomplete pages {r['html_incomplete']} {r['first_bad']}")
print(f"RSS: start {rss[0][1] if rss else 0} KiB, after warm-up {base} KiB, peak {peak} KiB (+{growth:.1f} %), end {last} KiB")
for name, ok in checks.items():
    print(f"  {'PASS' if ok else 'FAIL'}  {name}")
sys.exit(0 if all(checks.values()) else 1)
PY
cat "$out/report.txt"
exit $status
