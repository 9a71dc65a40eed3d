# Multi-stage build of microblog. The build stage runs exactly what `make build`
# runs (`make install` then `cargo leptos build --release`); the runtime stage
# is a slim Debian with the binary, the site assets and the content.

FROM rust:1.95-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN make install \
 && cargo leptos build --release

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --no-create-home microblog
WORKDIR /app
COPY --from=build /src/target/release/microblog /app/microblog
COPY --from=build /src/target/site /app/site
COPY --from=build /src/content /app/content
ENV LEPTOS_SITE_ADDR=0.0.0.0:3000 \
    LEPTOS_SITE_ROOT=/app/site \
    LEPTOS_OUTPUT_NAME=microblog \
    LEPTOS_ENV=PROD \
    CONTENT_DIR=/app/content \
    RUST_LOG=info
EXPOSE 3000
USER microblog
CMD ["/app/microblog", "serve"]
