#!/usr/bin/env bash
# ETA honesty benchmark: for every progress update after the first 10% of a run, the error
# |elapsed + ETA − real total| / real total; median and maximum per image shape, for fsrescue's
# `--progress json` events and for e2fsck -fn -C (its bar extrapolated to an ETA as a reader would,
# with e2fsck's fixed 70/20/2/3/5 pass weights). Caches are dropped before each run where allowed.
#
#   bench/eta-honesty.sh [--scan-cmd CMD] [--salvage-cmd CMD] [--build-image CMD] [--shapes LIST]
#                        [--scale F] [--work DIR] [--rebuild] [--no-e2fsck]
#
#   --scan-cmd CMD      command that takes an image and `--progress json` and writes
#                       fsrescue.progress/1 events on stderr, e.g. ".build/shipped/release/fsrescue scan";
#                       without it only e2fsck is measured
#   --salvage-cmd CMD   the same for a command that writes a folder, e.g. ".build/shipped/release/fsrescue
#                       salvage": run with `--out WORK/eta-out` (removed before and after each run)
#   --no-e2fsck         skip the e2fsck runs
#   --build-image CMD   run as `CMD SHAPE IMAGE` to build a missing image (default: the built-in
#                       generator, `bench/eta_honesty.py make-image SHAPE IMAGE --scale F`)
#   --shapes LIST       default "small-files many-dirs huge-files"
#   --scale F           size of the built-in images; 1 (default) takes e2fsck a few seconds cold
#   --work DIR          where images live (default bench/work, ignored by git)
#   --rebuild           build images even if they exist
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
helper="$here/eta_honesty.py"
scan_cmd="" salvage_cmd="" e2fsck=1 build_cmd="" shapes="small-files many-dirs huge-files" scale=1 work="$here/work" rebuild=0
while [ $# -gt 0 ]; do
  case "$1" in
    --scan-cmd) scan_cmd="$2"; shift 2 ;;
    --salvage-cmd) salvage_cmd="$2"; shift 2 ;;
    --no-e2fsck) e2fsck=0; shift ;;
    --build-image) build_cmd="$2"; shift 2 ;;
    --shapes) shapes="$2"; shift 2 ;;
    --scale) scale="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --rebuild) rebuild=1; shift ;;
    -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "eta-honesty: unknown option $1 (see --help)" >&2; exit 16 ;;
  esac
done
export PATH="$PATH:/sbin:/usr/sbin"
mkdir -p "$work"
if [ ! -w /proc/sys/vm/drop_caches ]; then
  echo "eta-honesty: cannot drop caches (not root?); runs are warm-cache" >&2
fi

results="$work/results.jsonl"
: > "$results"
for shape in $shapes; do
  image="$work/$shape.img"
  if [ "$rebuild" = 1 ] || [ ! -s "$image" ]; then
    echo "eta-honesty: building $image" >&2
    if [ -n "$build_cmd" ]; then
      $build_cmd "$shape" "$image"
    else
      python3 "$helper" make-image "$shape" "$image" --scale "$scale" >/dev/null
    fi
  fi
  echo "eta-honesty: measuring $shape" >&2
  if [ "$e2fsck" = 1 ]; then
    python3 "$helper" measure-e2fsck "$image" | sed "s/^{/{\"shape\": \"$shape\", /" >> "$results"
  fi
  if [ -n "$scan_cmd" ]; then
    # shellcheck disable=SC2086 # the command is split into words on purpose
    python3 "$helper" measure-ours "$image" -- $scan_cmd | sed "s/^{/{\"shape\": \"$shape\", /" >> "$results"
  fi
  if [ -n "$salvage_cmd" ]; then
    # shellcheck disable=SC2086
    python3 "$helper" measure-ours --fresh "$work/eta-out" "$image" -- $salvage_cmd --out "$work/eta-out" \
      | sed "s/^{/{\"shape\": \"$shape\", /" >> "$results"
  fi
done

python3 - "$results" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
pct = lambda x: "-" if x is None else f"{100 * x:.1f}%"
print(f"{'shape':<12} {'tool':<17} {'total':>8} {'median err':>11} {'max err':>9} {'updates':>8} {'no ETA':>7}  cache")
for r in rows:
    print(f"{r['shape']:<12} {r['tool']:<17} {r['total_seconds']:>7.2f}s {pct(r['median_error']):>11} "
          f"{pct(r['max_error']):>9} {r['updates']:>8} {r['uncertain']:>7}  {'cold' if r['cold_cache'] else 'warm'}")
print("target for fsrescue: median ≤ 10%, max ≤ 25% (updates after the first 10% of the run)")
PY
