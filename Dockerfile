# syntax=docker/dockerfile:1
# ecrscan's image: built in three stages so that dependencies (most of the build
# time) are compiled in a layer of their own, rebuilt only when Cargo.toml or
# Cargo.lock change (cargo-chef), and run from a small Debian image as a non-root user.
#
#   docker build -t ecrscan .
#   docker run --stop-timeout 30 -p 8080:8080 -v ecrscan-data:/data --env-file .env ecrscan
#
# --stop-timeout: on SIGTERM ecrscan takes up to about 25 s to finish (README,
# "Running it"); docker stop's default of 10 s would kill the worker mid-job.

ARG RUST_VERSION=1.95

FROM rust:${RUST_VERSION}-bookworm AS chef
RUN cargo install cargo-chef --locked --version 0.1.78
WORKDIR /app

# The dependency recipe: Cargo.toml and Cargo.lock, with the sources left out.
FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS builder
COPY --from=planner /app/recipe.json recipe.json
# Only this layer compiles the dependencies; it stays cached while the recipe is unchanged.
RUN cargo chef cook --release --locked --recipe-path recipe.json
COPY . .
RUN cargo build --release --locked --bin ecrscan

FROM debian:bookworm-slim AS runtime
# CA certificates: Slack, AWS and SNS's signing certificates are all fetched over TLS
# with the system's roots.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin ecrscan \
    && mkdir -p /data \
    && chown ecrscan:ecrscan /data
COPY --from=builder /app/target/release/ecrscan /usr/local/bin/ecrscan

USER ecrscan
WORKDIR /data
# The SQLite file lives on the volume; a postgres:// DATABASE_URL replaces it.
ENV DATABASE_URL=sqlite:///data/ecrscan.db \
    PORT=8080
VOLUME ["/data"]
EXPOSE 8080
ENTRYPOINT ["ecrscan"]
CMD ["serve"]
