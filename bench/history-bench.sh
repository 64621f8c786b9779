#!/usr/bin/env bash
# What each tool brings back of the files a later mount deleted or overwrote, on the kernel-written
# history images (Fixtures/kernel/history-*: scripts/kernel-images.py --history), scored against
# their NAME.deleted.jsonl: non-empty files back with their exact content, and under their path.
# Then the cost of indexing a journal against reading it cold (one 128 MiB journal, 4 KiB blocks).
# Usage: bench/history-bench.sh [FSRESCUE-BINARY]    (root, for drop_caches; `make bench-deps` installs ext4magic and extundelete)
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$here/.build/debug/fsrescue}
work=$(mktemp -d /tmp/history-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
score() { python3 "$here/bench/history-score.py" "$@"; }
for tool in ext4magic extundelete debugfs; do
    command -v "$tool" >/dev/null || { echo "history-bench: $tool is missing; run make bench-deps" >&2; exit 1; }
done
printf 'image\tfiles\tfsrescue content/path\text4magic -r content/path\text4magic -M content/path\textundelete content/path\tdebugfs -c rdump\n'
for xz in "$here"/Fixtures/kernel/history-*.img.xz; do
    name=$(basename "$xz" .img.xz)
    img=$work/$name.img; truth=$work/$name.deleted.jsonl
    xz -dc "$xz" > "$img"; xz -dc "$here/Fixtures/kernel/$name.deleted.jsonl.xz" > "$truth"
    "$bin" salvage "$img" --out "$work/fsr" --deleted >/dev/null 2>&1
    f=$(score "$truth" "$work/fsr" --base deleted)
    (cd "$work" && ext4magic "$img" -r -d "$work/e4r" >/dev/null 2>&1); r=$(score "$truth" "$work/e4r")
    (cd "$work" && ext4magic "$img" -M -d "$work/e4m" >/dev/null 2>&1); m=$(score "$truth" "$work/e4m")
    (cd "$work" && extundelete "$img" --restore-all >/dev/null 2>&1); u=$(score "$truth" "$work/RECOVERED_FILES")
    debugfs -c -R "rdump / $work/dbg" "$img" >/dev/null 2>&1 || mkdir -p "$work/dbg"; d=$(score "$truth" "$work/dbg")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$(cut -f1 <<<"$f")" "$(cut -f2,3 <<<"$f" | tr '\t' /)" \
        "$(cut -f2,3 <<<"$r" | tr '\t' /)" "$(cut -f2,3 <<<"$m" | tr '\t' /)" "$(cut -f2,3 <<<"$u" | tr '\t' /)" "$(cut -f2,3 <<<"$d" | tr '\t' /)"
    rm -rf "$work"/fsr "$work"/e4r "$work"/e4m "$work"/RECOVERED_FILES "$work"/dbg "$img" "$truth"
done

# Indexing cost: a 1 GiB ext4 with a 128 MiB journal filled by many small transactions.
big=$work/journal128.img
truncate -s 1G "$big" && mkfs.ext4 -q -J size=128 "$big" && mkdir -p "$work/m" && mount -o loop "$big" "$work/m" || { echo "cannot mount: indexing cost skipped"; exit 0; }
for i in $(seq 1 300); do mkdir -p "$work/m/d$((i % 30))"; head -c 200000 /dev/urandom > "$work/m/d$((i % 30))/f$i"; sync; done
rm -rf "$work/m/d1" "$work/m/d2"; umount "$work/m"
read -r start len < <(debugfs -R "stat <8>" "$big" 2>/dev/null | awk '/\(0-/ { split($0, a, ":"); sub(/^ */, "", a[2]); split(a[2], b, "-"); print b[1], 32768 }' | head -1)
cold() { sync; echo 3 > /proc/sys/vm/drop_caches; }
cold; t0=$(date +%s.%N); dd if="$big" of=/dev/null bs=4096 skip="$start" count="$len" iflag=direct status=none 2>/dev/null \
    || dd if="$big" of=/dev/null bs=4096 skip="$start" count="$len" status=none; t1=$(date +%s.%N)
cold; t2=$(date +%s.%N); "$bin" scan "$big" >/dev/null 2>&1; t3=$(date +%s.%N)
cold; t4=$(date +%s.%N); "$bin" scan --deleted "$big" > "$work/hist.txt" 2>&1; t5=$(date +%s.%N)
cold; t6=$(date +%s.%N); (cd "$work" && ext4magic "$big" -r -d "$work/e4" >/dev/null 2>&1); t7=$(date +%s.%N)
python3 - "$t0" "$t1" "$t2" "$t3" "$t4" "$t5" "$t6" "$t7" <<'PY'
import sys
t = [float(x) for x in sys.argv[1:]]
read, scan, both, e4m = t[1] - t[0], t[3] - t[2], t[5] - t[4], t[7] - t[6]
index = both - scan
print(f"128 MiB journal: cold read {read*1000:.0f} ms; scan {scan*1000:.0f} ms, scan --deleted {both*1000:.0f} ms: "
      f"history {index*1000:.0f} ms = {index/read:.2f}x the cold read (target 1.5x); ext4magic -r {e4m*1000:.0f} ms")
PY
grep "Journal history" "$work/hist.txt" | cut -c1-200
