#!/usr/bin/env python3
"""The browser code every reader downloads: the app's JS and WASM, brotli.

The budget is the issue's target, 100 KB (#14); the client measured
90.8 KB when it was set (BENCHMARKS.md), so `make test` fails as soon as it
grows past the target.

Counted: what every page loads (the JS, the main WASM and, with
`--split`, the `__wasm_split` loader). The lazy chunks (`split_*`, `chunk_*`)
are listed apart: only the pages that use a lazy island fetch them.

Reads the release build (`cargo leptos build --release --precompress`): the
hashed names of the current JS and WASM from `target/release/hash.txt`, their
`.br` files from `target/site/pkg`. Prints the sizes and exits 1 when their sum
is over the budget (CLIENT_BUDGET_BYTES, default 100 000), so the client
cannot grow back unnoticed.
"""
import os
import sys
from pathlib import Path

BUDGET = int(os.environ.get("CLIENT_BUDGET_BYTES", "100000"))
SITE = Path(os.environ.get("LEPTOS_SITE_ROOT", "target/site"))
HASHES = Path(os.environ.get("HASH_FILE", "target/release/hash.txt"))
NAME = os.environ.get("LEPTOS_OUTPUT_NAME", "microblog")


def main() -> int:
    if not HASHES.is_file():
        print(f"{HASHES}: missing; run 'cargo leptos build --release --precompress' first", file=sys.stderr)
        return 1
    hashes = dict(
        (k.strip(), v.strip())
        for k, v in (line.split(":", 1) for line in HASHES.read_text().splitlines() if ":" in line)
    )
    total = 0
    loaded = [(ext, f"{NAME}.{hashes.get(ext)}.{ext}") for ext in ("js", "wasm")]
    loaded.append(("split", f"__wasm_split.{hashes.get('split')}.js"))
    for key, name in loaded:
        if key not in hashes:
            print(f"{HASHES}: no '{key}' line (build with make build: --split)", file=sys.stderr)
            return 1
        plain = SITE / "pkg" / name
        br = plain.with_name(plain.name + ".br")
        if not br.is_file():
            print(f"{br}: missing; build with --precompress", file=sys.stderr)
            return 1
        size = br.stat().st_size
        total += size
        print(f"{plain.name}: {plain.stat().st_size} B raw, {size} B brotli")
    for lazy in sorted((SITE / "pkg").glob("*.wasm.br")):
        if lazy.name.startswith(("split_", "chunk_")):
            print(f"  lazy, on the pages that use it: {lazy.name}: {lazy.stat().st_size} B brotli")
    verdict = "ok" if total <= BUDGET else "OVER BUDGET"
    print(f"client total: {total} B brotli (budget {BUDGET} B): {verdict}")
    return 0 if total <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
