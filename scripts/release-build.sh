#!/usr/bin/env bash
# The one definition of the shipped build (make release, demo, install, bench and the bench scripts):
#   scripts/release-build.sh [swift build arguments]      e.g. --product fsrescue, --show-bin-path
# LINK_MAP=FILE also writes lld's link map there (scripts/link-order.sh reads it).
#
# Every flag below is there for peak RSS, which for a short run is mostly the executable's own pages
# (docs/benchmarks.md: "Linking for memory"); each was measured on a 100k-file scan:
#   --static-swift-stdlib      no dozen runtime libraries to load and relocate (earlier stop)
#   libstdc++ and the unwinder linked statically: the Swift runtime's C++ needs little of them, and
#                              loading the shared libstdc++ cost 0.9 MB of mapped pages and symbol
#                              lookups (libgcc_s 80 KB)
#   lld, -z pack-relative-relocs: 41,800 relative relocations as a 8 KB RELR table instead of a
#                              980 KB .rela.dyn that the loader reads at every start (PIE stays, and so
#                              does address-space randomization). Needs glibc 2.36 at run time.
#   -function-sections and --symbol-ordering-file: the functions the commands run (link-order.txt)
#                              sit together at the front of .text, and the data the runtime reads at
#                              start-up (link-order-data.txt: every protocol conformance descriptor,
#                              which the first `as?` to a protocol reads all of) at the front of
#                              .rodata, so the kernel's 64 KiB fault-around maps them and little else.
#                              Both lists come from scripts/link-order.sh; a stale list only costs
#                              memory: names it lacks are placed as usual.
#   -disable-llvm-merge-functions-pass: merged functions (`...Tm`) share their names with the
#                              prebuilt libraries' and cannot be listed; unmerged, each has a name.
#   link-helpers.ld            the compiler's helpers no list can name (closure destroyers, block helpers)
#                              together ahead of .text.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
swift="${SWIFT:-swift}"
scratch="$root/.build/shipped"
order="$scratch/symbol-order.txt"
flags=(-c release --static-swift-stdlib
  -Xswiftc -use-ld=lld
  -Xswiftc -Xfrontend -Xswiftc -function-sections
  -Xswiftc -Xfrontend -Xswiftc -disable-llvm-merge-functions-pass
  -Xlinker -z -Xlinker pack-relative-relocs -Xlinker --no-export-dynamic
  -Xlinker "--symbol-ordering-file=$order" -Xlinker --no-warn-symbol-ordering
  -Xlinker "--script=$root/Sources/fsrescue/link-helpers.ld")

# The linker takes -lstdc++ (or -lgcc_s) from the first folder holding its .so or .a: a folder that
# holds only archives, searched first, makes those links static without touching -lc or -lm.
# libstdc++.a is itself; for -lgcc_s it is libgcc_eh.a, the unwinder libgcc_s.so.1 wraps (gcc's
# -static-libgcc does the same): one shared library fewer to map, 80 KB of a scan's peak.
static="$scratch/static-libs"
mkdir -p "$static"
for pair in libstdc++.a:libstdc++.a libgcc_eh.a:libgcc_s.a; do
  archive="$(${CC:-cc} -print-file-name="${pair%%:*}" 2>/dev/null || true)"
  if [ -f "$archive" ]; then
    ln -sfn "$archive" "$static/${pair##*:}"
  else
    echo "release-build: ${pair%%:*} not found (install libstdc++-12-dev); linking ${pair##*:} dynamically" >&2
  fi
done
flags+=(-Xlinker "-L$static")

# libext2fs, libe2p, libcom_err and libblkid linked in as well, from their Debian -dev packages'
# archives: 0.3 MB less peak memory on a 100k-file scan and 0.3-0.5 ms less start-up (no symbols
# looked up, no four libraries mapped). SwiftPM asks pkg-config for the flags of the two system-library
# targets, and its -L/usr/lib/... would come first; a pkg-config folder of our own names the archives'
# folder instead. The cost: a distribution's security fix to these libraries reaches fsrescue only
# when it is built again (`fsrescue --version` names the versions inside). FSRESCUE_SHARED_E2FSPROGS=1
# links the shared libraries, for packagers who rebuild on such fixes less readily than they update.
if [ "${FSRESCUE_SHARED_E2FSPROGS:-0}" != 1 ]; then
  pcdir="$scratch/pkgconfig"
  mkdir -p "$pcdir"
  missing=()
  for pair in ext2fs:libext2fs.a e2p:libe2p.a com_err:libcom_err.a blkid:libblkid.a; do
    archive="$(pkg-config --variable=libdir "${pair%%:*}" 2>/dev/null || true)/${pair##*:}"
    if [ -f "$archive" ]; then ln -sfn "$archive" "$static/${pair##*:}"; else missing+=("${pair##*:}"); fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    for pc in ext2fs blkid; do
      sed -E "s|^Libs:(.*)$|Libs: -L$static\1|" "$(pkg-config --variable=pcfiledir "$pc")/$pc.pc" > "$pcdir/$pc.pc"
    done
    export PKG_CONFIG_PATH="$pcdir${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
  else
    rm -f "$static"/{libext2fs,libe2p,libcom_err,libblkid}.a
    echo "release-build: ${missing[*]} not found (install libext2fs-dev, comerr-dev, libblkid-dev); linking them as shared libraries" >&2
  fi
else
  rm -f "$static"/{libext2fs,libe2p,libcom_err,libblkid}.a
fi

# Its own scratch folder, apart from the debug and test builds, rebuilt from nothing when these flags
# change: the compiler's incremental build keeps objects compiled without the new frontend flags.
stamp="$scratch/flags.txt"
if [ "$(cat "$stamp" 2>/dev/null)" != "${flags[*]}" ]; then
  rm -rf "$scratch/release" "$scratch"/*-unknown-linux-gnu
  mkdir -p "$scratch"
  printf '%s' "${flags[*]}" > "$stamp"
fi

# The two lists as one ordering file. The build system does not look inside it, nor inside the
# linker script, so a change to either (or a link map asked for) removes the executables: they are
# linked again, and nothing is compiled again.
lists=("$root/Sources/fsrescue/link-order.txt" "$root/Sources/fsrescue/link-order-data.txt")
inputs="$scratch/link-inputs.txt"
case " $* " in
  *" --show-bin-path "*) ;;
  *) if ! cat "${lists[@]}" "$root/Sources/fsrescue/link-helpers.ld" | cmp -s - "$inputs" || [ -n "${LINK_MAP:-}" ]; then
       cat "${lists[@]}" > "$order"
       cat "${lists[@]}" "$root/Sources/fsrescue/link-helpers.ld" > "$inputs"
       rm -f "$scratch"/*-unknown-linux-gnu/release/{fsrescue,fsrescue-example,FSRescueFuzz}
     fi ;;
esac
[ -n "${LINK_MAP:-}" ] && flags+=(-Xlinker "-Map=$LINK_MAP" -Xlinker --no-demangle)
exec "$swift" build --package-path "$root" --scratch-path "$scratch" "${flags[@]}" "$@"
