# fsrescue: `make demo` and `make test` are the whole quick start (see README.md).
SWIFT      ?= swift
# Shipped builds (release, demo, bench, install) come from scripts/release-build.sh: a plain release
# build with the Swift runtime linked in (it runs without a Swift toolchain) and the system's libext2fs,
# libblkid and libcrypto as shared libraries (`fsrescue --version` names the versions loaded).
RELEASE_BUILD := SWIFT=$(SWIFT) bash scripts/release-build.sh
PREFIX     ?= /usr/local
# Debian packages the build and the tests need (binutils: make release-check; libstdc++-12-dev: the Swift toolchain links with it). Installed when missing (with sudo when not root).
APT_PACKAGES := libext2fs-dev libblkid-dev comerr-dev libssl-dev pkg-config e2fsprogs fdisk util-linux man-db groff-base binutils python3 libstdc++-12-dev xz-utils
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: kernel-fixtures deps build release release-check test demo fuzz-smoke clean install uninstall readme bench bench-deps bench-eta

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "make: installing missing packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(RELEASE_BUILD)

# Checks the shipped binary's linkage (Swift runtime in, e2fsprogs' libraries shared) and that it works.
release-check: release
	@bash scripts/release-check.sh "$$($(RELEASE_BUILD) --show-bin-path)/fsrescue"

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test

# Rewrites the README's generated blocks (worked example, finding codes, Swift example) from the code.
readme: deps
	$(SWIFT) build --build-tests
	FSRESCUE_UPDATE_README=1 $(SWIFT) test --filter 'Readme'

# `make bench`: fsrescue vs e2fsck, debugfs and The Sleuth Kit; writes bench/results.md (see docs/benchmarks.md).
# BENCH_QUICK=1: 100k files only (~3 min). BENCH_LARGE=1: adds 5M files. BENCH_DIR: images and output.
BENCH_PACKAGES := hyperfine time sleuthkit ext4magic extundelete
bench-deps: deps
	@missing=""; for p in $(BENCH_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "make: installing missing packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

bench: bench-deps release
	python3 bench/bench.py

# ETA honesty (issue 5) on the bench images: scan and salvage `--progress json` vs e2fsck -C.
bench-eta: bench-deps release
	bash bench/eta-bench.sh

# Rewrites Fixtures/kernel from images the Linux kernel writes (root and mount -o loop; see the script).
kernel-fixtures:
	rm -f Fixtures/kernel/*.xz
	python3 scripts/kernel-images.py Fixtures/kernel --small --large --fixtures
	python3 scripts/kernel-images.py Fixtures/kernel --powercut --fixtures
	python3 scripts/kernel-images.py Fixtures/kernel --history --fixtures

demo: release
	@bash scripts/demo.sh "$$($(RELEASE_BUILD) --show-bin-path)/fsrescue"

# `make install PREFIX=DIR [DESTDIR=STAGE]`: the release binary, the man pages and the shell completions.
# BIN=PATH installs that binary instead of building a release one (the install test uses the debug build).
BIN        ?=
BINDIR      = $(DESTDIR)$(PREFIX)/bin
MAN1DIR     = $(DESTDIR)$(PREFIX)/share/man/man1
BASHCOMPDIR = $(DESTDIR)$(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  = $(DESTDIR)$(PREFIX)/share/zsh/site-functions
FISHCOMPDIR = $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
MANPAGES   := $(notdir $(wildcard man/*.1))

install: $(if $(BIN),,release)
	@bin="$(BIN)"; [ -n "$$bin" ] || bin="$$($(RELEASE_BUILD) --show-bin-path)/fsrescue"; \
	set -e; \
	install -d "$(BINDIR)" "$(MAN1DIR)" "$(BASHCOMPDIR)" "$(ZSHCOMPDIR)" "$(FISHCOMPDIR)"; \
	install -m 0755 "$$bin" "$(BINDIR)/fsrescue"; \
	for page in $(MANPAGES); do install -m 0644 "man/$$page" "$(MAN1DIR)/$$page"; done; \
	"$$bin" --generate-completion-script bash > "$(BASHCOMPDIR)/fsrescue"; \
	"$$bin" --generate-completion-script zsh > "$(ZSHCOMPDIR)/_fsrescue"; \
	"$$bin" --generate-completion-script fish > "$(FISHCOMPDIR)/fsrescue.fish"; \
	echo "installed fsrescue, $(words $(MANPAGES)) man pages and bash/zsh/fish completions under $(DESTDIR)$(PREFIX)"

uninstall:
	rm -f "$(BINDIR)/fsrescue" $(addprefix "$(MAN1DIR)/,$(addsuffix ",$(MANPAGES))) \
	  "$(BASHCOMPDIR)/fsrescue" "$(ZSHCOMPDIR)/_fsrescue" "$(FISHCOMPDIR)/fsrescue.fish"

# A bounded libFuzzer run (FUZZ_SECONDS, default 120) over info and extract; see docs/testing.md, Fuzzing.
fuzz-smoke: deps
	SWIFT=$(SWIFT) bash scripts/fuzz-smoke.sh

clean:
	rm -rf .build demo
