# fsrescue: `make demo` and `make test` are the whole quick start (see README.md).
SWIFT      ?= swift
PREFIX     ?= /usr/local
# Debian packages the build and the tests need. Installed when missing (with sudo when not root).
APT_PACKAGES := libext2fs-dev libblkid-dev comerr-dev libssl-dev pkg-config e2fsprogs fdisk util-linux
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build release test demo fuzz-smoke clean

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "make: installing missing packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test

demo: release
	@bash scripts/demo.sh "$$($(SWIFT) build -c release --show-bin-path)/fsrescue"

# A bounded libFuzzer run (FUZZ_SECONDS, default 120) over info and extract; see README.md, Fuzzing.
fuzz-smoke: deps
	SWIFT=$(SWIFT) bash scripts/fuzz-smoke.sh

clean:
	rm -rf .build demo
