#!/bin/sh
# Compares `fsrescue scan` with `e2fsck -fn` on the same image: wall time and peak RSS, with ratios.
#
# usage: bench/scan-vs-e2fsck.sh [FILES] [RUNS]
#   FILES  number of files in the generated image (default 100000), spread over FILES/1000 directories
#   RUNS   timed runs of each tool; the best wall time and its peak RSS are kept (default 3)
# Builds the release binary, generates a folder of small files, makes an ext4 image with `mke2fs -d`,
# then times both tools with /usr/bin/time -v (warm cache: one untimed run of each first).
set -eu
files=${1:-100000}
runs=${2:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$root/scripts/release-build.sh" --product fsrescue >/dev/null
bin="$("$root/scripts/release-build.sh" --show-bin-path)/fsrescue"

python3 - "$work/tree" "$files" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
per = 1000
for i in range(n):
    d = os.path.join(root, "d%04d" % (i // per))
    if i % per == 0:
        os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "file-%07d.txt" % i), "w") as f:
        f.write(("line %d of a small file\n" % i) * (1 + i % 7))
PY
size_mib=$(( files / 100 + 64 ))
truncate -s "${size_mib}M" "$work/fs.img"
mke2fs -q -F -t ext4 -N $(( files + files / 10 + 1024 )) -d "$work/tree" "$work/fs.img"
rm -rf "$work/tree"

measure() {  # prints "seconds kib" for the best of $runs runs of "$@"
    "$@" >/dev/null 2>&1 || true
    best=""
    i=0
    while [ $i -lt "$runs" ]; do
        /usr/bin/time -v "$@" >/dev/null 2>"$work/time" || true
        wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time" | awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
        rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time")
        if [ -z "$best" ] || awk "BEGIN { exit !($wall < ${best%% *}) }"; then best="$wall $rss"; fi
        i=$((i + 1))
    done
    echo "$best"
}

scan=$(measure "$bin" scan "$work/fs.img")
fsck=$(measure e2fsck -fn "$work/fs.img")
echo "image: $files files, ${size_mib} MiB ext4"
printf '%-16s %10s %12s\n' tool "wall (s)" "peak RSS (KiB)"
printf '%-16s %10s %12s\n' "fsrescue scan" ${scan}
printf '%-16s %10s %12s\n' "e2fsck -fn" ${fsck}
awk -v s="$scan" -v e="$fsck" 'BEGIN {
    split(s, a, " "); split(e, b, " ")
    printf "time ratio scan/e2fsck: %.2f (target <= 1)\nRSS ratio scan/e2fsck:  %.2f (target <= 2)\n", a[1] / b[1], a[2] / b[2]
}'
