"""Renders bench/bench.py's measurements as the Markdown of bench/results.md."""


def _s(x):
    return f"{x:.2f}" if x < 10 else f"{x:.1f}"


def _mb(kib):
    return f"{kib / 1024:.0f}"


def _r(a, b):
    return f"**{a / b:.2f}**" if b else "-"


def scan_table(rows):
    out = ["| image | used inodes | cache | fsrescue s | e2fsck -fn s | ratio | fls -r -p s | ratio "
           "| fsrescue RSS MB | e2fsck MB | ratio | fls MB | ratio | noise (ours/e2fsck) |",
           "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for shape, row in rows.items():
        for cache, t in row["scan"].items():
            o, e, f = t["fsrescue scan"], t["e2fsck -fn"], t["fls -r -p"]
            out.append(f"| {shape} | {row['inodes']:,} | {cache} | {_s(o['wall'])} | {_s(e['wall'])} | {_r(o['wall'], e['wall'])} "
                       f"| {_s(f['wall'])} | {_r(o['wall'], f['wall'])} | {_mb(o['rss'])} | {_mb(e['rss'])} | {_r(o['rss'], e['rss'])} "
                       f"| {_mb(f['rss'])} | {_r(o['rss'], f['rss'])} | ±{50 * o['noise']:.0f}% / ±{50 * e['noise']:.0f}% |")
    return "\n".join(out)


def _cpu(t):
    return f"{_s(t['user'])} + {_s(t['sys'])}" if "user" in t else "-"


def salvage_table(rows):
    out = ["| image | items | MB | cache, output | fsrescue s | user + sys | MB/s | items/s | debugfs rdump s | user + sys "
           "| ratio | tsk_recover -e s | ratio | RSS MB ours / debugfs / tsk |",
           "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for shape, row in rows.items():
        files, data = row["salvage_work"]
        for cache, t in row["salvage"].items():
            o, d = t["fsrescue salvage"], t["debugfs rdump"]
            k = t.get("tsk_recover -e")
            tsk = f"{_s(k['wall'])} | {_r(o['wall'], k['wall'])}" if k else "not run | -"
            out.append(f"| {shape} | {files:,} | {data / 1e6:,.0f} | {cache} | {_s(o['wall'])} | {_cpu(o)} | {o['mbps']:.0f} "
                       f"| {o['files_per_s']:,.0f} | {_s(d['wall'])} | {_cpu(d)} | {_r(o['wall'], d['wall'])} | {tsk} "
                       f"| {_mb(o['rss'])} / {_mb(d['rss'])} / {_mb(k['rss']) if k else '-'} |")
    return "\n".join(out)


def growth_table(rows):
    series = [(s, r) for s, r in rows.items() if s.startswith("files_")]
    out = ["| image | used inodes | used GiB | scan µs/inode | scan s/GiB | e2fsck µs/inode | RSS bytes/inode "
           "| RSS bytes/inode above the first size |",
           "|---|---:|---:|---:|---:|---:|---:|---:|"]
    base = series[0][1] if series else None
    for shape, row in series:
        o, e = row["scan"]["warm"]["fsrescue scan"], row["scan"]["warm"]["e2fsck -fn"]
        gib = row["bytes"] / 2**30
        marginal = "-"
        if row is not base:
            b = base["scan"]["warm"]["fsrescue scan"]
            marginal = f"{(o['rss'] - b['rss']) * 1024 / (row['inodes'] - base['inodes']):.0f}"
        out.append(f"| {shape} | {row['inodes']:,} | {gib:.1f} | {1e6 * o['wall'] / row['inodes']:.2f} | {o['wall'] / gib:.2f} "
                   f"| {1e6 * e['wall'] / row['inodes']:.2f} | {o['rss'] * 1024 / row['inodes']:.0f} | {marginal} |")
    return "\n".join(out)


def targets(rows):
    lines = []
    for shape, row in rows.items():
        for cache, t in row["scan"].items():
            o, e = t["fsrescue scan"], t["e2fsck -fn"]
            ok_t = o["wall"] <= e["wall"]
            lines.append(f"- scan {shape} {cache}: time {o['wall'] / e['wall']:.2f}x e2fsck ({'holds' if ok_t else 'MISSES'} ≤ 1.0x), "
                         f"peak RSS {_mb(o['rss'])} MB against e2fsck's {_mb(e['rss'])} MB ({o['rss'] / e['rss']:.1f}x, "
                         f"start-up included: the memory target is per inode, below)")
        for cache, t in row["salvage"].items():
            o, d = t["fsrescue salvage"], t["debugfs rdump"]
            lines.append(f"- salvage {shape} {cache}: {o['wall'] / d['wall']:.2f}x debugfs rdump "
                         f"({'holds' if o['wall'] <= d['wall'] else 'MISSES'} ≤ 1.0x), peak RSS {_mb(o['rss'])} MB "
                         f"against rdump's {_mb(d['rss'])} MB"
                         + (f" ({'holds' if o['rss'] <= 100 * 1024 else 'MISSES'} ≤ 100 MB at 1M files)" if shape == "files_1m" else ""))
    lines += memory_per_inode(rows)
    return "\n".join(lines)


def memory_per_inode(rows):
    """Scan memory per inode at scale: peak RSS growth from the smallest to the largest files_ image,
    per used inode, ours against e2fsck's (a binary's fixed start-up cost is not a target)."""
    series = [(s, r) for s, r in rows.items() if s.startswith("files_") and "warm" in r["scan"]]
    if len(series) < 2:
        return []
    (s0, r0), (s1, r1) = series[0], series[-1]
    inodes = r1["inodes"] - r0["inodes"]
    if inodes <= 0:
        return []
    def growth(tool):
        return (r1["scan"]["warm"][tool]["rss"] - r0["scan"]["warm"][tool]["rss"]) * 1024 / inodes
    ours, theirs = growth("fsrescue scan"), growth("e2fsck -fn")
    ok = theirs > 0 and ours <= 2 * theirs
    ratio = f"{ours / theirs:.2f}x" if theirs > 0 else "-"
    return [f"- scan memory per inode, {s0} to {s1} (warm): {ours:.1f} bytes against e2fsck's {theirs:.1f} "
            f"({ratio}; {'holds' if ok else 'MISSES'} ≤ 2x)"]


def render(rows, started, machine, quick, large, cold, runs):
    mode = "quick (BENCH_QUICK=1: 100k files only)" if quick else "full" + (" with 5M files" if large else " (5M files only with BENCH_LARGE=1)")
    return f"""# fsrescue benchmark results

{started}, {machine}. Mode: {mode}. Medians of {runs} alternating runs per tool (scan); salvage runs as listed
in bench/bench.py; warm runs follow one untimed run of each tool; cold runs drop the page cache first
({'allowed here' if cold else 'not allowed here: warm only'}). Ratios are ours / theirs: below 1 is better.
Noise is half the spread (max − min) of the runs over their median.

## Scan: `fsrescue scan` vs `e2fsck -fn` and `fls -r -p`

{scan_table(rows)}

## Salvage of the whole tree: `fsrescue salvage` vs `debugfs -R 'rdump / DIR'` and `tsk_recover -e`

{salvage_table(rows)}

Items (files, directories, symlinks) and MB (regular-file data) are what fsrescue wrote. Every run of
every tool writes into a fresh, empty output filesystem made for it and removed after it (tmpfs: a new
tmpfs mount; ext4: mkfs.ext4 on a new sparse file, loop-mounted), so no run pays for the previous one's
deletions or writeback. Into ext4 the peers' times include a `sync -f` of their output after them:
fsrescue commits its output (syncfs) before its manifest calls a file complete. user + sys are CPU seconds (medians): fsrescue copies on a second thread, so
they can exceed its wall time. fsrescue also scans the filesystem first, hashes every file (SHA-256)
and writes a manifest line per item.

## Growth (warm scans)

{growth_table(rows)}

## Targets

{targets(rows)}
"""
