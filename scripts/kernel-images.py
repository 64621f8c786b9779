#!/usr/bin/env python3
"""Writes ext2/3/4 images through the Linux kernel's own driver, with the truth the kernel shows.

Each image is made by this machine's mkfs, loop-mounted, filled with the shapes the kernel builds on
real disks (indexed directories, deep extent trees, unwritten extents, inline data, xattrs in the
inode, in a block and as EA inodes, hard links, fast and slow symlinks, sparse, empty and deleted
files), then cleanly unmounted. The truth is read back through a second, read-only kernel mount:
one JSON line per path (type, mode, size, sha256, symlink target, link count, xattrs).

    scripts/kernel-images.py OUT_DIR [--only NAME ...] [--large] [--small] [--powercut | --history] [--fixtures]

Writes OUT_DIR/NAME.img and OUT_DIR/NAME.truth.jsonl. `--large` adds the three-level htree image
(large_dir, 1 KiB blocks, 40,000 entries in one directory: 64 MiB). `--seeds` writes only the 2 MiB
fuzz seeds (scripts/fuzz-seeds.sh uses them). `--small` writes 600 entries
instead of 3,000 into the indexed directory (still many blocks). `--fixtures` keeps only
NAME.img.xz and NAME.truth.jsonl.xz, the form committed under Fixtures/kernel.
`--powercut` writes only the power-cut images (copied while mounted; NAME.orphans.jsonl besides).
`--history` writes only the history images (history-*.img, 8-16 MiB, 4 MiB journals): files written in
a first mount, deleted (rm -rf), overwritten in place (O_TRUNC), truncated or renamed over in a later
one, each mount unmounted cleanly, for recovering deleted files and previous versions from the jbd2
journal (on ext2, from the freed blocks alone). NAME.deleted.jsonl besides: one record per file or
symlink of the end of the first mount that is gone or changed at the end (see make_history).
Needs root and `mount -o loop`; without them it says why and exits 77 (the Automake "skipped" code).
The committed copies in Fixtures/kernel are made by `make kernel-fixtures`.

Content is deterministic (seeded); the images are not byte-identical from run to run (the kernel
stamps times and a random UUID and hash seed), which is why the truth travels with each image.
"""
import argparse
import fcntl
import hashlib
import json
import os
import random
import shutil
import stat
import struct
import subprocess
import sys
import tempfile

# name: (mkfs type, block size, size MiB, extra -O features, -E/-I options, content scale)
IMAGES = {
    "ext4-default":   ("ext4", 4096, 48, [], [], 1),
    "ext4-1k":        ("ext4", 1024, 32, [], [], 1),
    "ext3":           ("ext3", 4096, 32, [], [], 1),
    "ext2":           ("ext2", 4096, 32, [], [], 1),
    "ext4-inline":    ("ext4", 4096, 32, ["inline_data"], [], 1),
    "ext4-largedir":  ("ext4", 4096, 32, ["large_dir"], [], 1),
    "ext4-bigalloc":  ("ext4", 4096, 128, ["bigalloc"], ["-C", "16384"], 1),
    "ext4-orphanfile": ("ext4", 4096, 32, ["orphan_file"], [], 1),
    "ext4-eainode":   ("ext4", 4096, 32, ["ea_inode"], [], 1),
    "ext4-nocsum":    ("ext4", 4096, 32, ["^metadata_csum"], [], 1),
    "ext4-no64bit":   ("ext4", 4096, 32, ["^64bit"], [], 1),
    "ext4-noflexbg":  ("ext4", 4096, 32, ["^flex_bg"], [], 1),
}
# Fuzz seeds: small enough for libFuzzer's input limit (3 MiB), with the same shapes in small numbers.
SEEDS = {
    "seed-ext4-1k":     ("ext4", 1024, 2, [], ["-N", "256"], 1),
    "seed-ext4-inline": ("ext4", 1024, 2, ["inline_data", "^has_journal"], ["-N", "256", "-I", "256"], 1),
    "seed-ext3-1k":     ("ext3", 1024, 2, [], ["-N", "256"], 1),
}
# Power cuts: the backing file copied while mounted, after fsync'd writes the kernel has committed to
# the journal but not yet written home (commit=300 keeps it from checkpointing), with files open and
# unlinked (on the orphan list, or in the orphan file). The truth is read after the kernel's own replay.
POWERCUT = {
    "powercut-ext4":        ("ext4", 4096, 48, [], [], 1),
    "powercut-ext4-1k":     ("ext4", 1024, 32, [], [], 1),
    "powercut-orphanfile":  ("ext4", 4096, 48, ["orphan_file"], [], 1),
    "powercut-nocsum":      ("ext4", 4096, 48, ["^metadata_csum"], [], 1),
    "powercut-ext3":        ("ext3", 4096, 48, [], [], 1),
    "powercut-external":    ("ext4", 4096, 48, [], [], 1),
}
# Power cuts whose journal is an external device (NAME.journal.img beside NAME.img).
POWERCUT_EXTERNAL = {"powercut-external"}
# A power cut small enough to be a fuzz seed (libFuzzer's 3 MiB input limit): the journal is half of it.
POWERCUT_SEEDS = {
    "seed-powercut-1k":     ("ext4", 1024, 3, [], ["-N", "256", "-J", "size=1"], 8),
}
LARGE = {
    # Three htree levels need more leaves than a two-level index holds (123 x 126 with 1 KiB blocks).
    "ext4-largedir-3level": ("ext4", 1024, 64, ["large_dir"], ["-N", "8192"], 1),
}
# Histories: a fresh filesystem written in sessions (mount, change, sync, unmount), the files of the
# first session deleted or rewritten by a later one, so that only the journal and the freed blocks
# remember them. name: (sessions, spec), the sessions by name (HISTORY_SESSIONS), the spec as above.
# The journals are 4 MiB: 1024 blocks, the least mke2fs takes (it refuses -J size=1 with 4 KiB blocks).
HISTORY = {
    "history-rmrf":      ("rmrf",      ("ext4", 4096, 16, [], ["-J", "size=4"], 1)),
    "history-rmrf-1k":   ("rmrf",      ("ext4", 1024, 16, [], ["-J", "size=4"], 1)),
    "history-overwrite": ("overwrite", ("ext4", 4096, 12, [], ["-J", "size=4"], 1)),
    "history-ext3-rmrf": ("rmrf",      ("ext3", 4096, 16, [], ["-J", "size=4"], 1)),
    "history-ext2-rm":   ("rm",        ("ext2", 4096, 8, [], [], 1)),
    "history-wrapped":   ("wrapped",   ("ext4", 4096, 16, [], ["-J", "size=4"], 1)),
}
# history-wrapped: mounts of churn after session 1, batches per mount (two syncs each: the batch
# written, the one before it deleted), files per batch and the folders they are spread over (each
# folder's block and the inode table blocks are in every transaction, so the journal wraps).
CHURN_MOUNTS, CHURN_BATCHES, CHURN_FILES, CHURN_DIRS = 4, 10, 128, 32


def run(*args, check=True):
    return subprocess.run(list(args), check=check, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def can_mount():
    if os.geteuid() != 0:
        return "not root"
    for tool in ("mount", "umount", "mkfs.ext4"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    with tempfile.TemporaryDirectory() as d:
        img, mnt = f"{d}/probe.img", f"{d}/mnt"
        os.mkdir(mnt)
        with open(img, "wb") as f:
            f.truncate(8 << 20)
        run("mkfs.ext4", "-q", "-F", img)
        r = run("mount", "-o", "loop", img, mnt, check=False)
        if r.returncode != 0:
            return "mount -o loop failed: " + r.stderr.strip()
        run("umount", mnt)
    return None


def content(rng, size):
    """Bytes unique to each file and to each 512-byte stretch of it (a misplaced block shows in a
    hash), yet mostly a repeated phrase, so that the committed fixtures compress."""
    phrase = b"%08x kernel-written ext4 fixture line " % rng.randrange(1 << 32)
    out = bytearray()
    while len(out) < size:
        out += b"@%012d:%08x|" % (len(out), rng.randrange(1 << 32))
        out += (phrase * 20)[: 512 - 23]
    return bytes(out[:size])


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def populate_seed(root, block_size, features, rng):
    """The same shapes as populate(), a few of each: an indexed directory, an extent tree past the
    inode, links, xattrs, a hole, an unwritten extent, deleted files."""
    os.makedirs(f"{root}/tree/sub")
    for i in range(6):
        write(f"{root}/tree/f{i}", content(rng, rng.choice([0, 40, 900, 3000])))
    os.mkdir(f"{root}/indexed")
    for i in range(120):
        write(f"{root}/indexed/entry-{i:04d}-{rng.randrange(1 << 30):08x}", b"")
    os.symlink("f1", f"{root}/tree/fast")
    os.symlink("sub/" + "long-target-" * 8, f"{root}/tree/slow")
    os.link(f"{root}/tree/f2", f"{root}/tree/sub/hard")
    os.setxattr(f"{root}/tree/f3", "user.tag", b"v1")
    os.setxattr(f"{root}/tree/f4", "user.big", content(rng, 600))
    with open(f"{root}/tree/holes", "wb") as f:
        for k in range(12):  # more extents than the inode holds: a depth-1 tree
            f.seek(2 * k * block_size)
            f.write(content(rng, 100))
    try:
        with open(f"{root}/tree/fallocated", "wb") as f:
            os.posix_fallocate(f.fileno(), 0, 8 * block_size)
    except OSError:
        pass
    for i in range(4):
        write(f"{root}/tree/sub/gone-{i}", content(rng, 1500))
        if i % 2:
            os.unlink(f"{root}/tree/sub/gone-{i}")


def populate(root, block_size, features, rng, large, entries):
    """The shapes a kernel-written disk holds. Returns nothing: the truth is read back afterwards."""
    # A tree of ordinary files (a few sizes, some spanning many blocks).
    for d in range(6):
        sub = f"{root}/tree/d{d}/sub"
        os.makedirs(sub)
        for i in range(20):
            write(f"{root}/tree/d{d}/f{i}.txt", content(rng, rng.choice([0, 1, 60, 700, 5000, 40000])))
        write(f"{sub}/deep.bin", content(rng, 150000))
    # An indexed (htree) directory: thousands of entries, well past one block.
    os.mkdir(f"{root}/indexed")
    for i in range(entries):
        write(f"{root}/indexed/entry-{i:05d}-{rng.randrange(1 << 30):08x}", b"%d\n" % i)
    # A directory grown then emptied again (the kernel keeps its blocks), and empty ones.
    os.mkdir(f"{root}/shrunk")
    for i in range(400):
        write(f"{root}/shrunk/gone-{i:04d}", b"x")
    for i in range(400):
        if i % 7:
            os.unlink(f"{root}/shrunk/gone-{i:04d}")
    os.makedirs(f"{root}/empty/nested-empty")
    write(f"{root}/empty-file", b"")
    # Hard links, a fast and a slow symlink, a dangling one.
    os.mkdir(f"{root}/links")
    write(f"{root}/links/original", content(rng, 3000))
    os.link(f"{root}/links/original", f"{root}/links/hard-1")
    os.link(f"{root}/links/original", f"{root}/tree/hard-2")
    os.symlink("original", f"{root}/links/fast")
    os.symlink("../tree/d1/sub/" + "long-target-" * 12 + "deep.bin", f"{root}/links/slow")
    os.symlink("/nowhere/at/all", f"{root}/links/dangling")
    # Extended attributes: small (in the inode), large (in a block), and one larger than a block
    # (an EA inode where ea_inode is on; refused elsewhere).
    os.mkdir(f"{root}/xattr")
    write(f"{root}/xattr/small", b"small\n")
    os.setxattr(f"{root}/xattr/small", "user.tag", b"v1")
    write(f"{root}/xattr/block", b"block\n")
    os.setxattr(f"{root}/xattr/block", "user.big", content(rng, min(1500, block_size - 200)))
    if "ea_inode" in features:
        write(f"{root}/xattr/eainode", b"ea inode\n")
        os.setxattr(f"{root}/xattr/eainode", "user.huge", content(rng, 3 * block_size))
    # Unwritten extents (fallocate), partly written; sparse files with holes.
    has_extents = True
    try:
        with open(f"{root}/fallocated", "wb") as f:
            os.posix_fallocate(f.fileno(), 0, 1 << 20)
            f.seek(100000)
            f.write(content(rng, 5000))
    except OSError:
        has_extents = False  # ext2/ext3: no unwritten extents (glibc would emulate by writing zeros)
    with open(f"{root}/sparse", "wb") as f:
        f.seek(3 << 20)
        f.write(content(rng, 9000))
        f.seek(9 << 20)
        f.write(b"end\n")
    # A fragmented file: one block written every other block, so each is its own extent, enough of
    # them for an extent tree of depth 2 (more leaves than the inode's four slots).
    per_leaf = (block_size - 12) // 12
    count = 4 * per_leaf + 40 if has_extents else 300
    with open(f"{root}/fragmented", "wb") as f:
        for k in range(count):
            f.seek(2 * k * block_size)
            f.write(content(rng, block_size))
    # Deleted files (their inodes and blocks free again).
    os.mkdir(f"{root}/deleted")
    for i in range(30):
        write(f"{root}/deleted/tmp-{i}", content(rng, 2000 * (i + 1)))
    for i in range(0, 30, 2):
        os.unlink(f"{root}/deleted/tmp-{i}")
    # Renamed over, truncated: ordinary life.
    write(f"{root}/renamed-target", b"old\n")
    write(f"{root}/renamed-source", content(rng, 8000))
    os.rename(f"{root}/renamed-source", f"{root}/renamed-target")
    write(f"{root}/truncated", content(rng, 70000))
    os.truncate(f"{root}/truncated", 12345)
    if large:
        # Past two htree levels: long names (three to a 1 KiB leaf), hard links to a few files.
        os.mkdir(f"{root}/huge-dir")
        targets = []
        for t in range(4):
            targets.append(f"{root}/huge-dir/target-{t}")
            write(targets[-1], b"target %d\n" % t)
        stem = "n" * 230
        for i in range(40000):
            os.link(targets[i % 4], f"{root}/huge-dir/{stem}-{i:06d}")


def truth(root):
    """One record per path under the mount, as the kernel shows it (lost+found left out)."""
    records = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel_dir = os.path.relpath(dirpath, root)
        if rel_dir == "lost+found" or rel_dir.startswith("lost+found/"):
            continue
        for name in sorted(dirnames + filenames):
            if rel_dir == "." and name == "lost+found":
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.normpath(os.path.join(rel_dir, name))
            st = os.lstat(path)
            rec = {"path": rel, "mode": stat.S_IMODE(st.st_mode), "links": st.st_nlink, "inode": st.st_ino}
            if stat.S_ISDIR(st.st_mode):
                rec["type"] = "directory"
            elif stat.S_ISLNK(st.st_mode):
                rec["type"] = "symlink"
                rec["target"] = os.readlink(path)
            elif stat.S_ISREG(st.st_mode):
                rec["type"] = "file"
                rec["size"] = st.st_size
                h = hashlib.sha256()
                with open(path, "rb") as f:
                    for chunk in iter(lambda: f.read(1 << 20), b""):
                        h.update(chunk)
                rec["sha256"] = h.hexdigest()
            else:
                rec["type"] = "other"
            xattrs = {}
            if not stat.S_ISLNK(st.st_mode):
                for key in sorted(os.listxattr(path)):
                    if key.startswith("user."):
                        xattrs[key] = hashlib.sha256(os.getxattr(path, key)).hexdigest()
            if xattrs:
                rec["xattrs"] = xattrs
            records.append(rec)
    records.sort(key=lambda r: r["path"])
    return records


def new_image(path, spec):
    """An empty file of the spec's size, made into a filesystem by this machine's mkfs."""
    fstype, block_size, size_mib, features, options, _ = spec
    if os.path.exists(path):
        os.unlink(path)
    with open(path, "wb") as f:
        f.truncate(size_mib << 20)
    args = ["mkfs." + fstype, "-q", "-F", "-b", str(block_size)] + options
    if features:
        args += ["-O", ",".join(features)]
    run(*args, path)


def make_powercut(name, spec, out, seed, external=False):
    """A crash image: files written and fsync'd, three of them open and unlinked, the backing file
    copied while mounted. The truth is what the kernel shows after mounting the copy (its replay)."""
    fstype, block_size, size_mib, features, options, _ = spec
    img = f"{out}/{name}.img"
    live = f"{out}/{name}.live.img"
    if os.path.exists(img):
        os.unlink(img)
    journal_device = None
    mount_options = "loop,commit=300"
    if external:
        # An external journal device (mke2fs -O journal_dev) on its own loop device.
        journal_live = f"{out}/{name}.journal.live.img"
        with open(journal_live, "wb") as f:
            f.truncate(8 << 20)
        run("mke2fs", "-q", "-F", "-O", "journal_dev", "-b", str(block_size), journal_live)
        journal_device = run("losetup", "-f", "--show", journal_live).stdout.strip()
        new_image(live, (fstype, block_size, size_mib, features, options + ["-J", f"device={journal_device}"], spec[5]))
        mount_options += f",journal_path={journal_device}"
    else:
        new_image(live, spec)
    rng = random.Random(f"{seed}:{name}")
    orphans = []
    with tempfile.TemporaryDirectory() as mnt:
        run("mount", "-o", mount_options, live, mnt)
        held = []
        try:
            populate_seed(mnt, block_size, features, rng)
            os.makedirs(f"{mnt}/after-crash")
            scale = spec[5]
            for i in range(40 // scale):
                write(f"{mnt}/after-crash/f{i:03d}", content(rng, rng.choice([10, 3000, 20000]) // scale))
            os.rename(f"{mnt}/tree/f0", f"{mnt}/after-crash/renamed")
            os.unlink(f"{mnt}/tree/f5")
            for i, size in enumerate(s // scale for s in (600000, 90000, 12300)):
                f = open(f"{mnt}/after-crash/tmp-{i}", "w+b")
                data = content(rng, size)
                orphans.append({"name": f"tmp-{i}", "directory": "after-crash", "size": size,
                                "sha256": hashlib.sha256(data).hexdigest(), "inode": os.fstat(f.fileno()).st_ino})
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
                os.unlink(f"{mnt}/after-crash/tmp-{i}")
                held.append(f)
            # fsync commits the running transaction to the journal; nothing asks the kernel to write the
            # metadata home (no sync, commit=300), so the copy holds it in the journal only.
            write(f"{mnt}/after-crash/last", b"last\n")
            f = open(f"{mnt}/after-crash/last", "rb+")
            os.fsync(f.fileno())
            f.close()
            shutil.copyfile(live, img)  # the power cut: what the disk holds now
            if external:
                shutil.copyfile(journal_live, f"{out}/{name}.journal.img")
        finally:
            for f in held:
                f.close()
            run("umount", mnt)
    os.unlink(live)
    if external:
        run("losetup", "-d", journal_device)
        os.unlink(journal_live)
    # The truth: a copy mounted read-only after the kernel's own replay (a read-only mount replays the
    # journal when the device is writable, so the loop device is set up read-write).
    replayed = f"{out}/{name}.replayed.img"
    shutil.copyfile(img, replayed)
    device = run("losetup", "-f", "--show", replayed).stdout.strip()
    ro_options = "ro"
    if external:
        journal_copy = f"{out}/{name}.journal.replayed.img"
        shutil.copyfile(f"{out}/{name}.journal.img", journal_copy)
        journal_device = run("losetup", "-f", "--show", journal_copy).stdout.strip()
        ro_options += f",journal_path={journal_device}"
    try:
        with tempfile.TemporaryDirectory() as mnt:
            run("mount", "-o", ro_options, device, mnt)
            try:
                records = truth(mnt)
            finally:
                run("umount", mnt)
    finally:
        run("losetup", "-d", device)
        if external:
            run("losetup", "-d", journal_device)
            os.unlink(journal_copy)
    os.unlink(replayed)
    # The files open at the crash: on the orphan list (or orphan file), in no directory.
    with open(f"{out}/{name}.orphans.jsonl", "w") as f:
        for o in orphans:
            f.write(json.dumps(o, sort_keys=True) + "\n")
    with open(f"{out}/{name}.truth.jsonl", "w") as f:
        for r in records:
            f.write(json.dumps(r, sort_keys=True) + "\n")
    return img, len(records)


def sql_dump(rng, size):
    """Text like a database dump: whole lines, numbered, so each block of it differs from every other."""
    names = [b"alice", b"bob", b"carol", b"dave", b"erin", b"frank", b"grace", b"heidi"]
    out = bytearray(b"-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)\n--\n-- Host: localhost    "
                    b"Database: shop\n\nLOCK TABLES `orders` WRITE;\n")
    row = 0
    while True:
        row += 1
        line = b"INSERT INTO `orders` VALUES (%d,'%s',%d.%02d,'2024-%02d-%02d 10:%02d:00');\n" % (
            row, rng.choice(names), rng.randrange(1, 900), rng.randrange(100), rng.randrange(1, 13),
            rng.randrange(1, 29), rng.randrange(60))
        if len(out) + len(line) > size:
            return bytes(out)
        out += line


def history_rmrf(rng, block_size):
    """Session 1: files at the root and three folders, docs/, photos/ and projects/ (with src/lib/
    inside, two deep): 0 B to about 1 MB, a sparse file, two files written in turns (fragmented), a
    fast and a slow symlink. Session 2: `rm -rf photos projects`; docs/ and the root stay."""
    def write_tree(root):
        write(f"{root}/notes.txt", content(rng, 3000))
        write(f"{root}/empty", b"")
        write(f"{root}/one-byte", b"\n")
        os.symlink("notes.txt", f"{root}/notes-link")
        os.mkdir(f"{root}/docs")
        for i, size in enumerate([1, 3000, 3000, 12000, 50000, 0, 7000, 50000]):
            write(f"{root}/docs/doc-{i}.txt", content(rng, size))
        os.mkdir(f"{root}/photos")
        for i, size in enumerate([0, 1, 3000, 50000, 300000, 50000, 3000, 120000, 300000, 7000, 50000, 20000]):
            write(f"{root}/photos/img-{i:02d}.jpg", content(rng, size))
        os.chmod(f"{root}/photos/img-03.jpg", 0o600)
        lib = f"{root}/projects/src/lib"
        os.makedirs(lib)
        write(f"{root}/projects/README", content(rng, 3000))
        write(f"{root}/projects/Makefile", content(rng, 1500))
        write(f"{root}/projects/empty.log", b"")
        for i, size in enumerate([3000, 800, 50000, 1, 12000, 3000]):
            write(f"{root}/projects/src/m{i}.c", content(rng, size))
        write(f"{lib}/core.bin", content(rng, 1000000))
        write(f"{lib}/build.sh", content(rng, 700))
        os.chmod(f"{lib}/build.sh", 0o755)
        write(f"{lib}/version", b"1.0\n")
        with open(f"{lib}/sparse.img", "wb") as f:  # holes between its four pieces
            for offset in (0, 65536, 300000, 1 << 20):
                f.seek(offset)
                f.write(content(rng, 5000))
        # Two files written in turns, each piece fsync'd: their blocks interleave.
        a, b = content(rng, 12 * 8192), content(rng, 12 * 8192)
        with open(f"{lib}/frag-a.bin", "wb") as fa, open(f"{lib}/frag-b.bin", "wb") as fb:
            for k in range(12):
                for f, data in ((fa, a), (fb, b)):
                    f.write(data[k * 8192:(k + 1) * 8192])
                    f.flush()
                    os.fsync(f.fileno())
        os.symlink("lib/core.bin", f"{root}/projects/src/core-link")
        os.symlink("../../../docs/" + "a-long-symlink-target-" * 4 + "doc-1.txt", f"{lib}/slow-link")

    def remove(root):
        run("rm", "-rf", f"{root}/photos", f"{root}/projects")
    return [write_tree, remove]


def history_overwrite(rng, block_size):
    """Session 1: dump.sql (about 400 KB of text), truncated.bin (200 KB), renamed-over.txt and two
    files left alone. Session 2: dump.sql opened with O_TRUNC and given one 64-byte error line,
    truncated.bin truncated to 10 KB, new.txt written and renamed over renamed-over.txt (`mv`)."""
    def write_files(root):
        write(f"{root}/dump.sql", sql_dump(rng, 400000))
        write(f"{root}/truncated.bin", content(rng, 200 * 1024))
        write(f"{root}/renamed-over.txt", content(rng, 20000))
        write(f"{root}/keep.txt", content(rng, 5000))
        write(f"{root}/config.ini", b"[backup]\nuser = backup\nhost = localhost\n")

    def rewrite(root):
        with open(f"{root}/dump.sql", "w") as f:  # O_WRONLY|O_CREAT|O_TRUNC, as a shell's > does
            f.write("ERROR 1045 (28000): Access denied for user 'backup'@'localhost'\n")
        os.truncate(f"{root}/truncated.bin", 10 * 1024)
        write(f"{root}/new.txt", content(rng, 4000))
        run("mv", f"{root}/new.txt", f"{root}/renamed-over.txt")
    return [write_files, rewrite]


def history_rm(rng, block_size):
    """ext2, no journal. Session 1: keep/, trash/ and root files (three past the inode's twelve direct
    blocks: a single indirect block each), symlinks. Session 2: `rm` of most of trash/, a root file
    and the slow symlink."""
    def write_files(root):
        os.mkdir(f"{root}/keep")
        for i, size in enumerate([1, 3000, 50000, 0, 12000]):
            write(f"{root}/keep/k{i}.txt", content(rng, size))
        os.mkdir(f"{root}/trash")
        for i, size in enumerate([0, 1, 3000, 50000, 200000, 700000, 9000]):
            write(f"{root}/trash/t{i}.tmp", content(rng, size))
        write(f"{root}/a.txt", content(rng, 3000))
        write(f"{root}/b.bin", content(rng, 60000))
        os.symlink("keep/k1.txt", f"{root}/k1-link")
        os.symlink("trash/" + "a-long-symlink-target-" * 4 + "t2.tmp", f"{root}/slow-link")

    def remove(root):
        run("rm", "-f", *[f"{root}/trash/t{i}.tmp" for i in range(6)], f"{root}/b.bin", f"{root}/slow-link")
    return [write_files, remove]


def history_wrapped(rng, block_size):
    """Session 1: old/ (and old/sub/) with files of 0 B to 300 KB and a symlink, keep.txt. Then
    CHURN_MOUNTS mounts of churn (small files written in CHURN_DIRS folders, sync, the batch before
    deleted, sync: the journal wraps several times over), then `rm -rf old` in a mount of its own."""
    def write_old(root):
        os.makedirs(f"{root}/old/sub")
        for i, size in enumerate([0, 1, 3000, 3000, 50000, 50000, 120000, 300000, 7000, 20000]):
            write(f"{root}/old/file-{i:02d}.dat", content(rng, size))
        for i, size in enumerate([1500, 90000]):
            write(f"{root}/old/sub/nested-{i}.dat", content(rng, size))
        os.symlink("file-02.dat", f"{root}/old/link")
        write(f"{root}/keep.txt", content(rng, 2000))

    live = []

    def churn(root):
        for batch in range(CHURN_BATCHES):
            new = []
            for i in range(CHURN_FILES):
                folder = f"churn/d{i % CHURN_DIRS:02d}"
                os.makedirs(f"{root}/{folder}", exist_ok=True)
                new.append(f"{folder}/f{rng.randrange(1 << 32):08x}-{i:03d}")
                write(f"{root}/{new[-1]}", content(rng, rng.choice([100, 900, 3000])))
            run("sync")
            for path in live:
                os.unlink(f"{root}/{path}")
            live[:] = new
            run("sync")

    def remove_old(root):
        run("rm", "-rf", f"{root}/old")
    return [write_old] + [churn] * CHURN_MOUNTS + [remove_old]


HISTORY_SESSIONS = {"rmrf": history_rmrf, "overwrite": history_overwrite, "rm": history_rm, "wrapped": history_wrapped}


def fiemap(path, block_size):
    """Where a file's data lies: [first logical block, first physical block, blocks] per extent the
    kernel reports (FS_IOC_FIEMAP, synced first); unwritten extents, which read as zeros, left out."""
    count, start, extents = 256, 0, []
    with open(path, "rb") as f:
        while True:
            request = bytearray(struct.pack("=QQIIII", start, (1 << 64) - 1 - start, 1, 0, count, 0) + bytes(56 * count))
            fcntl.ioctl(f.fileno(), 0xC020660B, request)  # FS_IOC_FIEMAP, FIEMAP_FLAG_SYNC
            mapped = struct.unpack_from("=I", request, 20)[0]
            flags = 0
            for i in range(mapped):
                logical, physical, length, _, _, flags = struct.unpack_from("=QQQQQI", request, 32 + 56 * i)
                if not flags & 0x800:  # FIEMAP_EXTENT_UNWRITTEN
                    extents.append([logical // block_size, physical // block_size, -(-length // block_size)])
                start = logical + length
            if mapped < count or flags & 1:  # FIEMAP_EXTENT_LAST
                return extents


def snapshot(root, block_size):
    """Every file and symlink under root (truth()'s records) with its content (a symlink's: its target)
    and its extents."""
    files = {}
    for rec in truth(root):
        path = f"{root}/{rec['path']}"
        if rec["type"] == "file":
            with open(path, "rb") as f:
                files[rec["path"]] = (rec, f.read(), fiemap(path, block_size))
        elif rec["type"] == "symlink":
            files[rec["path"]] = (rec, rec["target"].encode(), [])
    return files


def history_records(before, after, img, block_size):
    """What the end no longer shows of the snapshot `before`: a path gone, or now another inode
    (renamed over), is "deleted"; the same inode with other content is a "previous-version". A file
    still in place elsewhere with the same inode and content (moved, or another hard link) is neither.
    `intact_blocks`: how many of the blocks of its extents still hold the old content on the final
    image (neither reused nor, past a truncation, zeroed by the kernel); `intact`: all of them."""
    now = {r["path"]: r for r in after}
    alive = {(r["inode"], r["type"], r.get("sha256"), r.get("target")) for r in after}
    records = []
    with open(img, "rb") as disk:
        for path, (rec, data, extents) in sorted(before.items()):
            key = (rec["inode"], rec["type"], rec.get("sha256"), rec.get("target"))
            cur = now.get(path)
            if cur is not None and cur["inode"] == rec["inode"] and cur["type"] == rec["type"]:
                if (cur["inode"], cur["type"], cur.get("sha256"), cur.get("target")) == key:
                    continue
                kind = "previous-version"
            elif key in alive:
                continue
            else:
                kind = "deleted"
            out = {"path": path, "kind": kind, "type": rec["type"], "mode": rec["mode"], "inode": rec["inode"],
                   "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            if rec["type"] == "symlink":
                out["target"] = rec["target"]
            else:
                out["extents"] = extents
                kept = blocks = 0
                for logical, physical, count in extents:
                    for k in range(count):
                        want = data[(logical + k) * block_size:(logical + k + 1) * block_size]
                        disk.seek((physical + k) * block_size)
                        blocks += 1
                        kept += disk.read(len(want)) == want
                out["intact_blocks"] = kept
                out["intact"] = kept == blocks
            records.append(out)
    return records


JBD2_MAGIC = 0xC03B3998


def journal_state(img):
    """The journal as a scan of its blocks finds it: the superblock's sequence (the next transaction)
    and the sequence number of every commit block in it, old ones too. None without a journal."""
    with tempfile.TemporaryDirectory() as d:
        run("debugfs", "-R", f"dump <8> {d}/journal", img, check=False)
        data = open(f"{d}/journal", "rb").read() if os.path.exists(f"{d}/journal") else b""
    if len(data) < 1024 or struct.unpack_from(">I", data, 0)[0] != JBD2_MAGIC:
        return None
    block_size, maxlen, first, sequence = struct.unpack_from(">4I", data, 12)
    commits = []
    for block in range(first, min(maxlen, len(data) // block_size)):
        magic, kind, seq = struct.unpack_from(">3I", data, block * block_size)
        if magic == JBD2_MAGIC and kind == 2:  # a commit block
            commits.append(seq)
    return {"sequence": sequence, "commits": sorted(commits)}


def make_history(name, kind, spec, out, seed):
    """A history image: the sessions of HISTORY_SESSIONS[kind], each a mount of its own, synced and
    cleanly unmounted. Writes NAME.truth.jsonl (the end, read as make() reads it) and NAME.deleted.jsonl:
    per file or symlink of the end of session 1 that is gone or changed at the end, its path then,
    kind ("deleted" or "previous-version", the latter at the path that still holds the inode), type,
    mode, inode, the old size and sha256 (a symlink's: of its target), a symlink's target, a file's
    extents then ([logical, physical, blocks], filesystem blocks) and how much of it they still hold.
    Returns the journal's state at the end too, with the commits session 1 left (None without one)."""
    fstype, block_size = spec[0], spec[1]
    img = f"{out}/{name}.img"
    new_image(img, spec)
    rng = random.Random(f"{seed}:{name}")
    before, first = None, None
    with tempfile.TemporaryDirectory() as mnt:
        for i, session in enumerate(HISTORY_SESSIONS[kind](rng, block_size)):
            run("mount", "-o", "loop", img, mnt)
            try:
                session(mnt)
                run("sync")
                if i == 0:
                    before = snapshot(mnt, block_size)
            finally:
                run("umount", mnt)
            if i == 0:
                first = journal_state(img)
        run("mount", "-o", "loop,ro,noload" if fstype != "ext2" else "loop,ro", img, mnt)
        try:
            records = truth(mnt)
        finally:
            run("umount", mnt)
    deleted = history_records(before, records, img, block_size)
    for path, rows in ((f"{out}/{name}.truth.jsonl", records), (f"{out}/{name}.deleted.jsonl", deleted)):
        with open(path, "w") as f:
            for r in rows:
                f.write(json.dumps(r, sort_keys=True) + "\n")
    fsck = run("e2fsck", "-fn", img, check=False)
    journal = journal_state(img)
    if journal:
        journal["first_session"] = first["commits"] if first else []
    return img, len(records), deleted, fsck.returncode, journal


def make(name, spec, out, seed, large, entries, tiny=False):
    fstype, block_size, size_mib, features, options, _ = spec
    img = f"{out}/{name}.img"
    new_image(img, spec)
    rng = random.Random(f"{seed}:{name}")
    with tempfile.TemporaryDirectory() as mnt:
        run("mount", "-o", "loop", img, mnt)
        try:
            if tiny:
                populate_seed(mnt, block_size, features, rng)
            else:
                populate(mnt, block_size, features, rng, large, entries)
        finally:
            run("sync")
            run("umount", mnt)
        run("mount", "-o", "loop,ro,noload" if fstype != "ext2" else "loop,ro", img, mnt)
        try:
            records = truth(mnt)
        finally:
            run("umount", mnt)
    with open(f"{out}/{name}.truth.jsonl", "w") as f:
        for r in records:
            f.write(json.dumps(r, sort_keys=True) + "\n")
    fsck = run("e2fsck", "-fn", img, check=False)
    return img, len(records), fsck.returncode


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("out")
    p.add_argument("--only", nargs="*", default=None)
    p.add_argument("--large", action="store_true")
    p.add_argument("--small", action="store_true")
    p.add_argument("--seeds", action="store_true", help="only the small fuzz seeds (seed-*.img)")
    p.add_argument("--powercut", action="store_true",
                   help="only the power-cut images (powercut-*.img); with --seeds, the power-cut fuzz seed")
    p.add_argument("--history", action="store_true",
                   help="only the history images (history-*.img): files deleted or rewritten after a first mount")
    p.add_argument("--fixtures", action="store_true")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    why = can_mount()
    if why:
        print(f"kernel-images: skipped: {why} (the kernel's ext4 driver is needed to write these images)", file=sys.stderr)
        return 77
    os.makedirs(a.out, exist_ok=True)
    images = dict(IMAGES)
    if a.large:
        images.update(LARGE)
    if a.powercut:
        for name, spec in (POWERCUT_SEEDS if a.seeds else POWERCUT).items():
            if a.only and name not in a.only:
                continue
            external = name in POWERCUT_EXTERNAL
            img, n = make_powercut(name, spec, a.out, a.seed, external=external)
            if a.fixtures:
                journal = [f"{a.out}/{name}.journal.img"] if external else []
                for path in [img, f"{a.out}/{name}.truth.jsonl", f"{a.out}/{name}.orphans.jsonl"] + journal:
                    run("xz", "-9", "-f", "-T1", path)
            print(f"{name}: {n} paths after the kernel's replay")
        return 0
    if a.history:
        for name, (kind, spec) in HISTORY.items():
            if a.only and name not in a.only:
                continue
            img, n, deleted, fsck, journal = make_history(name, kind, spec, a.out, a.seed)
            if a.fixtures:
                for path in (img, f"{a.out}/{name}.truth.jsonl", f"{a.out}/{name}.deleted.jsonl"):
                    run("xz", "-9", "-f", "-T1", path)
            kinds = [d["kind"] for d in deleted]
            line = (f"{name}: {n} paths at the end, {kinds.count('deleted')} deleted and "
                    f"{kinds.count('previous-version')} previous versions, e2fsck -fn exit {fsck}")
            if journal and journal["commits"] and journal["first_session"]:
                commits, first = journal["commits"], journal["first_session"]
                left = [c for c in commits if c in first]
                line += (f"; journal: commits {commits[0]}-{commits[-1]} ({len(commits)}), superblock sequence "
                         f"{journal['sequence']}; session 1 committed {first[0]}-{first[-1]} ({len(first)}), "
                         f"{len(left)} of them still in it")
            print(line)
            if fsck != 0:
                print(f"kernel-images: e2fsck -fn calls {name} damaged: the kernel wrote it, so this is a tool bug", file=sys.stderr)
                return 1
        return 0
    if a.seeds:
        images = dict(SEEDS)
    if a.only:
        images = {k: v for k, v in {**IMAGES, **LARGE, **SEEDS}.items() if k in a.only}
    for name, spec in images.items():
        img, n, fsck = make(name, spec, a.out, a.seed, name in LARGE, 600 if a.small else 3000, tiny=name in SEEDS)
        if a.fixtures:
            for path in (img, f"{a.out}/{name}.truth.jsonl"):
                run("xz", "-9", "-f", "-T1", path)
        print(f"{name}: {n} paths, e2fsck -fn exit {fsck}")
        if fsck != 0:
            print(f"kernel-images: e2fsck -fn calls {name} damaged: the kernel wrote it, so this is a tool bug", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
