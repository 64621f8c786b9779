#!/usr/bin/env bash
# `make bench-eta`: ETA honesty (issue 5) of `fsrescue scan` and `fsrescue salvage` against e2fsck -C,
# on three shapes made by `fsrescue fixture create` (mke2fs -d for huge files), cold cache where
# allowed, then the cost of progress reporting (scan --progress json vs none, hyperfine, warm).
#   BENCH_DIR   where the images live (default bench/work; bench/bench.py makes and keys the same ones)
#   ETA_SHAPES  a subset of "small-files many-dirs huge-files files-1m"
#   BENCH_IMAGE_files_1m, BENCH_IMAGE_files_5m  existing 1M- and 5M-file images to use (5M: scan only)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${BENCH_DIR:-$root/bench/work}"
bin="$("$root/scripts/release-build.sh" --show-bin-path)/fsrescue"
eta="$work/eta"
mkdir -p "$eta"
make_fixture() {  # SHAPE-IMAGE ARGS...: makes it once, keyed by its arguments
  local image="$1"; shift
  [ -s "$image" ] || "$bin" fixture create --out "$image" --seed 1 "$@" >/dev/null
}
# many small files in few directories; many directories; few huge files.
make_fixture "$work/small_files-files-300000-dirs-50-max-file-size-64K.img" --files 300000 --dirs 50 --max-file-size 64K
make_fixture "$work/many_dirs-files-200000-dirs-100000-max-file-size-64K.img" --files 200000 --dirs 100000 --max-file-size 64K
# and the 1M-file image of make bench: the only one whose scan takes seconds here (cold).
files1m="${BENCH_IMAGE_files_1m:-$work/files_1m-files-1000000-max-file-size-1M.img}"
[ -s "$files1m" ] || "$bin" fixture create --out "$files1m" --seed 1 --files 1000000 --max-file-size 1M >/dev/null
huge="$work/huge_files-huge-8x512.img"
[ -s "$huge" ] || python3 -c "import sys; sys.path.insert(0, '$root/bench'); import benchlib; benchlib.make_huge_image('$huge', 8, 512, '$work')"
ln -f "$work/small_files-files-300000-dirs-50-max-file-size-64K.img" "$eta/small-files.img"
ln -f "$work/many_dirs-files-200000-dirs-100000-max-file-size-64K.img" "$eta/many-dirs.img"
ln -f "$huge" "$eta/huge-files.img"
ln -f "$files1m" "$eta/files-1m.img"
bash "$root/bench/eta-honesty.sh" --work "$eta" --scan-cmd "$bin scan" --salvage-cmd "$bin salvage" \
  --shapes "${ETA_SHAPES:-small-files many-dirs huge-files files-1m}"
# BENCH_IMAGE_files_5m: an existing 5M-file image (BENCH_LARGE=1 make bench makes one). Its scan takes
# several seconds even cold, where every shape above now finishes in about one, before any figure;
# scan only (its salvage would need ~30 GiB of output).
if [ -n "${BENCH_IMAGE_files_5m:-}" ] && [ -s "$BENCH_IMAGE_files_5m" ]; then
  large="$work/eta-large"
  mkdir -p "$large"
  ln -f "$BENCH_IMAGE_files_5m" "$large/files-5m.img" 2>/dev/null || ln -sf "$BENCH_IMAGE_files_5m" "$large/files-5m.img"
  echo
  bash "$root/bench/eta-honesty.sh" --work "$large" --scan-cmd "$bin scan" --shapes files-5m
fi
echo
echo "progress overhead: scan --progress json vs none (warm, hyperfine)"
for shape in small-files many-dirs; do
  hyperfine -N -w 2 -r "${BENCH_RUNS:-10}" --export-json "$eta/overhead-$shape.json" \
    "$bin scan $eta/$shape.img --progress none" "$bin scan $eta/$shape.img --progress json" >/dev/null 2>&1 || true
  python3 - "$eta/overhead-$shape.json" "$shape" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
none, js = r[0]["median"], r[1]["median"]
print(f"{sys.argv[2]:<12} none {none:.3f} s  json {js:.3f} s  overhead {100 * (js / none - 1):+.1f}% (target < 2%)")
PY
done
