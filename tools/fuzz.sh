#!/usr/bin/env bash
# Runs every fuzz target of fuzz/ for FUZZ_SECONDS each (FUZZ_PARALLEL at a
# time), seeded from content/ and the test fixtures; prints one summary line
# per target (also in fuzz/logs/summary.txt). Exit 1 if any target crashed.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-600}
parallel=${FUZZ_PARALLEL:-1}
targets=${FUZZ_TARGETS:-front_matter refs emoji render}
# No sanitizer: the code under test is safe Rust; libFuzzer still catches
# panics, aborts, stack overflows, slow inputs (-timeout, 3 s: a
# quadratic pass on a 30 KB input) and memory (-rss_limit_mb).
flags=(--sanitizer none)

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --version 0.13.2 --locked
rustup toolchain list | grep -q '^nightly' || {
  echo "fuzzing needs a nightly toolchain: rustup toolchain install nightly" >&2
  exit 2
}

mkdir -p fuzz/logs
for t in $targets; do
  mkdir -p "fuzz/corpus/$t"
  # Seeds: every Markdown file the project ships or tests with.
  find content tests/fixtures -name '*.md' -type f | while read -r f; do
    cp "$f" "fuzz/corpus/$t/seed-$(echo "$f" | tr '/' '_')"
  done
done

(cd fuzz && cargo +nightly fuzz build "${flags[@]}")

run_one() {
  local t=$1
  local log="fuzz/logs/$t.log"
  local status=ok
  (cd fuzz && nice -n 10 cargo +nightly fuzz run "${flags[@]}" "$t" "corpus/$t" -- \
    -max_total_time="$seconds" -dict=markdown.dict -max_len=65536 \
    -timeout=3 -rss_limit_mb=2048 -print_final_stats=1) >"$log" 2>&1 || status=CRASH
  local done_line execs
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true)
  execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}' | tail -1 || true)
  echo "$t: $status, ${seconds}s, executions ${execs:-?}, ${done_line:-no DONE line (see $log)}"
}

summary=fuzz/logs/summary.txt
: >"$summary"
# shellcheck disable=SC2086
printf '%s\n' $targets | xargs -P "$parallel" -I{} bash -c "$(declare -f run_one); flags=(${flags[*]}); seconds=$seconds; run_one {}" | tee -a "$summary"
if grep -q CRASH "$summary"; then
  echo "crash inputs are in fuzz/artifacts/<target>/; turn each into a regression test" >&2
  exit 1
fi
