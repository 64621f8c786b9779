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
    /// The CLI calls it before a salvage or an extract; a library caller decides for itself.
    public static func raiseSoftLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        let wanted = min(limit.rlim_max, raiseTo)
        guard wanted > limit.rlim_cur else { return }
        limit.rlim_cur = wanted
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    /// Files each queue may hold open: an eighth of the soft limit, between 4 and 256 (the queues,
    /// batches included, then hold under a third of the limit).
    static func filesPerQueue() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 256 }
        return Int(max(4, min(256, limit.rlim_cur / 8)))
    }
}
