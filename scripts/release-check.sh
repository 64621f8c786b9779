#!/usr/bin/env bash
# `make release-check BIN`: the shipped binary is linked as scripts/release-build.sh means it to be,
# and works. Fails (exit 1) naming what is wrong; warns when link-order.txt has gone stale.
set -euo pipefail
bin="$1"
root="$(cd "$(dirname "$0")/.." && pwd)"
order="$root/Sources/fsrescue/link-order.txt"
fail() { echo "release-check: $*" >&2; exit 1; }

dynamic="$(readelf -d -W "$bin")"
grep -q 'NEEDED.*libstdc++' <<<"$dynamic" && fail "libstdc++ is linked dynamically (is libstdc++-12-dev installed?)"
grep -q 'NEEDED.*libgcc_s' <<<"$dynamic" && fail "libgcc_s is linked dynamically (libgcc_eh.a not found?)"
grep -q '(RELR)' <<<"$dynamic" || fail "no packed relative relocations (DT_RELR): not linked by lld with -z pack-relative-relocs"
grep -q 'FLAGS_1.*PIE' <<<"$dynamic" || fail "not a position-independent executable"

# Our own modules' functions that link-order.txt lists must come before those it does not list
# (all but a few: a name can share its section with a listed one).
python3 - "$bin" "$order" <<'PY'
import subprocess, sys
binary, order = sys.argv[1], sys.argv[2]
listed = {line.strip() for line in open(order) if line.strip() and not line.startswith("#")}
ours = ("$s8FSRescue", "$s11FSRescueCLI", "$s16FSRescueFixtures", "$s14ArgumentParser")
symbols = {}
for line in subprocess.run(["nm", "--defined-only", binary], capture_output=True, text=True, check=True).stdout.splitlines():
    parts = line.split()
    if len(parts) == 3 and parts[1] in "tT":
        symbols[parts[2]] = int(parts[0], 16)
present = [name for name in listed if name in symbols]
hot = sorted(symbols[n] for n in present if n.startswith(ours))
cold = sorted(a for n, a in symbols.items() if n.startswith(ours) and n not in listed)
if not hot or not cold:
    sys.exit("release-check: no listed functions of our own modules in the binary")
last_hot = hot[int(0.95 * (len(hot) - 1))]
interleaved = sum(1 for a in cold if a < last_hot)
share = len(present) / len(listed)
print(f"release-check: {len(present)} of {len(listed)} listed functions in the binary ({share:.0%}); "
      f"{interleaved} of our {len(cold)} unlisted functions sit among the first 95% of our {len(hot)} listed ones")
if interleaved > 0.05 * len(cold):
    sys.exit("release-check: the listed functions are not placed first (--symbol-ordering-file not applied?)")
if share < 0.9:
    print("release-check: warning: link-order.txt is stale; run `make link-order` and commit it", file=sys.stderr)
PY

# The data link-order-data.txt lists (protocol conformance descriptors first) must open .rodata. Some
# unlisted symbols come along, sharing a section with listed ones (15% here, 98% when unordered).
python3 - "$bin" "$root/Sources/fsrescue/link-order-data.txt" <<'PY'
import subprocess, sys
binary, order = sys.argv[1], sys.argv[2]
listed = {line.strip() for line in open(order) if line.strip() and not line.startswith("#")}
sections = subprocess.run(["readelf", "-SW", binary], capture_output=True, text=True, check=True).stdout
row = next(l.split("]", 1)[1].split() for l in sections.splitlines() if l.split("]", 1)[-1].split()[:1] == [".rodata"])
start, size = int(row[2], 16), int(row[4], 16)
symbols = {}
for line in subprocess.run(["nm", "--defined-only", binary], capture_output=True, text=True, check=True).stdout.splitlines():
    parts = line.split()
    if len(parts) == 3 and start <= int(parts[0], 16) < start + size:
        symbols.setdefault(parts[2], int(parts[0], 16))
present = sorted(symbols[n] for n in listed if n in symbols)
if len(present) < 0.5 * len(listed) or not present:
    sys.exit(f"release-check: only {len(present)} of the {len(listed)} data symbols link-order-data.txt lists are in .rodata")
last = present[int(0.95 * (len(present) - 1))]
unlisted = [a for n, a in symbols.items() if n not in listed]
interleaved = sum(1 for a in unlisted if a < last)
print(f"release-check: {len(present)} of {len(listed)} listed data symbols in .rodata, the first 95% within "
      f"{(last - start) // 1024} KiB of its {size // 1024}; {interleaved} of {len(unlisted)} unlisted ones among them")
if interleaved > 0.25 * len(unlisted):
    sys.exit("release-check: the listed data is not placed first in .rodata (--symbol-ordering-file not applied?)")
if len(present) < 0.9 * len(listed):
    print("release-check: warning: link-order-data.txt is stale; run `make link-order` and commit it", file=sys.stderr)
PY

# And it works: a fixture made and scanned by the shipped binary, clean.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$bin" --version >/dev/null || fail "--version failed"
"$bin" fixture create --out "$work/check.img" --files 200 --max-file-size 64K >/dev/null || fail "fixture create failed"
"$bin" scan "$work/check.img" >/dev/null || fail "scan of a fresh fixture did not exit 0"
peak=""
[ -x /usr/bin/time ] && peak=", a 200-file scan peaks at $( { /usr/bin/time -f '%M' "$bin" scan "$work/check.img" >/dev/null; } 2>&1 | tail -1) KB"
echo "release-check: $bin is linked as intended and works$peak"
