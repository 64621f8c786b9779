// A regular file being written in the output sandbox: positioned writes, holes left as holes.
#if canImport(Glibc)
import Glibc
#endif

/// A new regular file in the output. Data is written with `pwrite` at its offset; ranges never
/// written stay holes, and ``finish(size:mode:accessTime:modificationTime:owner:)`` sets the length
/// with `ftruncate` when the file ends in a hole, so a sparse file stays sparse.
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
    }

    /// Writes the bytes of an array at `offset`.
    public func write(_ bytes: [UInt8], at offset: UInt64) throws(FSRescueError) {
        try sandbox.account(bytes.count, path: relativePath)
        let result: Int32 = bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = pwrite(fd, raw.baseAddress! + done, raw.count - done, off_t(offset) + off_t(done))
                if n < 0 { if errno == EINTR { continue }; return errno }
                done += n
            }
            return 0
        }
        if result != 0 { throw OutputSandbox.error(result, "write", relativePath) }
        end = max(end, offset + UInt64(bytes.count))
    }

    /// Sets the length (`ftruncate`, only when the file ends in a hole: the file is new, so its length
    /// is where the last write ended), permissions without setuid/setgid/sticky (`fchmod`, only when
    /// they differ from the ones the file was created with or the umask took bits away), times
    /// (`futimens`) and, when allowed, the owner (`fchown`); then closes the file.
    public func finish(size: UInt64, mode: UInt16, accessTime: Int64, modificationTime: Int64,
                       owner: (uid: UInt32, gid: UInt32)?) throws(FSRescueError) {
        if size != end, ftruncate(fd, off_t(size)) != 0 { throw OutputSandbox.error(errno, "set the length of", relativePath) }
        let permissions = mode_t(mode & 0o777)
        if permissions != createdMode || permissions & sandbox.umask != 0 { _ = fchmod(fd, permissions) }
        if sandbox.preserveOwner, let owner { _ = fchown(fd, owner.uid, owner.gid) }
        var times = (timespec(tv_sec: Int(accessTime), tv_nsec: 0), timespec(tv_sec: Int(modificationTime), tv_nsec: 0))
        _ = withUnsafePointer(to: &times) { $0.withMemoryRebound(to: timespec.self, capacity: 2) { futimens(fd, $0) } }
        if close(fd) != 0 { let e = errno; fd = -1; throw OutputSandbox.error(e, "close", relativePath) }
        fd = -1
    }
}
