#!/usr/bin/env bash
# The one definition of the shipped build (make release, demo, install, bench and the bench scripts):
#   scripts/release-build.sh [swift build arguments]      e.g. --product fsrescue, --show-bin-path
#
# A plain `swift build -c release`, with the Swift standard library linked in (--static-swift-stdlib:
# the binary runs where no Swift toolchain is installed). libext2fs, libblkid and libcrypto stay the
# system's shared libraries: they parse hostile images and are patched by the distribution, and a
# security update then reaches fsrescue without rebuilding it (`fsrescue --version` names the
# versions loaded). Memory is measured per inode and at scale (bench/), not as start-up pages.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
exec "${SWIFT:-swift}" build --package-path "$root" --scratch-path "$root/.build/shipped" \
  -c release --static-swift-stdlib "$@"
