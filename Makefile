# Fuyi — the two commands a new machine needs: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := run

GO        ?= go
BIN       := bin/fuyi
DATA_DIR  ?= ./data
ADDR      ?= 127.0.0.1:8080
FRONTEND  := frontend
GO_PKGS   := ./...

export CGO_ENABLED := 1

.PHONY: run build frontend frontend-deps go-build test test-go test-go-sqlite test-go-postgres test-frontend test-e2e lint fmt-check vet bench soak clean chromium

## run: build everything, load the demo into an empty database, serve, print the URL and the logins
run: build
	@./scripts/run.sh "$(BIN)" "$(DATA_DIR)" "$(ADDR)"

## build: the SPA (Node) and the fuyi binary with it embedded
build: frontend go-build

go-build:
	$(GO) build -trimpath -o $(BIN) ./cmd/fuyi

frontend-deps:
	@if [ ! -d $(FRONTEND)/node_modules ] || [ $(FRONTEND)/package-lock.json -nt $(FRONTEND)/node_modules/.package-lock.json ]; then \
		cd $(FRONTEND) && npm ci --no-audit --no-fund; fi

frontend: frontend-deps
	cd $(FRONTEND) && npm run build

## test: every test — Go on SQLite (race) and on a throwaway PostgreSQL, the frontend unit tests, the browser tests
test: fmt-check vet test-go-sqlite test-go-postgres test-frontend test-e2e
	@echo "make test: all suites passed"

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './frontend/node_modules/*')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(GO_PKGS)

test-go: test-go-sqlite test-go-postgres

test-go-sqlite:
	$(GO) test -race -count=1 -timeout 20m $(GO_PKGS)

test-go-postgres:
	./scripts/with-postgres.sh $(GO) test -count=1 -p 2 -timeout 20m $(GO_PKGS)

test-frontend: frontend-deps
	cd $(FRONTEND) && npm run typecheck && npm run test:unit

test-e2e: chromium build
	./scripts/e2e.sh "$(BIN)"

chromium:
	@command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || { \
		echo "installing Chromium for the browser tests (apt)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

## lint: gofmt, go vet
lint: fmt-check vet

## bench: performance at district, city and national scale (not part of make test)
bench: go-build
	./scripts/bench.sh "$(BIN)"

## soak: 64 clients for 5 minutes on SQLite and PostgreSQL (not part of make test)
soak: go-build
	./scripts/soak.sh "$(BIN)"

clean:
	rm -rf bin $(FRONTEND)/dist/spa
