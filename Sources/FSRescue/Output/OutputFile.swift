// A regular file being written in the output sandbox: positioned writes, holes left as holes.
#if canImport(Glibc)
import Glibc
#endif

/// A new regular file in the output. Data is written with `pwrite` at its offset; ranges never
/// written stay holes, and ``finish(size:mode:accessTime:modificationTime:owner:)`` sets the length
/// with `ftruncate` when the file ends in a hole, so a sparse file stays sparse.
///
/// Data is written behind (``Writeback``): each ``Writeback/window`` of it is sent to the disk as
/// soon as it is written, and waited for and dropped from the page cache one window later, so a big
/// file never holds more than two windows of dirty pages. A failed writeback (EIO) is thrown by the
/// write that waits for it, or by ``finish(size:mode:accessTime:modificationTime:owner:)``.
public final class OutputFile: @unchecked Sendable {
    private var fd: Int32
    unowned let sandbox: OutputSandbox
    /// The path from the output root.
    public let relativePath: String
    /// Its name in its folder (the last component of ``relativePath``).
    let name: String
    /// The permission bits asked for at `openat` (the umask may have removed some).
    private let createdMode: mode_t
    /// One past the last byte written: the file's length until ``finish(size:mode:accessTime:modificationTime:owner:)``.
    private var end: UInt64 = 0
    /// Writeback has been started for bytes below this (``Writeback/start(_:offset:count:)``) …
    private var writebackStarted: UInt64 = 0
    /// … and waited for, with the pages dropped, below this (``Writeback/settle(_:offset:count:)``).
    private var writebackSettled: UInt64 = 0

    init(fd: Int32, sandbox: OutputSandbox, name: String, relativePath: String, createdMode: mode_t) {
        self.fd = fd
        self.sandbox = sandbox
        self.name = name
        self.relativePath = relativePath
        self.createdMode = createdMode
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Writes `bytes` at `offset` (`pwrite`), counting them against the sandbox's output limit.
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: UInt64) throws(FSRescueError) {
        try sandbox.account(bytes.count, path: relativePath)
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw OutputSandbox.error(errno, "write", relativePath)
            }
            done += n
        }
        end = max(end, offset + UInt64(bytes.count))
        if end >= writebackStarted + Writeback.window, sandbox.writesBack { try writeBehind() }
    }

    /// Writes the bytes of an array at `offset`.
    public func write(_ bytes: [UInt8], at offset: UInt64) throws(FSRescueError) {
        var failure: FSRescueError?
        bytes.withUnsafeBytes { raw in
            do throws(FSRescueError) { try write(raw, at: offset) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Starts writeback of what was written since the last window, and waits for the window before it.
    private func writeBehind() throws(FSRescueError) {
        let previous = writebackStarted
        Writeback.start(fd, offset: previous, count: end - previous)
        writebackStarted = end
        guard previous > writebackSettled else { return }
        let failure = Writeback.settle(fd, offset: writebackSettled, count: previous - writebackSettled)
        writebackSettled = previous
        if failure != 0 { throw OutputSandbox.error(failure, "write", relativePath) }
    }

    /// Sets the length (`ftruncate`, only when the file ends in a hole: the file is new, so its length
    /// is where the last write ended), permissions without setuid/setgid/sticky (`fchmod`, only when
    /// they differ from the ones the file was created with or the umask took bits away), times
    /// (`futimens`) and, when allowed, the owner (`fchown`); then waits for the file's data to reach the
    /// disk and drops it from the page cache (``Writeback/settle(_:offset:count:)``), and closes it.
    public func finish(size: UInt64, mode: UInt16, accessTime: Int64, modificationTime: Int64,
                       owner: (uid: UInt32, gid: UInt32)?) throws(FSRescueError) {
        let open = try finishWritingBehind(size: size, mode: mode, accessTime: accessTime,
                                           modificationTime: modificationTime, owner: owner)
        let failure = sandbox.writesBack ? Writeback.settle(open.fd, offset: open.settled, count: 0) : 0
        let closed = close(open.fd) == 0 ? 0 : errno
        if failure != 0 { throw OutputSandbox.error(failure, "write", relativePath) }
        if closed != 0 { throw OutputSandbox.error(closed, "close", relativePath) }
    }

    /// As ``finish(size:mode:accessTime:modificationTime:owner:)``, but only starts the writeback of
    /// the data not yet sent, and hands over the still open descriptor (the caller now owns it) with
    /// the offset below which the data is settled, for a ``WriteBehind`` queue to wait for, drop and close.
    func finishWritingBehind(size: UInt64, mode: UInt16, accessTime: Int64, modificationTime: Int64,
                             owner: (uid: UInt32, gid: UInt32)?) throws(FSRescueError) -> (fd: Int32, settled: UInt64) {
        if size != end, ftruncate(fd, off_t(size)) != 0 { throw OutputSandbox.error(errno, "set the length of", relativePath) }
        let permissions = mode_t(mode & 0o777)
        if permissions != createdMode || permissions & sandbox.umask != 0 { _ = fchmod(fd, permissions) }
        if sandbox.preserveOwner, let owner { _ = fchown(fd, owner.uid, owner.gid) }
        var times = (timespec(tv_sec: Int(accessTime), tv_nsec: 0), timespec(tv_sec: Int(modificationTime), tv_nsec: 0))
        _ = withUnsafePointer(to: &times) { $0.withMemoryRebound(to: timespec.self, capacity: 2) { futimens(fd, $0) } }
        defer { fd = -1 }
        return (fd, writebackSettled)
    }
}
