#!/usr/bin/env bash
# The one definition of the shipped build (make release, demo, install, bench and the bench scripts):
#   scripts/release-build.sh [swift build arguments]      e.g. --product fsrescue, --show-bin-path
#
# Every flag below is there for peak RSS, which for a short run is mostly the executable's own pages
# (README, Performance: "Where the fixed memory goes"); each was measured on a 100k-file scan:
#   --static-swift-stdlib      no dozen runtime libraries to load and relocate (earlier stop)
#   libstdc++ linked statically: the Swift runtime's C++ needs little of it, and loading the shared
#                              libstdc++ cost 0.9 MB of mapped pages and symbol lookups
#   lld, -z pack-relative-relocs: 41,800 relative relocations as a 8 KB RELR table instead of a
#                              980 KB .rela.dyn that the loader reads at every start (PIE stays, and so
#                              does address-space randomization). Needs glibc 2.36 at run time.
#   -function-sections and --symbol-ordering-file: the functions the commands run (link-order.txt,
#                              written by scripts/link-order.sh) sit together at the front of .text,
#                              so the kernel's 64 KiB fault-around maps them and little else. A stale
#                              list only costs memory: names it lacks are placed as usual.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
swift="${SWIFT:-swift}"
flags=(-c release --static-swift-stdlib
  -Xswiftc -use-ld=lld
  -Xswiftc -Xfrontend -Xswiftc -function-sections
  -Xlinker -z -Xlinker pack-relative-relocs -Xlinker --no-export-dynamic
  -Xlinker "--symbol-ordering-file=$root/Sources/fsrescue/link-order.txt" -Xlinker --no-warn-symbol-ordering)

# The linker takes -lstdc++ from the first folder holding libstdc++.so or libstdc++.a: a folder
# holding only the archive, searched first, makes that one link static without touching -lc or -lm.
archive="$(${CC:-cc} -print-file-name=libstdc++.a 2>/dev/null || true)"
if [ -f "$archive" ]; then
  cxx="$root/.build/shipped/static-libstdc++"
  mkdir -p "$cxx"
  ln -sfn "$archive" "$cxx/libstdc++.a"
  flags+=(-Xlinker "-L$cxx")
else
  echo "release-build: libstdc++.a not found (install libstdc++-12-dev); linking libstdc++ dynamically" >&2
fi

# Its own scratch folder, apart from the debug and test builds, rebuilt from nothing when these flags
# change: the compiler's incremental build keeps objects compiled without -function-sections.
scratch="$root/.build/shipped"
stamp="$scratch/flags.txt"
if [ "$(cat "$stamp" 2>/dev/null)" != "${flags[*]}" ]; then
  rm -rf "$scratch/release" "$scratch"/*-unknown-linux-gnu
  mkdir -p "$scratch"
  printf '%s' "${flags[*]}" > "$stamp"
fi
exec "$swift" build --package-path "$root" --scratch-path "$scratch" "${flags[@]}" "$@"
