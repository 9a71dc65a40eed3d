# Multi-stage build of microblog. The build stage runs `make build` — the
# pinned cargo-leptos, wasm-bindgen, sass and wasm-opt from `make install`,
# nothing fetched behind your back — first on stub sources (the dependency
# layer), then on the project; the runtime stage is a slim Debian with the
# binary, the site assets and the content.

# Pinned toolchain: the one the project is tested with (see TOOLCHAIN notes in README).
FROM rust:1.95-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src

# 1. Tools, cached until the Makefile or the lock files change.
COPY Makefile Cargo.toml Cargo.lock ./
COPY tools/package.json tools/package-lock.json tools/
RUN make install

# 2. Dependencies, compiled by the same `make build` (same profiles, features
#    and environment as the real build), on an empty crate: cached until
#    Cargo.toml or Cargo.lock change. The stub's own outputs are removed so
#    the real sources are always rebuilt, whatever their timestamps.
RUN mkdir -p src style public \
 && echo 'fn main() {}' > src/main.rs \
 && : > src/lib.rs \
 && : > style/main.scss \
 && make build \
 && rm -rf src style public target/site \
    target/release/microblog target/release/hash.txt \
    target/release/.fingerprint/microblog-* target/release/deps/microblog-* \
    target/release/deps/libmicroblog-* \
    target/wasm32-unknown-unknown/wasm-release/.fingerprint/microblog-* \
    target/wasm32-unknown-unknown/wasm-release/deps/microblog* \
    target/wasm32-unknown-unknown/wasm-release/deps/libmicroblog*

# 3. The project itself.
COPY . .
RUN make build

FROM debian:bookworm-slim AS runtime
RUN useradd --system --uid 10001 --no-create-home microblog
WORKDIR /app
COPY --from=build /src/target/release/microblog /src/target/release/hash.txt /app/
COPY --from=build /src/target/site /app/site
# Baked in; mount a volume here to serve other content (CONTENT_DIR).
COPY --from=build /src/content /app/content
VOLUME ["/app/content"]
ENV LEPTOS_SITE_ADDR=0.0.0.0:3000 \
    LEPTOS_SITE_ROOT=/app/site \
    LEPTOS_OUTPUT_NAME=microblog \
    LEPTOS_ENV=PROD \
    CONTENT_DIR=/app/content \
    LOG_FORMAT=json \
    RUST_LOG=info \
    METRICS_ADDR=0.0.0.0:9090
# 3000: the site; 9090: /metrics only (METRICS_ADDR), not for the public.
EXPOSE 3000 9090
USER microblog
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/app/microblog", "healthcheck"]
# The binary is the entrypoint and `serve` its default argument, so
# orchestrators that pass arguments (Kubernetes `args`, Nomad `args`) run
# `/app/microblog <args>` — checked by `make test-deploy`.
ENTRYPOINT ["/app/microblog"]
CMD ["serve"]
