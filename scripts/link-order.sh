#!/usr/bin/env bash
# `make link-order`: rewrites the two lists the shipped build (scripts/release-build.sh) places first:
#   Sources/fsrescue/link-order.txt       functions, at the front of .text, command by command in the order below
#   Sources/fsrescue/link-order-data.txt  read-only data the runtime reads, at the front of .rodata
#
# Functions: the release binary runs under valgrind's callgrind over every command on small fixture
# images, and scan on a 100k-file one (the growth paths a tiny image never takes): start-up, then
# scan, info, salvage, extract and fixture, then help and usage errors, so that a scan touches the
# front of the list only. Each executed instruction is named by the executable's symbol table, the
# names the linker matches (callgrind's own names come from debug information and can differ).
#
# Both lists name only symbols in small input sections (the link map says which): a name in a
# prebuilt object's whole .text or .rodata would pull all of that section forward.
#
# Data: every protocol conformance descriptor (the runtime reads them all at the first `as?` to a
# protocol), then the other .rodata symbols that valgrind's lackey sees read during start-up and a
# small scan (a Unicode table, in a large section, is left out).
#
# Takes about two minutes. Rerun it after large changes; stale lists cost peak memory, never
# correctness.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
order="$root/Sources/fsrescue/link-order.txt"
data="$root/Sources/fsrescue/link-order-data.txt"
command -v valgrind >/dev/null || { echo "link-order: valgrind is needed (apt-get install valgrind)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
LINK_MAP="$work/map.txt" "$root/scripts/release-build.sh" --product fsrescue >/dev/null
bin="$("$root/scripts/release-build.sh" --show-bin-path)/fsrescue"
objects="$(dirname "$bin")/fsrescue.product/Objects.LinkFileList"
cd "$work"

step=0
profile() {  # ARGS...: one run of the binary, profiled; its exit status does not matter
  step=$((step + 1))
  valgrind --tool=callgrind --dump-instr=yes --demangle=no --compress-strings=no --compress-pos=no \
    --log-file=/dev/null --callgrind-out-file="$work/$(printf 'cg.%03d' "$step")" \
    "$bin" "$@" >/dev/null 2>&1 || true
}

# Lackey prints every instruction and memory access; this keeps the first read of each 16-byte line
# of the executable's image, as offsets from its load address (a page boundary: that of the first
# instruction in the image, the entry point).
cat > first-reads.c <<'C'
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  unsigned long entry = strtoul(argv[1], 0, 16), span = strtoul(argv[2], 0, 16), base = 0, last = 0;
  unsigned char *seen = calloc(span / 16 + 1, 1);
  char line[256];
  while (fgets(line, sizeof line, stdin)) {
    if (line[0] == 'I') {
      last = strtoul(line + 3, 0, 16);
      if (!base && last >= entry && last - entry < span && (last - entry) % 4096 == 0) base = last - entry;
    } else if (base && line[0] == ' ' && line[1] == 'L') {
      unsigned long a = strtoul(line + 3, 0, 16);
      if (a >= base && a - base < span && !seen[(a - base) / 16]) { seen[(a - base) / 16] = 1; printf("%lx\n", a - base); }
    }
  }
  return 0;
}
C
${CC:-cc} -O2 -o first-reads first-reads.c
entry="$(readelf -h "$bin" | awk '/Entry point/ { print $4 }')"
span="$(readelf -lW "$bin" | python3 -c 'import sys
print("%x" % max(int(p[2], 16) + int(p[5], 16) for p in (l.split() for l in sys.stdin) if p and p[0] == "LOAD"))')"
reads() {  # ARGS...: the executable's data this run reads
  valgrind --tool=lackey --trace-mem=yes --log-fd=9 "$bin" "$@" 9>&1 >/dev/null 2>/dev/null \
    | ./first-reads "$entry" "$span" >> data-reads.txt || true
}

"$bin" fixture create --out plain.img --files 300 --max-file-size 64K >/dev/null
"$bin" fixture corrupt --in plain.img --out damaged.img --kind orphan-list --kind unlink-file \
  --kind unlink-dir --kind duplicate-blocks --kind dir-block-noise --kind link-count >/dev/null
file="$(python3 -c 'import json, sys
print(next(e["path"] for e in json.load(open(sys.argv[1]))["entries"] if e["type"] == "file" and e["size"] > 4096))' plain.img.truth.json)"
"$bin" fixture create --out large.img --files 100000 --max-file-size 8K >/dev/null
# mke2fs -d writes each large folder in several runs of blocks: an extent tree of depth 1.
mkdir -p tree/a tree/b
for i in $(seq 700); do echo "$i" > "tree/a/file-$i"; echo "$i" > "tree/b/file-$i"; done
truncate -s 64M folders.img && mke2fs -q -F -t ext4 -d tree folders.img
head -c 1048576 /dev/zero > zeros.img

# The runs whose peak memory is measured (a plain scan, then salvage) come first; short runs whose
# memory does not matter (help, usage errors, bad input) come last, so they add nothing between them.
profile --version
profile scan large.img
profile scan folders.img
profile scan plain.img
profile scan damaged.img
profile scan --json large.img
profile scan --json plain.img
profile scan --progress json damaged.img
profile scan --progress bar damaged.img
profile scan --json damaged.img
profile info plain.img
profile info --json damaged.img
profile salvage damaged.img --out salvaged
profile salvage --json --progress json damaged.img --out salvaged-json
profile salvage damaged.img --out salvaged
profile extract plain.img "$file" --out extracted
profile extract --stdout plain.img "$file"
profile extract --inode 12 --out by-inode damaged.img
profile fixture kinds
profile fixture create --out created.img --files 50 --max-file-size 16K
profile fixture corrupt --in created.img --out corrupted.img --kind clear-inode --kind bitmap-flip
profile --help
profile scan --help
profile scan --bogus
profile scan zeros.img
profile scan missing.img

reads --version
reads scan plain.img
reads scan --json damaged.img

# How many times each name is defined in the package's own objects (compiled with
# -function-sections, one section per function), and every symbol of the executable.
tr -d "'\"" < "$objects" | grep '\.o$' | xargs nm --defined-only | awk 'NF == 3 { print $3 }' \
  | sort | uniq -c | awk '{ print $2, $1 }' > own
nm -n -S --defined-only "$bin" > symbols
readelf -SW "$bin" | sed 's/^ *\[ *[0-9]*\]//' | awk '$1 == ".rodata" { print $3, $5 }' > rodata

stamp="($(date -u +%Y-%m-%d), $("${SWIFT:-swift}" --version 2>/dev/null | head -1)). Do not edit."
python3 - "$order.new" "$data.new" "$stamp" <<'PY'
import bisect, collections, glob, re, sys
order_out, data_out, stamp = sys.argv[1:4]

# A name defined more than once (a compiler helper such as `block_copy_helper`) is listed only when
# every definition is in one of the package's own objects: the linker then brings each of those small
# sections forward. One in a prebuilt object (FoundationEssentials and the standard library are not
# built with function sections) would pull that object's whole .text to the front.
# nm -n -S: address, size (only for sized symbols), type, name (which may hold spaces).
symbols = [re.match(r"([0-9a-f]+) (?:([0-9a-f]+) )?(\S) (.*)$", line.rstrip("\n")) for line in open("symbols")]
symbols = [(int(m[1], 16), int(m[2], 16) if m[2] else None, m[3], m[4]) for m in symbols if m]
own = dict((n, int(c)) for n, c in (line.split() for line in open("own")))
defined = collections.Counter(name for _, _, _, name in symbols)
ambiguous = {n for n, c in defined.items() if c > 1 and own.get(n, 0) != c}

text = sorted((a, n) for a, _, t, n in symbols if t in "tTW")   # functions
objects = [(a, z, n) for a, z, _, n in symbols if z is not None]  # sized symbols
starts = [a for a, _ in text]

def functions_at(address):  # every name of the function there (`main` is also `fsrescue_main`)
    i = bisect.bisect_right(starts, address) - 1
    names = []
    while i >= 0 and (not names or text[i][0] == text[i + 1][0]):
        names.append(text[i][1])
        i -= 1
    return names

# Each symbol's input section and that section's size, from the link map (lld: address, LMA, size,
# alignment, then an output section, an input section or, indented deepest, a symbol).
section_of, section = {}, None
for line in open("map.txt"):
    m = re.match(r"\s*[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)\s+\d+ (\s*)(.*)$", line)
    if not m:
        continue
    depth = len(m.group(2))
    if depth == 8:
        section = (m.group(3), int(m.group(1), 16))
    elif depth > 8 and section:
        section_of.setdefault(m.group(3), []).append(section)

def in_small_sections(name):  # every definition of the name lies in an input section of at most 64 KiB
    found = section_of.get(name, [])
    return name not in ambiguous and len(found) == defined[name] and all(size <= 65536 for _, size in found)

def once_in_small_section(name):
    return in_small_sections(name) and len(section_of[name]) == 1

# A function is listed only when its sections are small: one in a prebuilt object's whole .text (the
# standard library's is 1.5 MB) would pull all of it into the middle of the hot functions. A name
# defined in several of the package's objects (a closure of a generic) brings each of them.
# Each run adds the functions no earlier run executed, sorted by name, so that the list changes only
# when what runs changes (callgrind's own output order differs from one profile to the next).
seen, functions = set(), []
for path in sorted(glob.glob("cg.*")):
    ours, added = False, set()
    for line in open(path, errors="replace"):
        if line.startswith("ob="):
            ours = line.rstrip().endswith("/fsrescue")
        elif ours and line.startswith("0x"):
            names = functions_at(int(line.split()[0], 16))
            if names and names[0] not in seen:
                seen.update(names)
                added.update([n for n in names if in_small_sections(n)][:1])
    functions += sorted(added)

start, size = (int(x, 16) for x in open("rodata").read().split())
objects = sorted(o for o in objects if start <= o[0] < start + size)
object_starts = [o[0] for o in objects]
read = []
for line in open("data-reads.txt"):
    offset = int(line, 16)
    i = bisect.bisect_right(object_starts, offset) - 1
    if i >= 0 and objects[i][0] <= offset < objects[i][0] + objects[i][1]:
        read.append(objects[i][2])
descriptors = [n for _, _, n in objects if n.endswith("Mc")]
listed, data = set(), []
for name in descriptors + read:
    if name not in listed and once_in_small_section(name):
        listed.add(name)
        data.append(name)

with open(order_out, "w") as out:
    print("# Functions of the fsrescue executable in the order the commands first run them; written by", file=out)
    print("# scripts/link-order.sh " + stamp, file=out)
    out.writelines(n + "\n" for n in functions)
with open(data_out, "w") as out:
    print("# Read-only data of the fsrescue executable the runtime reads (protocol conformance descriptors", file=out)
    print("# first); written by scripts/link-order.sh " + stamp, file=out)
    out.writelines(n + "\n" for n in data)
PY
mv "$order.new" "$order"
mv "$data.new" "$data"
echo "link-order: $(grep -vc '^#' "$order") functions in ${order#"$root"/}," \
  "$(grep -vc '^#' "$data") data symbols in ${data#"$root"/}"
