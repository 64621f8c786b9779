// Finished output files kept open until their data is on the disk, in order with the items around them.
#if canImport(Glibc)
import Glibc
#endif

/// A FIFO of finished items, some of them output files still open whose writeback has been started
/// (``OutputFile/finishWritingBehind(size:mode:accessTime:modificationTime:owner:)``). Once more than
/// ``maxFiles`` files or ``maxBytes`` bytes are in flight, the oldest file is settled and closed, and
/// its payload handed on with the writeback's `errno`; items without a file are handed on as they reach
/// the front. Settling a file no commit covers yet first commits the output filesystem (`syncfs`), which
/// covers every file queued so far: the kernel writes the batch back together, merged, rather than one
/// request per small file (per-file `sync_file_range` made a small-files salvage 15–25% slower). Then
/// ``Writeback/settle(_:offset:count:)`` collects the file's own writeback error and drops its pages.
/// So payloads leave in the order they came, and a salvage of many small files keeps a bounded share
/// of the page cache, as ``OutputFile`` does within one big file.
///
/// On an output filesystem with nothing to write back (``OutputSandbox/writesBack`` false: tmpfs),
/// a file is closed as it comes and nothing waits: every payload is handed on at once.
///
/// Used by one thread at a time (the copy thread of a ``CopyPipeline``).
final class WriteBehind<Payload> {
    /// Files in flight at most (each holds a descriptor).
    let maxFiles: Int
    /// Unsettled bytes in flight at most.
    let maxBytes: UInt64
    /// False: files are closed at once, never settled (see ``OutputSandbox/writesBack``).
    let writesBack: Bool

    private struct Entry {
        let payload: Payload
        /// The open file, or -1 for an item with no file.
        let fd: Int32
        /// Bytes below this were settled by the file itself.
        let settled: UInt64
        let bytes: UInt64
    }
    private var entries: [Entry] = []
    private var head = 0
    /// Entries below this index were queued before the last commit (`syncfs`): their data is on the disk.
    private var committed = 0
    private var files = 0
    private var bytes: UInt64 = 0

    /// `maxFiles` nil: ``DescriptorBudget/filesWrittenBehind()``.
    init(maxFiles: Int? = nil, maxBytes: UInt64 = 32 << 20, writesBack: Bool = true) {
        self.maxFiles = maxFiles ?? DescriptorBudget.filesWrittenBehind()
        self.maxBytes = maxBytes
        self.writesBack = writesBack
    }

    /// Closes files still in flight (their payloads are dropped: call ``drain(_:)`` first).
    deinit {
        for entry in entries[head...] where entry.fd >= 0 { close(entry.fd) }
    }

    /// Queues an item with no file; items at the front are handed on at once. Returns the first
    /// error `retire` returned.
    func append(_ payload: Payload, retire: (Payload, _ writebackErrno: Int32) -> FSRescueError?) -> FSRescueError? {
        if head == entries.count { return retire(payload, 0) }
        entries.append(Entry(payload: payload, fd: -1, settled: 0, bytes: 0))
        return handOn(all: false, retire)
    }

    /// Queues a finished file whose descriptor `fd` this now owns, `size` bytes long, settled below
    /// `settled`; then settles the oldest files while over a limit.
    func append(_ payload: Payload, file fd: Int32, size: UInt64, settled: UInt64,
                retire: (Payload, _ writebackErrno: Int32) -> FSRescueError?) -> FSRescueError? {
        if !writesBack {
            // Nothing is ever left waiting here without writeback, so this item is at the front.
            let failure: Int32 = close(fd) == 0 || errno == EINTR ? 0 : errno
            return retire(payload, failure)
        }
        let unsettled = size > settled ? size - settled : 0
        entries.append(Entry(payload: payload, fd: fd, settled: settled, bytes: unsettled))
        files += 1
        bytes += unsettled
        return handOn(all: false, retire)
    }

    /// Settles and hands on everything queued.
    func drain(_ retire: (Payload, _ writebackErrno: Int32) -> FSRescueError?) -> FSRescueError? {
        handOn(all: true, retire)
    }

    private var overLimit: Bool { files > maxFiles || bytes > maxBytes }

    /// Hands on front items with no file at any time, and front files while over a limit (or `all`).
    private func handOn(all: Bool, _ retire: (Payload, Int32) -> FSRescueError?) -> FSRescueError? {
        var first: FSRescueError?
        while head < entries.count {
            let entry = entries[head]
            var failure: Int32 = 0
            if entry.fd >= 0 {
                guard all || overLimit else { break }
                if head >= committed {
                    // One commit for every file queued so far: the kernel writes them back together,
                    // merged, rather than one request per small file.
                    _ = Writeback.commitFilesystem(of: entry.fd)
                    committed = entries.count
                }
                failure = Writeback.settle(entry.fd, offset: entry.settled, count: 0)
                if close(entry.fd) != 0, failure == 0, errno != EINTR { failure = errno }
                files -= 1
                bytes -= entry.bytes
            }
            head += 1
            if let error = retire(entry.payload, failure), first == nil { first = error }
        }
        if head == entries.count {
            entries.removeAll(keepingCapacity: true)
            committed = 0
            head = 0
        } else if head >= 1024 {
            entries.removeFirst(head)
            committed = max(0, committed - head)
            head = 0
        }
        return first
    }
}
