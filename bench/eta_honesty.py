#!/usr/bin/env python3
"""ETA honesty: how far "elapsed + ETA" is from the real run time, for fsrescue and for e2fsck -C.

Subcommands (bench/eta-honesty.sh drives them):
  make-image SHAPE IMAGE [--scale F]   build a test image of one shape with mke2fs -d
  measure-e2fsck IMAGE                 run e2fsck -fn -C FD, extrapolate its bar to an ETA
  measure-ours [--fresh DIR] IMAGE -- CMD...
                                       run CMD IMAGE --progress json, read fsrescue.progress/1 events on
                                       stderr (DIR: the command's output folder, removed before and after)

measure-* print one JSON object: tool, total_seconds, updates (after the first 10% of the run),
uncertain (of those, how many gave no figure), median_error, max_error (fractions of the total).
"""
import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

# e2fsck's own pass weights (e2fsck/unix.c, e2fsck_simple_progress): 70/20/2/3/5 whatever the disk.
E2FSCK_TABLE = [0, 70, 90, 92, 95, 100]


from benchlib import drop_caches  # noqa: E402  (one definition, shared with bench.py)


def e2fsck_percent(pass_no, current, maximum):
    """What e2fsck's bar shows (calc_percent in e2fsck/unix.c)."""
    if pass_no <= 0:
        return 0.0
    if pass_no >= len(E2FSCK_TABLE) or maximum == 0:
        return 100.0
    lo, hi = E2FSCK_TABLE[pass_no - 1], E2FSCK_TABLE[pass_no]
    return lo + (hi - lo) * current / maximum


def summarize(tool, total, samples):
    """samples: (arrival seconds, eta seconds or None). Keeps those after the first 10% of the run."""
    late = [(t, eta) for t, eta in samples if t >= 0.1 * total]
    errors = [abs(t + eta - total) / total for t, eta in late if eta is not None]
    worst = max(((e, t) for e, (t, eta) in zip(errors, [x for x in late if x[1] is not None])), default=(None, None))
    return {
        "max_error_at": round(worst[1] / total, 3) if worst[1] is not None else None,
        "tool": tool,
        "total_seconds": round(total, 3),
        "updates": len(late),
        "uncertain": sum(1 for _, eta in late if eta is None),
        "median_error": round(statistics.median(errors), 4) if errors else None,
        "max_error": round(max(errors), 4) if errors else None,
    }


def read_lines_timed(fd, start):
    """Yields (seconds since start, line) for each line read from fd, timed on arrival."""
    buffer = b""
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        now = time.monotonic() - start
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            yield now, line.decode("utf-8", "replace")


def measure_e2fsck(image, e2fsck="e2fsck"):
    cold = drop_caches()
    read_fd, write_fd = os.pipe()
    start = time.monotonic()
    proc = subprocess.Popen([e2fsck, "-fn", "-C", str(write_fd), image], pass_fds=(write_fd,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    readings = []
    for t, line in read_lines_timed(read_fd, start):
        fields = line.split()
        if len(fields) < 3:
            continue
        try:
            pass_no, current, maximum = int(fields[0]), int(fields[1]), int(fields[2])
        except ValueError:
            continue
        readings.append((t, e2fsck_percent(pass_no, current, maximum)))
    proc.wait()
    total = time.monotonic() - start
    os.close(read_fd)
    # A reader of the bar extrapolates linearly: at p% after t seconds, t·(100−p)/p remain.
    samples = [(t, t * (100 - p) / p if p > 0 else None) for t, p in readings]
    result = summarize("e2fsck -C", total, samples)
    result.update(exit_status=proc.returncode, cold_cache=cold, lines=len(readings))
    return result


# ext4 skips inodes freed less than 30 s ago when it allocates new ones (recently_deleted() in
# fs/ext4/ialloc.c), looking each one up in the buffer cache: a salvage started right after the last
# one's output was deleted spent a fifth of its kernel time there, and ran slower in its first seconds.
RECENTLY_DELETED_SECONDS = 30


def remove_output(fresh):
    """Removes a salvage's output folder and notes when, so the next run into the same disk can wait."""
    if os.path.exists(fresh):
        shutil.rmtree(fresh, ignore_errors=True)
        os.sync()
        with open(fresh + ".removed", "w"):
            pass


def wait_out_removal(fresh):
    """Waits until RECENTLY_DELETED_SECONDS have passed since the last output was removed."""
    marker = fresh + ".removed"
    if os.path.exists(marker):
        time.sleep(max(0.0, os.path.getmtime(marker) + RECENTLY_DELETED_SECONDS - time.time()))
        os.unlink(marker)


def measure_ours(image, command, fresh=None):
    """fresh: an output folder the command writes (salvage): removed before and after the run, and
    not written again until ext4 no longer treats the removed inodes as recently deleted."""
    if fresh:
        remove_output(fresh)
        wait_out_removal(fresh)
    cold = drop_caches()
    start = time.monotonic()
    proc = subprocess.Popen(command + [image, "--progress", "json"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    samples, kinds, completed = [], {}, None
    for t, line in read_lines_timed(proc.stderr.fileno(), start):
        if not line.startswith("{"):
            continue          # diagnostics share stderr with the events
        event = json.loads(line)
        if event.get("schema") != "fsrescue.progress/1":
            continue
        kinds[event["event"]] = kinds.get(event["event"], 0) + 1
        if event["event"] == "update":
            samples.append((t, event["eta_seconds"]))
        if event["event"] == "done":
            completed = event.get("completed")
    proc.wait()
    total = time.monotonic() - start
    if fresh:
        remove_output(fresh)
    result = summarize("fsrescue " + command[1] if len(command) > 1 else "fsrescue", total, samples)
    result.update(exit_status=proc.returncode, cold_cache=cold, events=kinds, completed=completed)
    return result


def write_files(root, count, dirs, size_range, rng):
    folders = [os.path.join(root, f"d{d:05}") for d in range(dirs)]
    for folder in folders:
        os.makedirs(folder, exist_ok=True)
    block = os.urandom(1 << 16)
    for i in range(count):
        size = rng.randint(*size_range)
        with open(os.path.join(folders[i % dirs], f"f{i:07}"), "wb") as f:
            f.write(block[:size])


def make_source(shape, root, scale, rng):
    """The three shapes of the benchmark, sized by `scale` (1 = a few seconds of e2fsck, cold)."""
    if shape == "small-files":      # many small files in few directories
        write_files(root, int(300_000 * scale), 40, (0, 6000), rng)
    elif shape == "many-dirs":      # many directories, a file or two in each
        count = int(120_000 * scale)
        for d in range(count):
            path = os.path.join(root, f"a{d % 100:02}", f"b{d // 100 % 100:02}", f"c{d:06}")
            os.makedirs(path, exist_ok=True)
            if d % 2 == 0:
                with open(os.path.join(path, "f"), "wb") as f:
                    f.write(b"x" * rng.randint(0, 3000))
    elif shape == "huge-files":     # few huge files, fragmented: a 4 KiB block every 64 KiB
        block = os.urandom(4096)
        for n in range(max(1, int(16 * scale))):
            with open(os.path.join(root, f"huge{n:02}"), "wb") as f:
                for offset in range(0, 1 << 30, 1 << 16):
                    f.seek(offset)
                    f.write(block)
    else:
        raise SystemExit(f"unknown shape {shape!r}: small-files, many-dirs or huge-files")


def make_image(shape, image, scale):
    rng = random.Random(5)
    source = tempfile.mkdtemp(prefix=f"eta-{shape}-", dir=os.path.dirname(os.path.abspath(image)))
    try:
        make_source(shape, source, scale, rng)
        used = int(subprocess.run(["du", "-sk", source], capture_output=True, text=True,
                                  check=True).stdout.split()[0])
        size_mib = max(256, used * 2 // 1024 + 256)
        if os.path.exists(image):
            os.unlink(image)
        subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-N", str(int(450_000 * max(scale, 0.2))),
                        "-d", source, image, f"{size_mib}M"], check=True, stdout=subprocess.DEVNULL)
    finally:
        shutil.rmtree(source, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("make-image")
    p.add_argument("shape")
    p.add_argument("image")
    p.add_argument("--scale", type=float, default=1.0)
    p = sub.add_parser("measure-e2fsck")
    p.add_argument("image")
    p.add_argument("--e2fsck", default=shutil.which("e2fsck") or "/sbin/e2fsck")
    p = sub.add_parser("measure-ours")
    p.add_argument("image")
    p.add_argument("--fresh", help="output folder of the command, removed before and after")
    p.add_argument("cmd", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if args.command == "make-image":
        make_image(args.shape, args.image, args.scale)
    elif args.command == "measure-e2fsck":
        print(json.dumps(measure_e2fsck(args.image, args.e2fsck)))
    else:
        cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
        if not cmd:
            raise SystemExit("measure-ours needs a command after --")
        print(json.dumps(measure_ours(args.image, cmd, args.fresh)))


if __name__ == "__main__":
    sys.exit(main())
