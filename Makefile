# microblog — the two commands of the README, and the steps behind them.
#
#   make run    install what is missing, build (release), serve on http://127.0.0.1:3000
#   make test   install what is missing, then run every test (lint, unit, snapshot,
#               HTTP, content lint, Playwright in Chromium)
#
# Installs are idempotent: each tool is checked at its pinned version first.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

CARGO_LEPTOS_VERSION := 0.3.10
# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly.
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)

# cargo-leptos finds wasm-opt, sass and wasm-bindgen on PATH and only downloads
# them (from GitHub, unreachable here) when missing.
export PATH := $(CURDIR)/tools/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

RELEASE_BIN := target/release/microblog
# The release build, as deployed and tested. `--split` puts each
# `#[lazy]`/`#[island(lazy)]` in its own WASM chunk, fetched only by the pages
# that use it (the static search, the glossary/emoji filters); without it the
# lazy functions' imports are unresolved and the client does not start.
LEPTOS_BUILD := cargo leptos build --release --precompress --split

KUBERNETES_VALIDATE_VERSION := 1.37.0
KUBERNETES_VERSION := 1.33.0
# Parsers for the deploy argv check (tools/deploy/check_argv.py).
DEPLOY_PY_PACKAGES := dockerfile-parse==2.0.1 python-hcl2==8.1.4 PyYAML==6.0.4
VENV := tools/venv
VENV_STAMP := $(VENV)/.stamp-$(KUBERNETES_VALIDATE_VERSION)-deploy1

.PHONY: validate-html install-java install-prometheus test-prometheus test-prometheus-e2e check-size lighthouse bench-navigation fuzz soak install-wrk validate-deploy test-deploy help install install-rust install-npm install-chromium build run dev test lint test-rust test-e2e check-content bench bench-markdown bench-cards bench-search bench-rss clean export test-e2e-static bench-export install-hugo install-wordlists install-nginx
# `export` is also a make directive; as a target name it works (GNU make 4).

help:
	@echo "make run   - build (release) and serve on http://127.0.0.1:3000"
	@echo "make test  - run every test"
	@echo "make dev   - cargo leptos watch (live reload)"
	@echo "make bench - release server vs in-memory baseline, sizes, 10k posts"
	@echo "make bench-search - search at 10k posts vs the in-memory baseline"
	@echo "make bench-cards - time to draw one social card (PNG)"
	@echo "make export - the site as static files in dist/ (EXPORT_DIR, EXPORT_FLAGS)"
	@echo "make lighthouse - Lighthouse scores of home, a post and the glossary"

## ---- installs -------------------------------------------------------------

install: install-rust install-npm

install-rust:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown \
	  || rustup target add wasm32-unknown-unknown
	@if cargo leptos --version 2>/dev/null | grep -qx "cargo-leptos $(CARGO_LEPTOS_VERSION)"; then \
	  echo "cargo-leptos $(CARGO_LEPTOS_VERSION): present"; \
	else \
	  echo "installing cargo-leptos $(CARGO_LEPTOS_VERSION) (slow: 10-40 min)"; \
	  cargo install cargo-leptos --version $(CARGO_LEPTOS_VERSION) --locked; \
	fi
	@if wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $(WASM_BINDGEN_VERSION)"; then \
	  echo "wasm-bindgen $(WASM_BINDGEN_VERSION): present"; \
	else \
	  echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION)"; \
	  cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --force; \
	fi

# npm trees are installed from their committed lock files, once per lock change.
tools/node_modules/.stamp: tools/package-lock.json
	cd tools && npm ci --no-audit --no-fund
	@touch $@

end2end/node_modules/.stamp: end2end/package-lock.json
	cd end2end && npm ci --no-audit --no-fund
	@touch $@

install-npm: tools/node_modules/.stamp

# Kubernetes schema validation (the PyPI package ships the official schemas),
# and the parsers of the deploy argv check.
$(VENV_STAMP):
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet kubernetes-validate==$(KUBERNETES_VALIDATE_VERSION) $(DEPLOY_PY_PACKAGES)
	@touch $@

validate-deploy: $(VENV_STAMP)
	$(VENV)/bin/kubernetes-validate --strict -k $(KUBERNETES_VERSION) deploy/kubernetes/*.yaml

# Java for the Nu HTML Checker (vnu.jar needs 11 or newer; Debian 12 gives 17).
install-java:
	@if java -version 2>&1 | grep -qE 'version "(1[1-9]|[2-9][0-9])'; then \
	  echo "java: present"; \
	else \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless; \
	fi

# What Docker, Kubernetes and Nomad would run (ENTRYPOINT/CMD, command/args,
# environment), started from the release build until /readyz answers.
test-deploy: $(VENV_STAMP)
	@test -x $(RELEASE_BIN) || { echo "run 'make build' first"; exit 1; }
	$(VENV)/bin/python tools/deploy/check_argv.py

# Debian's prometheus (2.42, with promtool): the rule checks, the rule unit
# tests and the end-to-end check run it on loopback (no service is started).
install-prometheus:
	@if command -v promtool >/dev/null && command -v prometheus >/dev/null; then \
	  echo "prometheus: present"; \
	else \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus; \
	fi

install-chromium:
	@if command -v chromium >/dev/null; then \
	  echo "chromium: present"; \
	else \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	fi

## ---- build and run --------------------------------------------------------

build: install
	$(LEPTOS_BUILD)

run: install
	cargo leptos serve --release --precompress --split

dev: install
	cargo leptos watch --split

## ---- static export ---------------------------------------------------------

# The whole site as files for a static host (README: "Deploy to Netlify /
# Cloudflare Pages / GitHub Pages / S3"). EXPORT_DIR=dist; EXPORT_FLAGS may add
# --meta-redirects (hosts without redirect rules) or --force. Set SITE_URL.
EXPORT_DIR ?= dist
EXPORT_FLAGS ?=
export: install
	$(LEPTOS_BUILD)
	LEPTOS_SITE_ROOT=target/site LEPTOS_OUTPUT_NAME=microblog LEPTOS_ENV=PROD \
	  $(RELEASE_BIN) export $(EXPORT_DIR) $(EXPORT_FLAGS)

## ---- tests -----------------------------------------------------------------

test: install install-chromium install-prometheus end2end/node_modules/.stamp
	$(MAKE) lint
	$(MAKE) validate-deploy
	$(MAKE) test-prometheus
	$(LEPTOS_BUILD)
	$(MAKE) test-deploy
	$(MAKE) check-size
	$(MAKE) validate-html
	$(MAKE) test-rust
	$(MAKE) test-prometheus-e2e
	$(MAKE) test-e2e
	$(MAKE) test-e2e-static

lint:
	cargo fmt --all -- --check
	cargo clippy --all-targets --features ssr -- -D warnings
	cargo clippy --lib --features hydrate --target wasm32-unknown-unknown -- -D warnings

# Unit, snapshot, HTTP (router and real binary) and content-lint tests.
test-rust:
	cargo test --features ssr

# Playwright starts the release binary itself (see end2end/playwright.config.ts).
test-e2e: end2end/node_modules/.stamp
	@test -x $(RELEASE_BIN) || { echo "run 'make build' first"; exit 1; }
	cd end2end && npx playwright test

# The same browser tests' static subset against `microblog export` served by a
# plain static host (examples/static_host.rs applies _redirects and _headers).
STATIC_E2E_PORT ?= 3102
test-e2e-static: end2end/node_modules/.stamp
	@test -x $(RELEASE_BIN) || { echo "run 'make build' first"; exit 1; }
	# Debug build: `cargo test` (test-rust) has built it already; a release
	# build would compile every dependency again with the dev-dependencies'
	# features. Serving files needs no optimiser.
	cargo build --features ssr --example static_host
	cd end2end && STATIC_E2E_PORT=$(STATIC_E2E_PORT) npx playwright test --config playwright.static.config.ts

# The JS + WASM every reader downloads, brotli, against the issue's 100 KB
# budget (fails over it). Needs the release build.
check-size:
	python3 tools/client_size.py

# Every sitemap page, the 404 page, /search and the filtered views of the
# release build through the W3C Nu HTML Checker; fails on any error.
validate-html: install-npm install-java
	@test -x $(RELEASE_BIN) || { echo "run 'make build' first"; exit 1; }
	python3 tools/validate_html.py

# SLO rules and alerts (deploy/prometheus): syntax, then the promtool unit
# tests that make each alert fire and stay silent.
test-prometheus: install-prometheus
	promtool check rules deploy/prometheus/rules/*.yml
	promtool test rules deploy/prometheus/tests/*.yml

# A real Prometheus scraping the release server (the last build; this does
# not rebuild): every recording rule and dashboard query must return data.
test-prometheus-e2e: install-prometheus $(VENV_STAMP)
	@test -x $(RELEASE_BIN) || { echo "run 'make build' first"; exit 1; }
	timeout 90 $(VENV)/bin/python tools/obs/e2e.py $(RELEASE_BIN)

check-content:
	cargo run --quiet --features ssr -- check

## ---- reliability (RELIABILITY.md) -------------------------------------------

# Every fuzz target for FUZZ_SECONDS each (FUZZ_PARALLEL at a time), seeded
# from content/; crash inputs land in fuzz/artifacts/<target>/.
FUZZ_SECONDS ?= 600
FUZZ_PARALLEL ?= 1
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_PARALLEL=$(FUZZ_PARALLEL) tools/fuzz.sh

install-wrk:
	@if command -v wrk >/dev/null; then \
	  echo "wrk: present"; \
	else \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; \
	fi

# nginx serving the same bytes: what `make bench` compares cached pages with.
install-nginx:
	@if [ -x /usr/sbin/nginx ]; then \
	  echo "nginx: present"; \
	else \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light; \
	fi

# English and Spanish word lists: the vocabulary of the generated posts.
install-wordlists:
	@if [ -f /usr/share/dict/american-english ] && [ -f /usr/share/dict/spanish ]; then \
	  echo "word lists: present"; \
	else \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wamerican wspanish; \
	fi

# wrk, 256 connections on the release server: 30 s steady, then 60 s while its
# content is rewritten every 2 s; fails when p99 with reloads > 2x steady p99
# (and on errors, mixed snapshots, RSS growth). See RELIABILITY.md.
soak: install install-wrk
	$(LEPTOS_BUILD)
	tools/soak.sh

## ---- benchmarks ------------------------------------------------------------

# Release build, the in-memory baseline server, then one run of every
# measurement (see BENCHMARKS.md). BENCH_SECONDS=10 per wrk run, BENCH_SCALE=10000
# generated posts (0 skips the scale run).
bench: install install-wrk install-wordlists install-nginx install-hugo
	$(LEPTOS_BUILD)
	cargo build --release --features ssr --example bench_baseline
	python3 tools/bench/bench.py
	python3 tools/bench/export_bench.py

# Search at 10,000 generated posts against the in-memory baseline (#17).
# SEARCH_BENCH_ARGS: e.g. `--content DIR` to reuse generated posts.
bench-search: install install-wrk install-wordlists
	$(LEPTOS_BUILD)
	cargo build --release --features ssr --example bench_baseline
	python3 tools/bench/search_bench.py $(SEARCH_BENCH_ARGS)

# The static export against Hugo (Debian's 0.111) on the same generated posts.
bench-export: install install-hugo
	$(LEPTOS_BUILD)
	python3 tools/bench/export_bench.py

install-hugo:
	@if command -v hugo >/dev/null; then \
	  echo "hugo: present"; \
	else \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hugo; \
	fi

# Server memory by content size (shipped content, generated sites): the
# figures behind the Kubernetes/Nomad memory limits (README, Deploy).
bench-rss: install
	$(LEPTOS_BUILD)
	python3 tools/bench/rss.py $(BENCH_RSS_SIZES)

# Click → new page shown over 10 navigations in Chromium, on the release
# build, timed inside the browser (end2end/bench/measure.mjs): under
# Playwright, where Chromium never prerenders (end2end/bench), then under
# Puppeteer, prerendered against plain loads (tools/bench/navigation.mjs).
# Prints the times, medians and spread (ARCHITECTURE.md, "Navigation").
bench-navigation: end2end/node_modules/.stamp tools/node_modules/.stamp install-chromium
	@test -x $(RELEASE_BIN) || { echo "run 'make build' first"; exit 1; }
	cd end2end && npx playwright test -c bench.config.ts
	node tools/bench/navigation.mjs

# Lighthouse 12 (mobile preset, Debian Chromium) on home, a post and the
# glossary, against the release build; prints the scores (BENCHMARKS.md).
lighthouse: install install-chromium
	$(LEPTOS_BUILD)
	CHROME_PATH=/usr/bin/chromium python3 tools/lighthouse.py

# Markdown pipeline throughput against plain pulldown-cmark (divan).
# One social card drawn to PNG bytes (divan): the export's cards phase per card.
bench-cards:
	cargo bench --features ssr --bench cards

bench-markdown:
	cargo bench --features ssr --bench markdown

clean:
	cargo clean
	rm -rf tools/node_modules tools/venv end2end/node_modules end2end/test-results
