#!/usr/bin/env bash
# Makes the fuzz seed images in DIR: tiny mke2fs images with files, folders, links and holes; 2 MiB
# images written by the Linux kernel (indexed directories, extent trees, xattrs, inline data; when root
# can loop-mount, else skipped with a note); and the e2fsprogs regression images of
# ../shared/corpus/e2fsprogs (when present) that are 1 MiB or less.
# Usage: scripts/fuzz-seeds.sh DIR
set -euo pipefail
out=${1:?usage: scripts/fuzz-seeds.sh DIR}
mkdir -p "$out"
export PATH="$PATH:/sbin:/usr/sbin"
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT

# A small tree with something for every mapping path: direct, indirect and sparse blocks, fast and
# slow symlinks, a hard link, nested folders, a FIFO and an empty file.
mkdir -p "$tree/etc/deep/deeper" "$tree/empty-dir"
printf 'root:x:0:0::/root:/bin/sh\n' > "$tree/etc/passwd"
head -c 20000 /dev/urandom > "$tree/etc/deep/indirect.bin"
printf 'tail' | dd of="$tree/sparse.bin" bs=1 seek=300000 conv=notrunc status=none
ln -s passwd "$tree/etc/fast-link"
ln -s "/$(printf 'x%.0s' {1..80})/long/target" "$tree/slow-link"
ln "$tree/etc/passwd" "$tree/etc/deep/deeper/hard-link"
mkfifo "$tree/pipe"
: > "$tree/empty"

make_image() {  # NAME SIZE_KIB MKE2FS-ARGS...
    local name=$1 size=$2; shift 2
    rm -f "$out/$name"
    truncate -s "${size}K" "$out/$name"
    mke2fs -q -F -d "$tree" "$@" "$out/$name" >/dev/null
}
make_image ext2-1k.img 256 -t ext2 -b 1024 -N 32
make_image ext3-1k.img 3072 -t ext3 -b 1024 -N 32 -J size=1 -O ^resize_inode
make_image ext4-1k.img 512 -t ext4 -b 1024 -N 32 -O ^has_journal,^resize_inode
make_image ext4-inline.img 256 -t ext4 -b 1024 -N 32 -I 256 -O ^has_journal,^resize_inode,inline_data
make_image ext4-64bit.img 1024 -t ext4 -b 4096 -N 32 -O ^has_journal,64bit,^resize_inode

# Kernel-written seeds: real users' disks are written by the kernel, not by mke2fs -d.
kernel=$(mktemp -d)
if python3 "$(dirname "$0")/kernel-images.py" "$kernel" --seeds >/dev/null \
   && python3 "$(dirname "$0")/kernel-images.py" "$kernel" --seeds --powercut >/dev/null; then
    cp "$kernel"/seed-*.img "$out"/
else
    echo "fuzz-seeds: no kernel-written seeds (see the line above)" >&2
fi
rm -rf "$kernel"

corpus=${FSRESCUE_CORPUS:-$(cd "$(dirname "$0")/.." && pwd)/../shared/corpus/e2fsprogs}
if [ -f "$corpus/INDEX.tsv" ]; then
    for dir in "$corpus"/*/; do
        name=$(basename "$dir")
        for f in image.gz image.bz2; do
            [ -f "$dir/$f" ] || continue
            case $f in *.gz) tool=gzip ;; *) tool=bzip2 ;; esac
            command -v "$tool" >/dev/null || continue
            "$tool" -dc "$dir/$f" > "$out/$name.img"
            if [ "$(stat -c %s "$out/$name.img")" -gt 1048576 ]; then rm -f "$out/$name.img"; fi
        done
    done
fi
echo "$(ls "$out" | wc -l) seed image(s) in $out"
