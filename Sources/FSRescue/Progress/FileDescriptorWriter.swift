// Writing whole lines to a file descriptor the caller owns (stderr, or --progress-fd).
#if canImport(Glibc)
import Glibc
#endif

/// Writes text to a file descriptor it does not own, retrying short writes and EINTR.
/// After a failed write (the reader went away, the disk is full) it stays silent: progress output
/// must never stop the job it describes.
public struct FileDescriptorWriter: Sendable {
    /// The descriptor written to.
    public let fd: Int32
    /// False after a write failed.
    public private(set) var isWorking = true

    /// Writes to `fd`, which stays open and belongs to the caller.
    public init(fd: Int32) {
        self.fd = fd
    }

    /// Writes all of `text`, unless an earlier write failed.
    public mutating func write(_ text: String) {
        guard isWorking else { return }
        var bytes = Array(text.utf8)
        isWorking = bytes.withUnsafeMutableBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                offset += n
            }
            return true
        }
    }

    /// Throws a usage error unless `fd` is an open descriptor that can be written to.
    public static func checkWritable(_ fd: Int32) throws(FSRescueError) {
        let flags = fd >= 0 ? fcntl(fd, F_GETFL) : -1
        guard flags >= 0 else {
            throw FSRescueError(.usage, "file descriptor \(fd) is not open; open it in the shell, for example '\(fd)>events.ndjson'.")
        }
        guard flags & O_ACCMODE != O_RDONLY else {
            throw FSRescueError(.usage, "file descriptor \(fd) is open for reading only; open it for writing, for example '\(fd)>events.ndjson'.")
        }
    }
}
