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
# Full Foundation (and ICU's 34 MB of data) comes in with one `import Foundation` in the library or
# the commands: they use FoundationEssentials only.
nm "$bin" | grep -q 'icudt[0-9]*_dat' && fail "ICU data is linked in: an \`import Foundation\` in FSRescue or FSRescueCLI? (use FoundationEssentials)"
if [ "${FSRESCUE_SHARED_E2FSPROGS:-0}" != 1 ]; then
  shared="$(grep -oE 'NEEDED.*\[(libext2fs|libe2p|libcom_err|libblkid)[^]]*' <<<"$dynamic" | sed 's/.*\[//' | tr '\n' ' ' || true)"
  [ -z "$shared" ] || fail "linked with shared ${shared% } (their archives not found? FSRESCUE_SHARED_E2FSPROGS=1 means it)"
fi

# What the two lists name must come first: our own modules' functions in .text (all but a few of
# the unlisted ones after them: a name can share its section with a listed one), and the data in
# .rodata (some unlisted symbols come along, sharing a section with listed ones: 15% here, 98% when
# unordered).
python3 - "$bin" "$order" "$root/Sources/fsrescue/link-order-data.txt" <<'PY'
import subprocess, sys
binary, functions, data = sys.argv[1:4]

def run(*argv):
    return subprocess.run(argv, capture_output=True, text=True, check=True).stdout

def names(path):
    return {line.strip() for line in open(path) if line.strip() and not line.startswith("#")}

def placed_first(what, path, symbols, defined, allowed):
    """symbols: {name: address} of the candidates; defined: every name the list may hold. Fails when
    more than `allowed` of the unlisted candidates sit before the last of the first 95% of the listed
    ones; warns when under 90% of the list is defined (stale)."""
    listed = names(path)
    present = sorted(symbols[n] for n in listed if n in symbols)
    unlisted = [a for n, a in symbols.items() if n not in listed]
    if not present or not unlisted:
        sys.exit(f"release-check: none of the {what} {path.split('/')[-1]} lists is in the binary")
    last = present[int(0.95 * (len(present) - 1))]
    interleaved = sum(1 for a in unlisted if a < last)
    share = len(listed & defined) / len(listed)
    print(f"release-check: {what}: {share:.0%} of the {len(listed)} listed names in the binary; "
          f"{interleaved} of {len(unlisted)} unlisted ones among the first 95% of the {len(present)} listed")
    if interleaved > allowed * len(unlisted):
        sys.exit(f"release-check: the listed {what} are not placed first (--symbol-ordering-file not applied?)")
    if share < 0.9:
        print(f"release-check: warning: {path.split('/')[-1]} is stale; run `make link-order` and commit it", file=sys.stderr)

table = [line.split() for line in run("nm", "--defined-only", binary).splitlines()]
ours = ("$s8FSRescue", "$s11FSRescueCLI", "$s16FSRescueFixtures", "$s14ArgumentParser")
text = {p[2]: int(p[0], 16) for p in table if len(p) == 3 and p[1] in "tT"}
placed_first("functions of our own modules", functions,
             {n: a for n, a in text.items() if n.startswith(ours)}, set(text), 0.05)

row = next(l.split("]", 1)[1].split() for l in run("readelf", "-SW", binary).splitlines()
           if l.split("]", 1)[-1].split()[:1] == [".rodata"])
start, size = int(row[2], 16), int(row[4], 16)
rodata = {}
for p in table:
    if len(p) == 3 and start <= int(p[0], 16) < start + size:
        rodata.setdefault(p[2], int(p[0], 16))
placed_first("data symbols in .rodata", data, rodata, set(rodata), 0.25)
PY

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
echo "release-check: $bin is linked as intended and works$peak"
