// How many output files a salvage may hold open at once, from the process's limit on open descriptors.
#if canImport(Glibc)
import Glibc
#endif

/// Every queued output file holds a descriptor: the copy queue (``CopyPipeline``: files created, not
/// yet copied) and the write-behind queue (``WriteBehind``: copied, not yet on the disk). Their sizes
/// follow the soft limit on open descriptors (`getrlimit` `RLIMIT_NOFILE`), so a low limit (`ulimit -n`)
/// makes them shorter instead of making `openat` fail with EMFILE (which also kept `dlopen` from
/// loading libcrypto).
public enum DescriptorBudget {
    /// The most the CLI raises the soft limit to.
    static let raiseTo: rlim_t = 1 << 16

    /// Raises the soft limit on open descriptors towards the hard limit (`setrlimit` `RLIMIT_NOFILE`),
    /// to at most 65,536: the full queues use a few hundred, and systemd's default soft limit is 1,024.
    /// The CLI calls it before every command; a library caller decides for itself.
    public static func raiseSoftLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        let wanted = min(limit.rlim_max, raiseTo)
        guard wanted > limit.rlim_cur else { return }
        limit.rlim_cur = wanted
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    /// The free descriptors a command needs before it starts: the image and libext2fs's handles, the
    /// output folder and manifest, libcrypto while `dlopen` maps it, the signal pipe, Dispatch's event
    /// loop (epoll, eventfd, timers) and the two shortest queues (4 files each), with room to spare.
    /// Below it Dispatch traps when its event loop cannot start (a crash at `ulimit -n 7`).
    public static let minimumFree = 32

    /// nil when at least ``minimumFree`` more descriptors can be opened now, else the sentence to
    /// print (exit 8). It opens them (`fcntl` `F_DUPFD_CLOEXEC`) and closes them again: the soft
    /// limit alone does not say how many the process inherited already open.
    public static func shortage() -> String? {
        let free = openable(upTo: minimumFree).count
        guard free < minimumFree else { return nil }
        var limit = rlimit()
        let soft = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 ? "\(limit.rlim_cur)" : "unknown"
        return "too few free file descriptors: fsrescue needs \(minimumFree) and could open only \(free) "
            + "(ulimit -n is \(soft)); raise the limit (ulimit -n 1024) and run again."
    }

    /// How many more descriptors, up to `wanted`, this process can open now: it opens them (`fcntl`
    /// `F_DUPFD_CLOEXEC`) and closes them again. `failure` is the `errno` that stopped it, else 0.
    static func openable(upTo wanted: Int) -> (count: Int, failure: Int32) {
        var opened: [Int32] = []
        defer { for fd in opened { close(fd) } }
        while opened.count < wanted {
            let fd = fcntl(2, F_DUPFD_CLOEXEC, 0)
            guard fd >= 0 else { return (opened.count, errno) }
            opened.append(fd)
        }
        return (opened.count, 0)
    }

    /// Files each queue may hold open: an eighth of the soft limit, between 4 and `most` (the queues,
    /// batches included, then hold under a third of the limit).
    static func filesPerQueue(most: Int = 256) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return min(256, most) }
        return Int(max(4, min(rlim_t(most), limit.rlim_cur / 8)))
    }

    /// Files the write-behind queue may hold open: as ``filesPerQueue(most:)``, up to 1,024. Each time
    /// its oldest file is not yet on the disk, the queue commits the whole output filesystem
    /// (`syncfs`); into ext4 that is a journal commit and a wait, so fewer commits save time: 1,024
    /// files between them cut a 100k-file salvage into ext4 by a sixth against 256, for 2 MB of peak
    /// memory; 8,192 files and 256 MiB gained nothing measurable at 1M files (docs/benchmarks.md).
    static func filesWrittenBehind() -> Int {
        filesPerQueue(most: 1024)
    }
}
