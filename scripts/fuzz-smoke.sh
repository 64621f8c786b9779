#!/usr/bin/env bash
# Builds the libFuzzer harness (Sources/FSRescueFuzz, with AddressSanitizer) and fuzzes for a bounded time:
# info and extract-everything over mutated seed images, checking the sandbox invariants on every input.
#   FUZZ_SECONDS  how long to fuzz (default 120: the CI smoke run; 1800 or more for a campaign)
#   FUZZ_WORK     seeds, the growing corpus and crash artifacts (default ${TMPDIR:-/tmp}/fsrescue-fuzz)
#   FUZZ_ARGS     extra libFuzzer flags (for example -jobs=2 -workers=2)
# Exits non-zero when libFuzzer finds a crash, hang or broken invariant; the input is in $FUZZ_WORK/artifacts.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-120}
work=${FUZZ_WORK:-${TMPDIR:-/tmp}/fsrescue-fuzz}
swift=${SWIFT:-swift}
mkdir -p "$work/seeds" "$work/corpus" "$work/artifacts"

build=(--product FSRescueFuzz --scratch-path .build/fuzz
       -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFSRESCUE_LIBFUZZER)
# gold warns about every ASan assembly helper; nothing else is dropped.
nice -n 19 "$swift" build "${build[@]}" 2>&1 | grep -v "Cannot export local symbol" || true
bin="$("$swift" build --scratch-path .build/fuzz --show-bin-path)/FSRescueFuzz"
[ -x "$bin" ] || { echo "fuzz-smoke: the harness did not build" >&2; exit 1; }

[ -n "$(ls -A "$work/seeds")" ] || bash scripts/fuzz-seeds.sh "$work/seeds"
# Every regression image is a seed too, so old findings keep being mutated.
for f in Fixtures/regressions/*; do
    case $f in
        *.img.gz) gzip -dc "$f" > "$work/seeds/regression-$(basename "$f" .gz)" ;;
        *.img) cp "$f" "$work/seeds/regression-$(basename "$f")" ;;
    esac
done

echo "fuzz-smoke: fuzzing for ${seconds}s; corpus $work/corpus, artifacts $work/artifacts"
# Leaks are not findings here (libext2fs leaks on some error paths); crashes, hangs and aborts are.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1} \
nice -n 19 "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=3145728 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/" ${FUZZ_ARGS:-} \
    "$work/corpus" "$work/seeds"
