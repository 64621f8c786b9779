#!/usr/bin/env bash
# Times `fsrescue fixture create` on a large tree (default: one million files) and prints seconds,
# files per second and image size. Not a test: run it by hand on an otherwise idle machine.
#   bench/fixture-create.sh [FILES] [extra fixture create options, e.g. --type ext2 --block-size 1024]
set -euo pipefail
cd "$(dirname "$0")/.."
files=${1:-1000000}
shift || true
scripts/release-build.sh --product fsrescue >/dev/null
bin="$(scripts/release-build.sh --show-bin-path)/fsrescue"
work=bench/work
mkdir -p "$work"
img="$work/fixture-$files.img"
rm -f "$img" "$img.truth.json"
start=$(date +%s.%N)
"$bin" fixture create --out "$img" --files "$files" --max-file-size 1M --seed 1 "$@" >/dev/null
end=$(date +%s.%N)
seconds=$(echo "$end - $start" | bc -l)
names=$(grep -o '"type":"file"' "$img.truth.json" | wc -l || true)
printf 'files            %d (%d file names with hard links)\n' "$files" "$names"
printf 'seconds          %.2f\n' "$seconds"
printf 'files/s          %.0f\n' "$(echo "$files / $seconds" | bc -l)"
printf 'image size       %s bytes (%s allocated on disk)\n' "$(stat -c %s "$img")" "$(du -h "$img" | cut -f1)"
printf 'truth size       %s bytes\n' "$(stat -c %s "$img.truth.json")"
if [ "${FSCK:-0}" = 1 ]; then
  s=$(date +%s.%N); status=0; e2fsck -fn "$img" >/dev/null 2>&1 || status=$?; e=$(date +%s.%N)
  printf 'e2fsck -fn       exit %d in %.1f s\n' "$status" "$(echo "$e - $s" | bc -l)"
fi
