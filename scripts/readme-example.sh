#!/usr/bin/env bash
# Prints the README's worked example: a fixture image, a damaged copy, then scan and salvage on it.
# The README's block between <!-- readme-example:begin --> and <!-- readme-example:end --> is this
# script's output; ReadmeExampleTests keeps the two equal (timings aside), and
# `make readme` rewrites the block. Usage: scripts/readme-example.sh [PATH_TO_FSRESCUE]
set -euo pipefail
fsrescue=${1:-fsrescue}
case "$fsrescue" in */*) fsrescue=$(realpath "$fsrescue") ;; *) fsrescue=$(command -v "$fsrescue") ;; esac
[ -x "$fsrescue" ] || { echo "readme-example.sh: no fsrescue executable at ${1:-PATH}" >&2; exit 8; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export LC_ALL=C

# Runs one fsrescue command as a reader would type it and notes a non-zero exit status; anything
# but 0 (clean) or 4 (problems found) means the example itself is broken.
run() {
    echo "\$ fsrescue $*"
    local status=0
    "$fsrescue" "$@" 2>&1 || status=$?
    [ "$status" = 0 ] || echo "(exit status $status)"
    echo
    case "$status" in 0|4) ;; *) echo "readme-example.sh: fsrescue $1 failed with status $status" >&2; exit 1 ;; esac
}

run fixture create --out base.img --files 40 --dirs 4 --max-file-size 64K --seed 7
run fixture corrupt --in base.img --out broken.img --kind unlink-file --kind clear-inode --seed 3
run scan broken.img
run salvage broken.img --out rescue
echo "\$ find rescue/lost+found | sort"
find rescue/lost+found | sort
echo
echo "\$ grep -m1 '\"name_source\":\"slack\"' rescue/manifest.jsonl"
grep -m1 '"name_source":"slack"' rescue/manifest.jsonl || true
