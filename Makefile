# MUSCode: `make run` and `make test` do all the set-up on a fresh Debian 12 machine (as root).
SHELL := /bin/bash
.DEFAULT_GOAL := run
NODE_MAJOR := $(shell node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)

# Debian packages the engine and its toolchains need (bash is always there).
APT_PACKAGES := bubblewrap gcc g++ libc6-dev make python3 openjdk-17-jdk-headless php-cli \
  golang-go rustc ruby perl gawk tcl8.6 iproute2 util-linux xz-utils zip chromium \
  python3-numpy python3-pandas python3-scipy python3-matplotlib python3-sympy

# The languages beyond the core (docs/languages.md: about 3 GB): `make languages`, or
# `LANGUAGES=all make run`; `make test` installs them (CI self-tests every language).
LANGUAGE_PACKAGES_ALL := lua5.4 kotlin scala ghc ocaml-nox mono-mcs elixir erlang-nox clojure racket \
  sbcl guile-3.0 gdc gfortran fp-compiler nim crystal r-base-core octave swi-prolog-nox gnucobol3 \
  gnat nasm groovy gobjc sqlite3 gforth
ifeq ($(LANGUAGES),all)
  APT_PACKAGES += $(LANGUAGE_PACKAGES_ALL)
endif

# Only the tests need these (the multi-host tests' edge proxy, docs/multi-host.md); `make run` does not.
TEST_PACKAGES := nginx-light
ifeq ($(WITH_TEST_PACKAGES),1)
  APT_PACKAGES += $(TEST_PACKAGES)
endif


.PHONY: bench-api bench-fairness bench-peer screenshots languages bench-languages test-deps
.PHONY: run test build setup check-node deps native ts web service-user services selftest bench bench-web clean

check-node:
	@if [ "$(NODE_MAJOR)" -lt 20 ]; then \
	  echo "MUSCode needs Node.js >= 20 (found: $$(node -v 2>/dev/null || echo none))."; \
	  echo "Debian 12 ships Node 18: install Node 20 from https://nodejs.org or NodeSource first."; \
	  exit 1; fi

# Installs only what is missing, so a set-up machine pays nothing.
deps: check-node
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" != 0 ]; then echo "Run as root (or install:$$missing)"; exit 1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

build/muscode-sandbox: native/muscode-sandbox.c
	@mkdir -p build
	gcc -O2 -Wall -Wextra -Werror -static -o $@ $<
	@# It is also the sandbox's init, exec'd by the slot uids from an fd: o+rx, whatever the umask.
	chmod 755 $@

native: build/muscode-sandbox

ts: node_modules/.package-lock.json
	npx tsc -p tsconfig.json

# The web app (React + CodeMirror, bundled by Vite into web/dist, served by `muscode serve` at /).
# Type-checked on its own (web/tsconfig.json); rebuilt when a file under web/ changes.
WEB_SOURCES := $(shell find web -path web/dist -prune -o -type f -print 2>/dev/null)
web/dist/index.html: node_modules/.package-lock.json $(WEB_SOURCES)
	npx tsc -p web/tsconfig.json
	npx vite build --config web/vite.config.ts --logLevel warn

web: web/dist/index.html

# The unprivileged user that parses HTTP and queue traffic (only the engine supervisor keeps root).
service-user:
	@id -u muscode >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin muscode

# PostgreSQL and Redis on 127.0.0.1 for the cluster-mode tests (installed and started when missing).
services:
	@bash scripts/ensure-services.sh

setup: deps node_modules/.package-lock.json native ts web service-user

build: setup

# Embedded mode: no external server. Prints the URL; Ctrl-C stops it.
run: setup
	bin/muscode serve

languages:
	@$(MAKE) --no-print-directory deps LANGUAGES=all

test-deps:
	@$(MAKE) --no-print-directory deps LANGUAGES=all WITH_TEST_PACKAGES=1

test: setup test-deps services
	npx vitest run

# The README's and docs/web.md's screenshots (tracked files): only this target rewrites them, so a
# plain `make test` leaves `git status` clean.
screenshots: setup
	MUSCODE_SCREENSHOTS=1 npx vitest run test/e2e/web.test.ts test/e2e/web-resilience.test.ts

bench: setup
	node dist/bench/run-all.js

# Per-language hello latency and memory, engine against bare toolchain; import numpy, pandas.
bench-languages: setup languages
	node dist/bench/languages.js --markdown

bench-api: setup services
	node dist/bench/api.js

# Side by side through HTTP execution APIs (ours, Piston v2 and Judge0 shapes) against bare python;
# a running peer: node dist/bench/peer.js --target piston=piston:http://127.0.0.1:2000
bench-peer: setup
	node dist/bench/peer.js --self

# Fair queueing (red-team M3): a user's hello behind another's flood, per-user lanes vs one FIFO.
bench-fairness: setup
	node dist/bench/fairness.js

# The web app's budgets: first-load JavaScript (gzipped) and Run -> first output in Chromium.
bench-web: setup
	node dist/bench/web-budget.js

clean:
	rm -rf dist build web/dist

# The container image, built here from Debian packages (mmdebstrap) with podman: no registry, no
# pull (scripts/image/build.sh, docs/deployment.md). `make image-test` runs it (docs/deployment.md).
IMAGE_APT_PACKAGES := podman mmdebstrap runc uidmap
.PHONY: image image-test
image: setup
	@missing=""; for p in $(IMAGE_APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; fi
	bash scripts/image/build.sh
image-test: image
	bash scripts/image/test.sh
