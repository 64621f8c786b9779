// Copying file data on a second thread while the main thread walks the plan: a bounded queue, kept in order.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Writes the items of a salvage in plan order: file copies (read, hash, write, set times, close) and
/// finished manifest records go through one bounded FIFO queue to one copy thread, which also appends
/// the manifest lines, so the manifest lists items in the same order as a single-threaded run.
///
/// The main thread keeps everything that touches the libext2fs handle (not thread-safe) or chooses
/// names (directory walk, data maps, `openat`/`mkdirat`/`symlinkat`/`linkat`); the copy thread owns the
/// ``ContentCopier`` and the ``Manifest`` while the run lasts. Items are handed over in batches (64
/// items or 1 MiB of data), and the copy thread takes the whole queue at once and does it without
/// the lock, settling its accounts once per batch: the threads meet a few thousand times per 100k
/// files, not per file (each meeting can cost a futex wake-up and a context switch). A failure or a
/// cancellation is seen between items through one atomic flag (``stopping``).
/// The copy thread reads, hashes and writes every byte, so on a salvage of many small files it is
/// the slower of the two and the main thread would wait for room in the queue. Instead, while the
/// queue holds more than ``shareAbove`` items, the main thread copies the next small file itself
/// with its own ``ContentCopier`` and queues it as copied (``CopiedFile``): the copy thread then
/// only settles it and writes its record, in order, so the output and the manifest are the same
/// whichever thread copied. Only files without holes (the run's hole-hashing budget is the copy
/// thread's) and only runs without `--max-output-bytes` (a limit is charged in queue order) share.
/// Without a thread (one core, or `parallelCopy` off) every item is done at once on the caller's
/// thread, the same code.
///
/// After a failure that stops the run (the output limit, a full disk, a manifest that cannot be written)
/// the copy thread records that item as before and then abandons the items queued behind it: files and
/// links it had been handed are removed (`unlinkat`: this run created them), records dropped. Folders
/// and symlinks the main thread made for them in the meantime stay, empty and unrecorded; a resumed
/// run reuses or replaces them. Cancellation abandons the queue the same way, so SIGINT stops the run
/// within the item being copied, as without the thread.
final class CopyPipeline: @unchecked Sendable {
    /// Items queued at most (batches included): enough to keep the copy thread busy, little memory;
    /// 256, fewer under a low limit on open descriptors (each queued file holds one: ``DescriptorBudget``).
    let capacity: Int
    /// File data queued at most: the walk stays close to the copy, so a stop or cancellation abandons
    /// little (progress counts bytes as the copy writes them, see ``CopyProgress``).
    static let capacityBytes: UInt64 = 32 << 20
    /// A batch is handed over at this many items (64, or a quarter of ``capacity``) …
    let batchItems: Int
    /// … or this many bytes of file data.
    static let batchBytes: UInt64 = 1 << 20

    /// Boxed (`indirect`): a job holds a manifest record of some twenty fields, and an item is copied
    /// into the batch, the queue and out again; a box is one reference to count instead of dozens.
    indirect enum Item {
        case copy(FileCopyJob)
        case link(HardLinkJob)
        case record(ManifestRecord)
        case copied(CopiedFile)

        /// File data this item puts in the queue (``capacityBytes``).
        var dataBytes: UInt64 {
            if case .copy(let job) = self { return job.size }
            return 0
        }
    }

    private let copier: ContentCopier
    /// The main thread's copier, for the files it copies itself (nil: it never does).
    private let helper: ContentCopier?
    /// Items, and bytes of file data, handed to the copy thread and not yet done: the main thread
    /// waits while ``backlogBytes`` reaches ``capacityBytes``, and shares the copying above
    /// ``shareAbove`` items or half of ``capacityBytes``. Changed by the copy thread before it takes
    /// the lock to wake the main thread, so a waiter that read them under the lock is woken after.
    private let backlog = Atomic<Int>(0)
    private let backlogBytes = Atomic<UInt64>(0)
    /// Shares the copying when the copy thread has this many items still to do: enough that it never
    /// runs dry while the main thread copies one file.
    private let shareAbove: Int
    /// Files the main thread copied itself.
    private(set) var sharedCopies = 0
    /// Files the main thread shares only up to this size: a big one would leave the copy thread idle.
    static let shareBytes: UInt64 = 1 << 20
    private let manifest: Manifest
    /// Where the copy counts the bytes it writes.
    private let progress: CopyProgress
    /// False without a second core, with `parallelCopy` off, or when the thread cannot be started.
    private var threaded: Bool
    private let lock: UnsafeMutablePointer<pthread_mutex_t>
    private let changed: UnsafeMutablePointer<pthread_cond_t>
    // The main thread's batch, not yet handed over.
    private var batch: [Item] = []
    private var batchData: UInt64 = 0
    // Guarded by `lock`.
    private var queue: [Item] = []
    /// Items the copy thread has done, handed back for the main thread to free: their names, records
    /// and maps were allocated there, and glibc frees another thread's memory under that thread's
    /// arena lock, on which the copy thread then slept some 10,000 times per 100k files.
    private var spent: [Item] = []
    /// The main thread's: ``spent`` taken over, freed outside the lock.
    private var freeing: [Item] = []
    /// The copy thread starts with the first batch, so a runner that never runs leaves no thread behind.
    private var started = false
    private var closed = false
    private var finished = false
    private var failureStorage: FSRescueError?
    /// The run was cancelled: queued items are abandoned like after a failure.
    private var cancelled = false
    /// Set with ``failureStorage`` or ``cancelled``: read between items without the lock.
    private let stopping = Atomic<Bool>(false)
    // Owned by the copy thread while it runs; read by the main thread after ``finish()``.
    private(set) var counts = ItemCounts()
    /// Records of first names of hard-linked files, by inode (set as their data reaches the disk).
    private var firstLinks: [UInt32: LinkOutcome] = [:]
    /// An item done by the copy thread whose record waits in ``behind``.
    enum Settling {
        case record(ManifestRecord)
        /// A copied file (its descriptor is the queue's) and whether other names will link to it.
        case file(ManifestRecord, linked: Bool)
        case link(HardLinkJob)
    }
    /// Copied files whose data is still on its way to the disk, and the records behind them.
    private let behind: WriteBehind<Settling>

    /// `writesBack`: the output filesystem writes data back to a disk (``OutputSandbox/writesBack``).
    /// `helper`: a second copier for the main thread to share the copying with (nil: no sharing).
    init(copier: ContentCopier, manifest: Manifest, progress: CopyProgress, threaded: Bool, writesBack: Bool = true,
         helper: ContentCopier? = nil, shareAbove: Int? = nil) {
        behind = WriteBehind(writesBack: writesBack)
        capacity = DescriptorBudget.filesPerQueue()
        batchItems = max(1, min(64, capacity / 4))
        self.shareAbove = shareAbove ?? capacity / 2
        self.copier = copier
        self.helper = helper
        self.progress = progress
        self.manifest = manifest
        self.threaded = threaded
        lock = .allocate(capacity: 1)
        lock.initialize(to: pthread_mutex_t())
        pthread_mutex_init(lock, nil)
        changed = .allocate(capacity: 1)
        changed.initialize(to: pthread_cond_t())
        pthread_cond_init(changed, nil)
    }

    deinit {
        pthread_cond_destroy(changed)
        pthread_mutex_destroy(lock)
        changed.deallocate()
        lock.deallocate()
    }

    /// The failure that stopped the copy thread (then every later item is abandoned), if any.
    var failure: FSRescueError? {
        guard threaded else { return failureStorage }
        guard stopping.load(ordering: .acquiring) else { return nil }
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return failureStorage
    }

    /// Queues a file copy, or copies it here and queues the result when the copy thread is behind.
    func submit(_ job: FileCopyJob) {
        if threaded, let helper, job.size <= Self.shareBytes, job.map.writtenBytes(blockSize: helper.blockSize) >= job.size,
           backlog.load(ordering: .relaxed) + batch.count > shareAbove
            || backlogBytes.load(ordering: .relaxed) + batchData > Self.capacityBytes / 2,
           !stopping.load(ordering: .relaxed) {
            sharedCopies += 1
            submit(.copied(copyHere(job, with: helper)))
            return
        }
        batchData = batchData.addingSaturating(job.size)
        submit(.copy(job))
    }

    /// Copies `job` on the main thread, as ``process(_:abandoned:)`` would on the copy thread.
    private func copyHere(_ job: FileCopyJob, with helper: ContentCopier) -> CopiedFile {
        var record = job.record
        helper.collectedReads = []
        defer { helper.collectedReads = nil }
        do throws(FSRescueError) {
            let open = try copy(job, into: &record, with: helper)
            return CopiedFile(job: job, record: record, open: open, stop: nil, reads: helper.collectedReads ?? [])
        } catch {
            record.status = .skipped
            record.skippedReason = error.message
            return CopiedFile(job: job, record: record, open: nil, stop: error.code == .outputLimit ? error : nil,
                              reads: helper.collectedReads ?? [])
        }
    }

    /// Queues another name of a hard-linked file.
    func submit(_ job: HardLinkJob) { submit(.link(job)) }

    /// Queues a finished record (a folder, symlink, skipped or special item) for the manifest.
    func submit(_ record: ManifestRecord) { submit(.record(record)) }

    private func submit(_ item: Item) {
        guard threaded else {
            if let error = process(item, abandoned: failureStorage != nil), failureStorage == nil { failureStorage = error }
            return
        }
        batch.append(item)
        if batch.count >= batchItems || batchData >= Self.batchBytes { handOver() }
    }

    /// Starts the copy thread (`pthread_create`, detached; it keeps the pipeline alive until
    /// ``work()`` returns); false when it cannot. A Foundation `Thread` would link all of Foundation:
    /// 3 MB more RSS in every run, scans included.
    private func startThread() -> Bool {
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { context in
            let pipeline = Unmanaged<CopyPipeline>.fromOpaque(context!).takeRetainedValue()
            pipeline.work()
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<CopyPipeline>.fromOpaque(context).release()
            return false
        }
        pthread_detach(thread)
        return true
    }

    /// Hands the batch to the copy thread; blocks while the queue is full.
    private func handOver() {
        guard !batch.isEmpty else { return }
        pthread_mutex_lock(lock)
        if !started {
            started = true
            guard startThread() else {
                // No thread to be had (a process limit): the same work, inline, as on one core.
                threaded = false
                pthread_mutex_unlock(lock)
                let items = batch
                batch.removeAll()
                batchData = 0
                for item in items { submit(item) }
                return
            }
        }
        while queue.count >= capacity || backlogBytes.load(ordering: .relaxed) >= Self.capacityBytes {
            pthread_cond_wait(changed, lock)
        }
        backlog.add(batch.count, ordering: .relaxed)
        backlogBytes.add(batchData, ordering: .relaxed)
        if queue.isEmpty { swap(&queue, &batch) } else { queue.append(contentsOf: batch); batch.removeAll(keepingCapacity: true) }
        batchData = 0
        swap(&freeing, &spent)
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(lock)
        freeing.removeAll(keepingCapacity: true)
    }

    /// Hands over what is left, waits until every item is done and stops the copy thread; afterwards
    /// ``counts`` and the manifest are the caller's again. When `cancel` is true, or becomes true while
    /// waiting (checked every 20 ms on this thread), the items still queued are abandoned (their files
    /// and links removed, their records dropped) and this returns true.
    @discardableResult
    func finish(cancel: () -> Bool = { false }) -> Bool {
        guard threaded else {
            if let drained = drainWriteBehind(), failureStorage == nil { failureStorage = drained }
            return false
        }
        if cancel() {
            pthread_mutex_lock(lock)
            cancelled = true
            stopping.store(true, ordering: .releasing)
            pthread_mutex_unlock(lock)
        }
        handOver()
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        guard started else { return cancelled }
        closed = true
        pthread_cond_broadcast(changed)
        while !finished {
            if !cancelled && cancel() {
                cancelled = true
                stopping.store(true, ordering: .releasing)
                pthread_cond_broadcast(changed)
            }
            var deadline = timespec()
            clock_gettime(CLOCK_REALTIME, &deadline)
            deadline.tv_nsec += 20_000_000
            if deadline.tv_nsec >= 1_000_000_000 { deadline.tv_sec += 1; deadline.tv_nsec -= 1_000_000_000 }
            pthread_cond_timedwait(changed, lock, &deadline)
        }
        spent.removeAll()
        return cancelled
    }

    private func work() {
        var taken: [Item] = []
        pthread_mutex_lock(lock)
        while true {
            while queue.isEmpty && !closed { pthread_cond_wait(changed, lock) }
            if queue.isEmpty { break }
            swap(&taken, &queue)
            // Room for another batch: the main thread may wait for it.
            pthread_cond_broadcast(changed)
            pthread_mutex_unlock(lock)
            var copiedData: UInt64 = 0
            for item in taken {
                copiedData += item.dataBytes
                if let error = process(item, abandoned: stopping.load(ordering: .acquiring)) { stop(error) }
            }
            backlog.subtract(taken.count, ordering: .relaxed)
            backlogBytes.subtract(copiedData, ordering: .relaxed)
            pthread_mutex_lock(lock)
            if spent.isEmpty { swap(&spent, &taken) } else { spent.append(contentsOf: taken) }
            taken.removeAll(keepingCapacity: true)
            pthread_cond_broadcast(changed)
        }
        pthread_mutex_unlock(lock)
        if let drained = drainWriteBehind() { stop(drained) }
        pthread_mutex_lock(lock)
        finished = true
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(lock)
    }

    /// Keeps the first error that stops the run; every later item is abandoned.
    private func stop(_ error: FSRescueError) {
        pthread_mutex_lock(lock)
        if failureStorage == nil { failureStorage = error }
        stopping.store(true, ordering: .releasing)
        pthread_mutex_unlock(lock)
    }

    /// Does one item; returns an error that must stop the run. Records wait in ``behind`` for the
    /// files before them, so the manifest calls a file complete only once its data is on the disk.
    private func process(_ item: Item, abandoned: Bool) -> FSRescueError? {
        switch item {
        case .record(let record):
            return abandoned ? nil : behind.append(.record(record), retire: retire)
        case .link(let job):
            if abandoned {
                _ = unlinkat(job.parent.fd, job.name, 0)
                return nil
            }
            return behind.append(.link(job), retire: retire)
        case .copied(let done):
            copier.dropRead(elsewhere: done.reads)
            if abandoned {
                if let open = done.open { close(open.fd) }
                _ = unlinkat(done.job.parent.fd, done.job.name, 0)
                return nil
            }
            guard let open = done.open else {
                let written = behind.append(.record(done.record), retire: retire)
                return done.stop ?? written
            }
            return behind.append(.file(done.record, linked: done.job.linked), file: open.fd, size: done.job.size,
                                 settled: open.settled, retire: retire)
        case .copy(let job):
            if abandoned {
                _ = unlinkat(job.parent.fd, job.name, 0)
                return nil
            }
            var record = job.record
            do throws(FSRescueError) {
                let open = try copy(job, into: &record, with: copier)
                return behind.append(.file(record, linked: job.linked), file: open.fd, size: job.size,
                                     settled: open.settled, retire: retire)
            } catch {
                record.status = .skipped
                record.skippedReason = error.message
                let written = behind.append(.record(record), retire: retire)
                return error.code == .outputLimit ? error : written
            }
        }
    }

    /// Settles every file still in flight and writes the records waiting behind them; drops the last
    /// copied image data from the page cache.
    private func drainWriteBehind() -> FSRescueError? {
        copier.dropCopiedData()
        return behind.drain(retire)
    }

    /// Writes the record of an item leaving ``behind``: a file whose writeback failed (`writebackErrno`)
    /// is recorded as skipped; another name of a hard-linked file takes its first name's outcome.
    private func retire(_ item: Settling, writebackErrno: Int32) -> FSRescueError? {
        switch item {
        case .record(let record):
            return write(record)
        case .file(var record, let linked):
            guard writebackErrno == 0 else {
                let error = OutputSandbox.error(writebackErrno, "write", record.path)
                record.status = .skipped
                record.skippedReason = error.message
                return write(record) ?? (error.code == .outputLimit ? error : nil)
            }
            if linked { firstLinks[record.inode] = LinkOutcome(record) }
            return write(record)
        case .link(let job):
            guard let first = job.first ?? firstLinks[job.inode] else {
                // The first name's copy failed: a single-threaded run would not have linked this name.
                _ = unlinkat(job.parent.fd, job.name, 0)
                var record = job.unlinked
                record.skippedReason = "inode \(job.inode) is already saved under another name"
                return write(record)
            }
            var record = job.record
            first.apply(to: &record)
            return write(record)
        }
    }

    /// Copies a file's content and fills in what the copy found (the part of a single-threaded
    /// salvage that follows creating the file). Returns the file's descriptor, still open, with its
    /// writeback started (``OutputFile/finishWritingBehind(size:mode:accessTime:modificationTime:owner:)``).
    private func copy(_ job: FileCopyJob, into record: inout ManifestRecord,
                      with copier: ContentCopier) throws(FSRescueError) -> (fd: Int32, settled: UInt64) {
        var copy = try copier.copy(job.map, size: job.size, to: job.file, progress: progress.add)
        let open = try job.file.finishWritingBehind(size: job.size, mode: job.mode, accessTime: job.accessTime,
                                                    modificationTime: job.modificationTime, owner: job.owner)
        if job.size < job.inodeSize {
            copy.missing.append(ByteRange(start: job.size, end: job.inodeSize))
            record.findings.append("salvage.size-beyond-map")
        }
        record.bytesRecovered = copy.bytesRecovered
        record.sha256 = copy.sha256
        record.sha256Omitted = copy.sha256Omitted
        let ranges = ContentCopier.merged(copy.missing + job.doubtful)
        record.status = ranges.isEmpty ? .complete : .partial
        record.missingRanges = copy.missing.isEmpty ? nil : copy.missing.map { [$0.start, $0.end] }
        if !copy.unread.isEmpty {
            record.unreadRanges = copy.unread.map { [$0.start, $0.end] }
            record.findings.append("salvage.unread")
        }
        if !job.doubtful.isEmpty {
            record.doubtfulRanges = ContentCopier.merged(job.doubtful).map { [$0.start, $0.end] }
            record.findings.append(job.doubtfulFinding)
        }
        return open
    }

    /// Counts a finished record and appends its manifest line.
    private func write(_ record: ManifestRecord) -> FSRescueError? {
        counts.items += 1
        switch record.status {
        case .complete: counts.complete += 1
        case .partial: counts.partial += 1
        case .skipped: if record.type != .characterDevice && record.type != .blockDevice && record.type != .fifo
                               && record.type != .socket { counts.skipped += 1 }
        }
        do throws(FSRescueError) { try manifest.record(record) } catch { return error }
        return nil
    }
}
