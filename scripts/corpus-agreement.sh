#!/bin/sh
# Prints how `fsrescue scan` agrees with e2fsck on every image of the e2fsprogs corpus.
#
# usage: scripts/corpus-agreement.sh [CORPUS_DIR] [FSRESCUE_BINARY]
# Expected verdict per image: INDEX.tsv's `e2fsck -fn` exit (0 clean, 4 damaged); for 8, 12 and
# timeout, the exit status at the end of expect.1 (e2fsck -fy's first run): 1-7 damaged, 0 clean,
# 8 unusable (scan may say damaged, 4, or could-not-check, 8). Each scan runs under a 60 s deadline.
# Images whose journal needs recovery are judged by e2fsck -fn on a copy whose journal e2fsck replayed
# (`e2fsck -E journal_only`, fast commits included; marked "r" in the e2fsck column): scan replays the
# journal in memory. (debugfs's journal_run skips a journal with fast commits; e2fsck's replay also
# clears orphans, which for these images changes no verdict.)
set -u
corpus=${1:-$(cd "$(dirname "$0")/../.." && pwd)/shared/corpus/e2fsprogs}
bin=${2:-$(cd "$(dirname "$0")/.." && pwd)/.build/debug/fsrescue}
[ -f "$corpus/INDEX.tsv" ] || { echo "no corpus at $corpus" >&2; exit 2; }
[ -x "$bin" ] || { echo "no fsrescue binary at $bin (run swift build)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
agree=0 total=0
printf '%-40s %-8s %-8s %-10s %-5s %s\n' image e2fsck expect.1 expected scan agree
tail -n +2 "$corpus/INDEX.tsv" | while IFS='	' read -r name fn _; do
    dir="$corpus/$name"
    img="$tmp/$name.img"
    if [ -f "$dir/image.gz" ]; then gzip -dc "$dir/image.gz" > "$img"
    elif [ -f "$dir/image.bz2" ]; then bzip2 -dc "$dir/image.bz2" > "$img"
    else continue; fi
    e1=$(sed -n 's/^Exit status is \([0-9]*\).*/\1/p' "$dir/expect.1" 2>/dev/null | head -1)
    case "$fn" in
        0) expected=clean ;;
        4) expected=damaged ;;
        *) case "${e1:-8}" in
               0) expected=clean ;;
               8) expected=unusable ;;
               *) expected=damaged ;;
           esac ;;
    esac
    # A journal needing recovery: scan reads the replayed view, so the oracle is e2fsck -fn on a copy
    # whose journal e2fsck replayed (-E journal_only); the e2fsck column then shows that exit.
    if dumpe2fs -h "$img" 2>/dev/null | grep -q needs_recovery; then
        cp "$img" "$tmp/replayed.img"
        e2fsck -E journal_only -y "$tmp/replayed.img" >/dev/null 2>&1
        e2fsck -fn "$tmp/replayed.img" >/dev/null 2>&1
        fn="$?r"
        case "$fn" in 0r) expected=clean ;; 4r) expected=damaged ;; *) expected=unusable ;; esac
        rm -f "$tmp/replayed.img"
    fi
    timeout -s KILL 60 "$bin" scan "$img" > "$tmp/out" 2>&1
    rc=$?
    case "$expected:$rc" in
        clean:0|damaged:4|unusable:4|unusable:8) ok=yes ;;
        *) ok=NO ;;
    esac
    printf '%-40s %-8s %-8s %-10s %-5s %s\n' "$name" "$fn" "${e1:--}" "$expected" "$rc" "$ok"
    rm -f "$img"
done | tee "$tmp/table"
n=$(grep -c ' yes$' "$tmp/table"); t=$(wc -l < "$tmp/table")
echo "agreement: $n/$t"
