#!/usr/bin/env bash
# `make release-check BIN`: the shipped binary is built as scripts/release-build.sh means it to be,
# and works. Fails (exit 1) naming what is wrong.
set -euo pipefail
bin="$1"
fail() { echo "release-check: $*" >&2; exit 1; }

dynamic="$(readelf -d -W "$bin")"
grep -q 'FLAGS_1.*PIE' <<<"$dynamic" || fail "not a position-independent executable"
grep -q 'NEEDED.*libswiftCore' <<<"$dynamic" && fail "the Swift runtime is linked dynamically (--static-swift-stdlib not applied?)"
for lib in libext2fs libblkid; do
  grep -q "NEEDED.*\[$lib\.so" <<<"$dynamic" || fail "$lib is not linked as the system's shared library"
done
# Full Foundation (and ICU's 34 MB of data) comes in with one `import Foundation` in the library or
# the commands: they use FoundationEssentials only.
nm "$bin" | grep -q 'icudt[0-9]*_dat' && fail "ICU data is linked in: an \`import Foundation\` in FSRescue or FSRescueCLI? (use FoundationEssentials)"

# And it works: a fixture made and scanned by the shipped binary, clean.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
version="$("$bin" --version)" || fail "--version failed"
for lib in ext2fs blkid; do
  want="lib$lib $(pkg-config --modversion "$lib")"
  [[ "$version" == *"$want"* ]] || fail "--version says '$version', not naming $want"
done
"$bin" fixture create --out "$work/check.img" --files 200 --max-file-size 64K >/dev/null || fail "fixture create failed"
"$bin" scan "$work/check.img" >/dev/null || fail "scan of a fresh fixture did not exit 0"
peak=""
[ -x /usr/bin/time ] && peak=", a 200-file scan peaks at $( { /usr/bin/time -f '%M' "$bin" scan "$work/check.img" >/dev/null; } 2>&1 | tail -1) KB"
echo "release-check: $bin is built as intended and works$peak"
