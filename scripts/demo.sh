#!/usr/bin/env bash
# Makes a small damaged ext4 image in ./demo and shows what fsrescue makes of it: info, scan, salvage.
set -euo pipefail
fsrescue=${1:?usage: demo.sh PATH_TO_FSRESCUE}
mkdir -p demo
img=demo/damaged.img
rm -rf "$img" demo/rescue demo/scan.json
truncate -s 64M "$img"
mke2fs -q -F -t ext4 -b 1024 -L demo "$img"
# A few files, written with debugfs into the image this script just made.
printf 'hello from fsrescue\n' > demo/hello.txt
printf 'a note that loses its directory entry\n' > demo/note.txt
debugfs -w -f - "$img" >/dev/null 2>&1 <<CMDS
mkdir docs
write demo/hello.txt docs/hello.txt
write demo/note.txt docs/note.txt
unlink docs/note.txt
CMDS
# The damage: an unlinked file (its inode still allocated, its name left in the directory's slack),
# and the primary superblock zeroed, as a stray dd would.
dd if=/dev/zero of="$img" bs=1024 seek=1 count=1 conv=notrunc status=none
before=$(sha256sum "$img" | cut -d' ' -f1)

# Runs one step, printing its command and exit status; 0 and 4 (problems found) are expected.
step() {
    echo "== fsrescue $*"
    local status=0
    "$fsrescue" "$@" || status=$?
    echo "exit status $status (0 clean, 4 problems found; fsrescue never fixes them)"
    echo
    [ "$status" = 0 ] || [ "$status" = 4 ]
}
step info "$img"
step scan "$img" --progress none
"$fsrescue" scan "$img" --json --progress none > demo/scan.json || true
step salvage "$img" --out demo/rescue --progress none

after=$(sha256sum "$img" | cut -d' ' -f1)
[ "$before" = "$after" ] && echo "image unchanged: sha256 $after" || { echo "IMAGE CHANGED"; exit 1; }
echo
echo "Results:"
echo "  demo/scan.json                the scan report (schema fsrescue.scan/1)"
echo "  demo/rescue/root/             the attached files, under their paths"
echo "  demo/rescue/lost+found/       the orphans, named from the evidence on disk"
echo "  demo/rescue/manifest.jsonl    one line per item: status, sha256, name source"
echo
echo "Recovered orphans:"
(cd demo/rescue && find lost+found -type f | sort | sed 's/^/  /')
