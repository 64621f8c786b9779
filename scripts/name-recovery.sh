#!/bin/sh
# Prints path-recovery figures on seeded fixtures: fsrescue salvage against e2fsck -fy + debugfs rdump.
#
# usage: scripts/name-recovery.sh [FSRESCUE_BINARY]
# For each fixture: the orphaned files (truth: regular files, content intact, no longer reachable
# from the root), how many fsrescue brings back at lost+found/<exact original path> with the right
# SHA-256, and how many exist at their original path with the right content after `e2fsck -fy` on a
# copy and `debugfs -R 'rdump / DIR'` of it (e2fsck reconnects them as /lost+found/#ino).
# Also counts wrong paths: fsrescue outputs named from evidence whose path differs from the truth.
# Needs e2fsprogs (e2fsck, debugfs) and python3 (scoring only).
set -u
bin=${1:-$(cd "$(dirname "$0")/.." && pwd)/.build/debug/fsrescue}
[ -x "$bin" ] || { echo "no fsrescue binary at $bin (run swift build)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "python3 is needed to score" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

score() {  # truth manifest rdump-dir -> "orphaned ours wrong e2fsck"
    python3 - "$1" "$2" "$3" <<'PY'
import hashlib, json, os, sys
truth = json.load(open(sys.argv[1]))
paths, sha = {}, {}
for e in truth["entries"]:
    paths.setdefault(e["inode"], []).append(e["path"])
    if "sha256" in e: sha[e["inode"]] = e["sha256"]
orphaned = [a["inode"] for a in truth["recoverable"]["affected"]
            if a["type"] == "file" and a["content"] == "intact" and not a["reachable"] and a["inode"] in sha]
items = [json.loads(l) for l in open(sys.argv[2]) if '"record":"item"' in l.replace(" ", "")]
by = {}
for r in items: by.setdefault(r["inode"], []).append(r)
ours = sum(1 for i in orphaned if any(r["path"] == "lost+found" + p and r.get("sha256") == sha[i]
                                        for r in by.get(i, []) for p in paths[i]))
def agrees(path, ino):
    parts = [p for p in path.split("/") if p]
    unnamed = [k for k, p in enumerate(parts) if p.startswith("#")]
    if not unnamed: return path in paths.get(ino, [])
    tail = "/" + "/".join(parts[unnamed[-1] + 1:])
    return any(p.endswith(tail) for p in paths.get(ino, []))
wrong = sum(1 for r in items if r["path"].startswith("lost+found/") and r.get("name_source", "none") != "none"
            and not agrees(r["path"][len("lost+found"):], r["inode"]))
def digest(f):
    h = hashlib.sha256()
    with open(f, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""): h.update(chunk)
    return h.hexdigest()
theirs = 0
for i in orphaned:
    for p in paths[i]:
        f = sys.argv[3] + p
        if os.path.isfile(f) and not os.path.islink(f) and digest(f) == sha[i]:
            theirs += 1
            break
print(len(orphaned), ours, wrong, theirs)
PY
}

printf '%-48s %9s %16s %12s %16s\n' fixture orphaned fsrescue wrong "e2fsck+rdump"
run() {  # name type block-size size files seed corrupt-seed kinds...
    name=$1 type=$2 bs=$3 size=$4 files=$5 seed=$6 cseed=$7
    shift 7
    kinds=""
    for k in "$@"; do kinds="$kinds --kind $k"; done
    d="$tmp/$name"
    mkdir -p "$d"
    "$bin" fixture create --out "$d/base.img" --type "$type" --block-size "$bs" --size "$size" --files "$files" \
        --max-file-size 64K --seed "$seed" >/dev/null 2>&1 || { echo "$name: fixture create failed" >&2; return; }
    # shellcheck disable=SC2086
    "$bin" fixture corrupt --in "$d/base.img" --out "$d/bad.img" --count 3 --seed "$cseed" $kinds >/dev/null 2>&1 \
        || { echo "$name: fixture corrupt failed" >&2; return; }
    "$bin" salvage "$d/bad.img" --out "$d/ours" --orphans-only >/dev/null 2>&1
    cp "$d/bad.img" "$d/fsck.img"
    e2fsck -fy "$d/fsck.img" >/dev/null 2>&1
    mkdir -p "$d/rdump"
    debugfs -R "rdump / $d/rdump" "$d/fsck.img" >/dev/null 2>&1
    set -- $(score "$d/bad.img.truth.json" "$d/ours/manifest.jsonl" "$d/rdump")
    printf '%-48s %9s %9s (%3s%%) %12s %9s (%3s%%)\n' "$name" "$1" "$2" "$(( $1 ? 100 * $2 / $1 : 0 ))" "$3" "$4" "$(( $1 ? 100 * $4 / $1 : 0 ))"
    rm -rf "$d"
}

run "ext4-1k unlink-file+unlink-dir+orphan-list" ext4 1024 24M 300 2 7 unlink-file unlink-dir orphan-list
run "ext4-1k clear-inode" ext4 1024 24M 300 2 7 clear-inode
run "ext4-1k all four" ext4 1024 24M 300 2 7 unlink-file unlink-dir clear-inode orphan-list
run "ext4-4k all four + dir-block-noise" ext4 4096 32M 200 3 11 unlink-file unlink-dir clear-inode orphan-list dir-block-noise
run "ext3-4k unlink-file+clear-inode+orphan-list" ext3 4096 32M 200 4 9 unlink-file clear-inode orphan-list
run "ext2-1k unlink-dir+clear-inode+dir-block-noise" ext2 1024 24M 300 5 10 unlink-dir clear-inode dir-block-noise
