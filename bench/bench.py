#!/usr/bin/env python3
"""`make bench`: fsrescue scan and salvage against e2fsck, debugfs and The Sleuth Kit on generated images.

Environment:
  BENCH_QUICK=1     the 100k-file image only, 3 scan runs, one warm salvage round per output (a few minutes)
  BENCH_LARGE=1     add the 5M-file image (about 30 GiB of image and 4 minutes to make it here)
  BENCH_DIR=DIR     where images and salvage output go (default bench/work; must have room)
  BENCH_RUNS=N      timed scan runs per tool (default 5, quick 3); salvage runs are fewer
  BENCH_TSK_ALL=1   also run tsk_recover -e at 1M and 5M files (11+ min at 1M when runs shared one output
                    filesystem; not re-measured with fresh ones)
  BENCH_OUTPUTS=L   salvage output filesystems, comma-separated (default "tmpfs,ext4"): every salvage run
                    writes into a fresh one (a new tmpfs mount; mkfs.ext4 on a new sparse file under
                    BENCH_DIR, loop-mounted), unmounted and deleted after, so no run pays for another's
                    deletions. Without root: tmpfs only, a fresh folder on /dev/shm.
  BENCH_COLD=0      warm runs only (a cold run first waits, up to 3 minutes, for the disk to go quiet)
  BENCH_SHAPES=L    only these shapes, comma-separated (e.g. files_100k,files_500k,files_1m)
  BENCH_IMAGE_<shape>=PATH   use this image for a shape (e.g. BENCH_IMAGE_files_100k=/x/f100k.img)
Images are made once by `fsrescue fixture create` (mke2fs -d for the huge-files shape), named by
their parameters, and reused. Writes bench/results.md and prints it.
"""
import json
import os
import platform
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as lib  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUICK = os.environ.get("BENCH_QUICK") == "1"
LARGE = os.environ.get("BENCH_LARGE") == "1"
WORK = os.path.abspath(os.environ.get("BENCH_DIR", os.path.join(ROOT, "bench", "work")))
RUNS = int(os.environ.get("BENCH_RUNS", "3" if QUICK else "5"))
OUTPUTS = [o for o in os.environ.get("BENCH_OUTPUTS", "tmpfs,ext4").split(",")
           if o == "tmpfs" or (o == "ext4" and lib.OutputFilesystem.can_mount())]

# name: (fixture create arguments, salvage runs, part of the growth series)
SHAPES = {
    "files_100k": (["--files", "100000", "--max-file-size", "1M"], 3, True),
    "files_500k": (["--files", "500000", "--max-file-size", "1M"], 1, True),
    "files_1m": (["--files", "1000000", "--max-file-size", "1M"], 1, True),
    "files_5m": (["--files", "5000000", "--max-file-size", "1M"], 1, True),
    "many_dirs": (["--files", "200000", "--dirs", "100000", "--max-file-size", "64K"], 1, False),
    "huge_files": ("huge:8x512", 1, False),
}


def shapes():
    if os.environ.get("BENCH_SHAPES"):
        return [n for n in os.environ["BENCH_SHAPES"].split(",") if n in SHAPES]
    names = ["files_100k"] if QUICK else ["files_100k", "files_500k", "files_1m", "many_dirs", "huge_files"]
    if LARGE and not QUICK:
        names.insert(2, "files_5m")
    return names


def image_for(shape, bin_path):
    override = os.environ.get(f"BENCH_IMAGE_{shape}")
    if override:
        return override
    args, _, _ = SHAPES[shape]
    key = args if isinstance(args, str) else "-".join(a.lstrip("-") for a in args)
    image = os.path.join(WORK, f"{shape}-{key.replace(':', '-')}.img")
    if not os.path.exists(image):
        print(f"bench: making {image}", file=sys.stderr)
        if isinstance(args, str):
            files, mib = map(int, args.split(":")[1].split("x"))
            lib.make_huge_image(image, files, mib, WORK)
        else:
            subprocess.run([bin_path, "fixture", "create", "--out", image, "--seed", "1"] + args, check=True,
                           stdout=subprocess.DEVNULL)
    return image


def used(image):
    """(used inodes, used bytes) from the superblock."""
    out = subprocess.run(["dumpe2fs", "-h", image], capture_output=True, text=True).stdout
    f = {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in out.splitlines() if ":" in line)}
    inodes = int(f["Inode count"]) - int(f["Free inodes"])
    return inodes, (int(f["Block count"]) - int(f["Free blocks"])) * int(f["Block size"])


def scan_tools(bin_path, image):
    return {"fsrescue scan": [bin_path, "scan", image], "e2fsck -fn": ["e2fsck", "-fn", image],
            "fls -r -p": ["fls", "-r", "-p", image]}


def salvage_tools(bin_path, image, out, summary, output="tmpfs"):
    """argv per tool; `out` maps the tools wanted to their output folders. Into ext4 the peers are
    followed by `sync -f` on their output, timed with them: fsrescue commits its output (syncfs)
    before it calls a file complete, and a copy still in the page cache is not yet on the disk."""
    def synced(argv, o):
        return argv if output == "tmpfs" else ["sh", "-c", '"$@" && sync -f "$0"', o] + argv
    argv = {"fsrescue salvage": lambda o: ([bin_path, "salvage", image, "--out", o, "--json"], summary),
            "debugfs rdump": lambda o: synced(["debugfs", "-R", f"rdump / {o}", image], o),
            "tsk_recover -e": lambda o: synced(["tsk_recover", "-e", image, o], o)}
    return {name: argv[name](o) for name, o in out.items()}


def summarize(results):
    return {name: {"wall": lib.median([s[0] for s in samples]), "rss": lib.median([s[1] for s in samples]),
                   "user": lib.median([s[3] for s in samples]), "sys": lib.median([s[4] for s in samples]),
                   "noise": lib.spread([s[0] for s in samples]), "runs": len(samples),
                   "status": sorted({s[2] for s in samples})}
            for name, samples in results.items()}


def bench_scan(bin_path, image, cold):
    return summarize(lib.run_alternating(scan_tools(bin_path, image), RUNS, cold))


def bench_salvage(bin_path, image, runs, cold, output, inodes, data, tsk=True):
    """Salvage runs of each tool, alternating, each into a fresh `output` filesystem (see OutputFilesystem)."""
    summary = os.path.join(WORK, "salvage-summary.json")
    names = ["fsrescue salvage", "debugfs rdump"] + (["tsk_recover -e"] if tsk else [])
    # Room for the data (4 KiB blocks: small files round up), inodes for every item, and slack.
    size = int(data * 1.5) + inodes * 8192 + (1 << 30)
    current = {}

    def prepare(name, _):
        fs = lib.OutputFilesystem(output, WORK, size, inodes + inodes // 5 + 10000)
        current["fs"] = fs
        root = fs.__enter__()
        out = os.path.join(root, "out")
        if name != "fsrescue salvage":
            os.makedirs(out)                # debugfs and tsk_recover want the folder to exist
        return out

    def cleanup(name, _):
        current.pop("fs").__exit__(None, None, None)

    tools = {name: (lambda out, name=name: salvage_tools(bin_path, image, {name: out}, summary, output)[name])
             for name in names}
    # Warm salvage: the whole image is read once (untimed) so all three start with it cached.
    if not cold:
        subprocess.run(["cat", image], stdout=subprocess.DEVNULL, check=True)
    stats = summarize(lib.run_alternating(tools, runs, cold, prepare, cleanup, warmup=False))
    doc = json.load(open(summary))["summary"]
    files, written = doc["items"], doc["bytes_written"]
    for s in stats.values():
        s["mbps"] = written / 1e6 / s["wall"]
        s["files_per_s"] = files / s["wall"]
    return stats, files, written


def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    mem = next(int(l.split()[1]) // 1024 for l in open("/proc/meminfo") if l.startswith("MemTotal"))
    load = open("/proc/loadavg").read().split()[:3]
    return f"{os.cpu_count()} cores ({cpu}), {mem} MiB RAM, {platform.system()} {platform.release()}, load {' '.join(load)} at start"


def main():
    build = ["bash", os.path.join(ROOT, "scripts", "release-build.sh")]  # the shipped build's flags
    subprocess.run(build + ["--product", "fsrescue"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    bin_path = subprocess.run(build + ["--show-bin-path"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout.strip() + "/fsrescue"
    os.makedirs(WORK, exist_ok=True)
    can_cold = os.environ.get("BENCH_COLD") != "0" and lib.drop_caches()
    caches = ["warm", "cold"] if can_cold else ["warm"]
    started = time.strftime("%Y-%m-%d %H:%M %Z")
    header = machine()
    rows = {}
    for shape in shapes():
        image = image_for(shape, bin_path)
        inodes, data = used(image)
        rows[shape] = {"inodes": inodes, "bytes": data, "scan": {}, "salvage": {}}
        for cache in caches:
            print(f"bench: {shape} scan, {cache} cache", file=sys.stderr)
            rows[shape]["scan"][cache] = bench_scan(bin_path, image, cache == "cold")
        salvage_runs = 1 if QUICK else SHAPES[shape][1]
        # Cold salvage only at 100k files in the full run: tsk_recover alone takes minutes a round.
        for cache in caches if shape == "files_100k" and not QUICK else ["warm"]:
            for output in OUTPUTS:
                print(f"bench: {shape} salvage, {cache} cache, into {output}", file=sys.stderr)
                tsk = shape not in ("files_500k", "files_1m", "files_5m") or os.environ.get("BENCH_TSK_ALL") == "1"
                stats, files, written = bench_salvage(bin_path, image, salvage_runs, cache == "cold", output,
                                                      inodes, data, tsk)
                rows[shape]["salvage"][f"{cache}, {output}"] = stats
                rows[shape]["salvage_work"] = (files, written)
        with open(os.path.join(WORK, "results.json"), "w") as f:   # kept after every shape
            json.dump({"rows": rows, "started": started, "machine": header}, f, indent=1)
    import benchreport
    text = benchreport.render(rows, started, header, QUICK, LARGE, can_cold, RUNS)
    with open(os.path.join(ROOT, "bench", "results.md"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
