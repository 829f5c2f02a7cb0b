# syntax=docker/dockerfile:1
# Fuyi: the SPA (Node) → the fuyi binary with the SPA embedded (Go, cgo for
# SQLite) → a slim runtime that runs as a non-root user.
# Build: docker build -t fuyi:latest .     Run: see docker-compose.yml and docs/operations.md.

FROM node:20-bookworm AS frontend
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=frontend /src/frontend/dist/spa ./frontend/dist/spa
ENV CGO_ENABLED=1
RUN go build -trimpath -ldflags="-s -w" -o /out/fuyi ./cmd/fuyi

FROM debian:bookworm-slim AS runtime
# curl for the HEALTHCHECK; postgresql-client (15) for `fuyi backup` on
# PostgreSQL (pg_dump must not be older than the server: docker-compose.yml
# runs PostgreSQL 15); tzdata and CA certificates for the usual reasons.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl tzdata postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 fuyi \
 && useradd --system --uid 10001 --gid fuyi --home-dir /var/lib/fuyi --create-home --shell /usr/sbin/nologin fuyi \
 && mkdir -p /var/lib/fuyi/data && chown -R fuyi:fuyi /var/lib/fuyi
COPY --from=build /out/fuyi /usr/local/bin/fuyi
ENV FUYI_ADDR=0.0.0.0:8080 \
    FUYI_DATA_DIR=/var/lib/fuyi/data \
    FUYI_LOG_FORMAT=json
USER fuyi:fuyi
WORKDIR /var/lib/fuyi
VOLUME ["/var/lib/fuyi/data"]
EXPOSE 8080
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["fuyi"]
CMD ["serve"]
