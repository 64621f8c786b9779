#!/usr/bin/env bash
# `make link-order`: rewrites Sources/fsrescue/link-order.txt, the list of functions the shipped
# build places together at the front of .text (see scripts/release-build.sh).
#
# Runs the release binary under valgrind's callgrind over every command on small fixture images, and
# scan on a 100k-file one (the growth paths a tiny image never takes):
# start-up, then scan, info, salvage, extract and fixture, then help and usage errors, so that a
# scan touches the front of the list only. Each function is listed once, where it first runs. Takes
# about two minutes. Rerun it after large changes; a stale list costs peak memory, never correctness.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
order="$root/Sources/fsrescue/link-order.txt"
command -v valgrind >/dev/null || { echo "link-order: valgrind is needed (apt-get install valgrind)" >&2; exit 1; }

"$root/scripts/release-build.sh" --product fsrescue >/dev/null
bin="$("$root/scripts/release-build.sh" --show-bin-path)/fsrescue"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

step=0
profile() {  # ARGS...: one run of the binary, profiled; its exit status does not matter
  step=$((step + 1))
  valgrind --tool=callgrind --demangle=no --compress-strings=no --compress-pos=no \
    --log-file=/dev/null --callgrind-out-file="$work/$(printf 'cg.%03d' "$step")" \
    "$bin" "$@" >/dev/null 2>&1 || true
}

"$bin" fixture create --out plain.img --files 300 --max-file-size 64K >/dev/null
"$bin" fixture corrupt --in plain.img --out damaged.img --kind orphan-list --kind unlink-file \
  --kind unlink-dir --kind duplicate-blocks --kind dir-block-noise --kind link-count >/dev/null
file="$(python3 -c 'import json, sys
print(next(e["path"] for e in json.load(open(sys.argv[1]))["entries"] if e["type"] == "file" and e["size"] > 4096))' plain.img.truth.json)"
"$bin" fixture create --out large.img --files 100000 --max-file-size 8K >/dev/null
head -c 1048576 /dev/zero > zeros.img

# The runs whose peak memory is measured (scan, then salvage) come first; short runs whose memory
# does not matter (help, usage errors, bad input) come last, so they add nothing between them.
profile --version
profile scan large.img
profile scan --json large.img
profile scan plain.img
profile scan --json plain.img
profile scan --progress json damaged.img
profile scan --progress bar damaged.img
profile scan --json damaged.img
profile info plain.img
profile info --json damaged.img
profile salvage damaged.img --out salvaged
profile salvage --json --progress json damaged.img --out salvaged-json
profile salvage damaged.img --out salvaged
profile extract plain.img "$file" --out extracted
profile extract --stdout plain.img "$file"
profile extract --inode 12 --out by-inode damaged.img
profile fixture kinds
profile fixture create --out created.img --files 50 --max-file-size 16K
profile fixture corrupt --in created.img --out corrupted.img --kind clear-inode --kind bitmap-flip
profile --help
profile scan --help
profile scan --bogus
profile scan zeros.img
profile scan missing.img

{
  echo "# Functions of the fsrescue executable in the order the commands first run them; written by"
  echo "# scripts/link-order.sh ($(date -u +%Y-%m-%d), $("${SWIFT:-swift}" --version 2>/dev/null | head -1)). Do not edit."
  nm --defined-only "$bin" | awk '{ print $3 }' | sort | uniq -d > "$work/ambiguous"
  python3 - "$work/ambiguous" "$work"/cg.* <<'PY'
import re, sys
# A name defined more than once (a module's local helper, such as a merged `...Tm` function) would
# pull every section defining it to the front, among them whole prebuilt objects' .text
# (FoundationEssentials is not built with function sections): 0.4 MB more of a 100k scan's peak.
seen = {line.strip() for line in open(sys.argv[1])}
for path in sys.argv[2:]:
    obj = None
    for line in open(path, errors="replace"):
        if line.startswith("ob="):
            obj = line[3:].strip()
        elif line.startswith("fn=") and obj and obj.endswith("/fsrescue"):
            name = re.sub(r"'\d+$", "", line[3:].strip())  # callgrind's recursion-depth suffix
            if name and not name.startswith("0x") and name not in seen:
                seen.add(name)
                print(name)
PY
} > "$order.new"
mv "$order.new" "$order"
echo "link-order: $(grep -vc '^#' "$order") functions in ${order#"$root"/}"
