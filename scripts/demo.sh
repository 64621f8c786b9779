#!/usr/bin/env bash
# Makes a small damaged ext4 image in ./demo and shows what fsrescue makes of it.
set -euo pipefail
fsrescue=${1:?usage: demo.sh PATH_TO_FSRESCUE}
mkdir -p demo
img=demo/damaged.img
rm -f "$img"
truncate -s 64M "$img"
mke2fs -q -F -t ext4 -b 1024 -L demo "$img"
# A few files, written with debugfs into the image this script just made.
printf 'hello from fsrescue\n' > demo/hello.txt
debugfs -w -f - "$img" >/dev/null 2>&1 <<CMDS
mkdir docs
write demo/hello.txt docs/hello.txt
CMDS
# The damage: zero the primary superblock, as a stray dd would.
dd if=/dev/zero of="$img" bs=1024 seek=1 count=1 conv=notrunc status=none
before=$(sha256sum "$img" | cut -d' ' -f1)
echo "== fsrescue info $img"
status=0
"$fsrescue" info "$img" || status=$?
after=$(sha256sum "$img" | cut -d' ' -f1)
echo
echo "exit status $status (4 = problems found; fsrescue never fixes them)"
[ "$before" = "$after" ] && echo "image unchanged: sha256 $after" || { echo "IMAGE CHANGED"; exit 1; }
[ "$status" = 4 ]
