"""Helpers for bench/bench.py: timed runs with peak RSS, cache dropping, medians, image making."""
import os
import shutil
import statistics
import subprocess
import tempfile
import time


def drop_caches():
    """Cold cache when allowed (root and a writable /proc/sys/vm/drop_caches), after the disk has gone
    quiet; returns whether it worked."""
    try:
        os.sync()
        wait_for_quiet_disk()
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
        return True
    except OSError:
        return False


def wait_for_quiet_disk(limit=0.5, timeout=180):
    """Waits until the machine's I/O pressure (the 10-second average of /proc/pressure/io) is below
    `limit` percent, so a run does not pay for the previous run's writeback or the discards of its
    deleted output. Returns the seconds waited (0 where PSI is not available)."""
    start = time.monotonic()
    try:
        while time.monotonic() - start < timeout:
            with open("/proc/pressure/io") as f:
                some = float(f.readline().split()[1].split("=")[1])
            if some < limit:
                break
            time.sleep(1)
    except (OSError, IndexError, ValueError):
        return 0.0
    return time.monotonic() - start


def timed(argv, stdout=None):
    """Runs argv under /usr/bin/time -v; returns (wall seconds, peak RSS KiB, exit status, user s, sys s).
    stdout: a path to keep the standard output in (default: discarded)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as log:
        out = open(stdout, "wb") if stdout else subprocess.DEVNULL
        start = time.monotonic()
        proc = subprocess.run(["/usr/bin/time", "-v", "-o", log.name] + argv,
                              stdout=out, stderr=subprocess.DEVNULL)
        if stdout:
            out.close()
        wall = time.monotonic() - start
        rss, user, system = 0, 0.0, 0.0
        for line in log.read().splitlines():
            if "Maximum resident set size" in line:
                rss = int(line.split(":")[-1])
            elif "User time (seconds)" in line:
                user = float(line.split(":")[-1])
            elif "System time (seconds)" in line:
                system = float(line.split(":")[-1])
    return wall, rss, proc.returncode, user, system


def tree_size(path):
    """(files, bytes) of regular files under path."""
    files = total = 0
    for root, _, names in os.walk(path):
        for name in names:
            p = os.path.join(root, name)
            if os.path.isfile(p) and not os.path.islink(p):
                files += 1
                total += os.lstat(p).st_size
    return files, total


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def spread(xs):
    """Noise figure: (max − min) / median, as a fraction."""
    m = median(xs)
    return (max(xs) - min(xs)) / m if xs and m else 0.0


def run_alternating(tools, runs, cold, prepare=None, cleanup=None, warmup=True):
    """tools: {name: argv or (argv, stdout path)}, or a function of the round's prepare() result giving
    them. Runs them in turn (A B C A B C ...), `runs` rounds, after one untimed warm-up round (warm mode,
    unless warmup=False: then the first timed round of a read-everything job warms the cache for the next
    tools, and the first tool's run may be colder).
    Returns {name: [(wall, rss, status, user, sys), ...]}."""
    results = {name: [] for name in tools}
    warmup = warmup and not cold
    rounds = runs + 1 if warmup else runs
    for r in range(rounds):
        for name, argv in tools.items():
            args = argv
            if prepare:
                made = prepare(name, r)
                if callable(args):
                    args = args(made)
            if cold and not drop_caches():
                raise RuntimeError("cannot drop caches")
            sample = timed(*args) if isinstance(args, tuple) else timed(args)
            if cleanup:
                cleanup(name, r)
            if not warmup or r > 0:
                results[name].append(sample)
    return results


def make_huge_image(image, files, mib_each, workdir):
    """Few huge files: `files` files of `mib_each` MiB of pseudo-random data, via mke2fs -d."""
    source = tempfile.mkdtemp(prefix="huge-", dir=workdir)
    try:
        block = os.urandom(1 << 20)
        for n in range(files):
            with open(os.path.join(source, f"huge{n:02}.bin"), "wb") as f:
                for i in range(mib_each):
                    f.write(block[i % 7:] + block[:i % 7])
        size_mib = files * mib_each * 105 // 100 + 256
        subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-d", source, image, f"{size_mib}M"], check=True,
                       stdout=subprocess.DEVNULL)
    finally:
        shutil.rmtree(source, ignore_errors=True)


class OutputFilesystem:
    """A fresh, empty filesystem for one salvage run's output, so no run pays for another's deletions
    (ext4's recently-deleted inode checks, writeback of the previous tree) and every tool starts alike.

    kind "tmpfs": a new tmpfs mount (a new folder on /dev/shm, the previous one removed and synced,
    when mounting is not allowed). kind "ext4": mkfs.ext4 on a new sparse file under `workdir`, mounted
    with -o loop; unmounted and deleted after. Mounting needs root."""

    def __init__(self, kind, workdir, size_bytes, inodes):
        self.kind, self.workdir = kind, workdir
        self.size, self.inodes = size_bytes, inodes
        self.mountpoint = self.backing = None
        self.mounted = False

    @staticmethod
    def can_mount():
        return os.geteuid() == 0 and shutil.which("mount") is not None

    def __enter__(self):
        self.mountpoint = tempfile.mkdtemp(prefix=f"out-{self.kind}-", dir=self.workdir if self.kind == "ext4" else "/dev/shm")
        if self.kind == "tmpfs":
            if self.can_mount():
                subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={self.size},nr_inodes={self.inodes}", "tmpfs",
                                self.mountpoint], check=True)
                self.mounted = True
        else:
            self.backing = self.mountpoint + ".img"
            with open(self.backing, "wb") as f:
                f.truncate(self.size)
            subprocess.run(["mkfs.ext4", "-q", "-F", "-N", str(self.inodes), self.backing], check=True,
                           stdout=subprocess.DEVNULL)
            subprocess.run(["mount", "-o", "loop", self.backing, self.mountpoint], check=True)
            self.mounted = True
        os.sync()
        return self.mountpoint

    def __exit__(self, *_):
        if self.mounted:
            subprocess.run(["umount", self.mountpoint], check=True)
        shutil.rmtree(self.mountpoint, ignore_errors=True)
        if self.backing:
            os.remove(self.backing)
        os.sync()


def fresh_dir(base, name):
    path = os.path.join(base, name)
    shutil.rmtree(path, ignore_errors=True)
    return path


def remove(path):
    shutil.rmtree(path, ignore_errors=True)
