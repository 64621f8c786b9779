#!/usr/bin/env bash
# Cost of reading through the journal overlay: `fsrescue scan` of a kernel power-cut image (journal
# replayed in memory) against `fsrescue scan` of a copy whose journal e2fsck replayed onto it, same
# files, with hyperfine. Prints both and the ratio (the --no-replay scan of the stale view may exit 4).
#   bench/replay-bench.sh [FILES] [BIN]     FILES default 100000; BIN default the release build
# Needs root and `mount -o loop` (the image is written by the kernel); BENCH_DIR for the images.
set -euo pipefail
files=${1:-100000}
if [ -z "${2:-}" ]; then
    SWIFT=${SWIFT:-swift} bash "$(dirname "$0")/../scripts/release-build.sh" >/dev/null
    bin="$(SWIFT=${SWIFT:-swift} bash "$(dirname "$0")/../scripts/release-build.sh" --show-bin-path)/fsrescue"
else
    bin=$2
fi
work=${BENCH_DIR:-${TMPDIR:-/tmp}/fsrescue-replay-bench}
mkdir -p "$work"
img="$work/powercut-$files.img"
if [ ! -f "$img" ]; then
    live="$work/live.img" mnt="$work/mnt"
    mkdir -p "$mnt"
    truncate -s $(( files / 200 + 256 ))M "$live"
    mkfs.ext4 -q -F -N $(( files + 1000 )) "$live"
    mount -o loop,commit=300 "$live" "$mnt"
    # Most of the tree is checkpointed (sync); the last 5% is written after and only fsync'd, so the
    # journal holds it: the replayed view differs from the disk's in the blocks a power cut leaves behind.
    python3 - "$mnt" "$files" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
cut = n * 95 // 100
for i in range(n):
    d = f"{root}/d{i // 1000:04d}"
    if i % 1000 == 0: os.makedirs(d, exist_ok=True)
    with open(f"{d}/f{i:07d}", "wb") as f: f.write(b"%d\n" % i)
    if i == cut: os.sync()
fd = os.open(f"{root}/d0000/f0000000", os.O_RDONLY); os.fsync(fd); os.close(fd)
PY
    cp "$live" "$img"
    umount "$mnt"
    rm -f "$live"
fi
checkpointed="$work/checkpointed-$files.img"
cp "$img" "$checkpointed"
e2fsck -E journal_only -y "$checkpointed" >/dev/null 2>&1 || true
"$bin" info "$img" | grep -i journal
hyperfine -N -i --warmup 2 --runs 10 --export-json "$work/replay.json" \
    "$bin scan $img" "$bin scan $checkpointed" "$bin scan --no-replay $img" >/dev/null
python3 - "$work/replay.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
replayed, checkpointed, disk = (x["median"] for x in r)
print(f"scan through the overlay:   {replayed*1000:8.1f} ms (median of 10)")
print(f"scan of the checkpointed copy: {checkpointed*1000:5.1f} ms")
print(f"scan --no-replay (stale view): {disk*1000:5.1f} ms")
print(f"overlay / checkpointed: {replayed / checkpointed:.2f}x (target 1.10x)")
PY
