# Multi-stage build of microblog. The build stage runs what `make build` runs
# (`make install`, then `cargo leptos build --release`); the runtime stage is a
# slim Debian with the binary, the site assets and the content.

# Pinned toolchain: the one the project is tested with (see TOOLCHAIN notes in README).
FROM rust:1.95-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src

# 1. Tools and dependencies, cached until the lock files change.
COPY Makefile Cargo.toml Cargo.lock ./
COPY tools/package.json tools/package-lock.json tools/
RUN make install
RUN mkdir -p src && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
 && cargo fetch --locked \
 && rm -rf src

# 2. The project itself.
COPY . .
RUN cargo leptos build --release --precompress

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
    RUST_LOG=info
EXPOSE 3000
USER microblog
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/app/microblog", "healthcheck"]
CMD ["/app/microblog", "serve"]
