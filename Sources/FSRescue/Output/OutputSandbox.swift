// The only code that writes salvage output: everything is created relative to directory descriptors.
import CFSRescueLinux
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The output root of a salvage or extract run, and the only writer of its output.
///
/// Every file, directory, symlink and link is created with `openat`/`mkdirat`/`symlinkat`/`linkat`
/// relative to a directory descriptor under the root, with `O_NOFOLLOW` and `O_EXCL`; no path string
/// is ever joined and opened. So a symlink recreated from the image can never redirect a later write,
/// and no name can climb out of the root (names are ``SafeName``s: no `/`, no `.` or `..`).
/// No device node, FIFO or socket is ever created; setuid, setgid and sticky bits are never set.
public final class OutputSandbox: @unchecked Sendable {
    /// The root path as given.
    public let rootPath: String
    /// Stop writing data beyond this many bytes (holes do not count).
    public let maxOutputBytes: UInt64?
    /// Restore owners (only honoured when running as root).
    public let preserveOwner: Bool
    /// The process's file-creation mask, read once: files are created with their final permissions and
    /// only changed with `fchmod` when the mask took bits away.
    let umask: mode_t = OutputSandbox.currentUmask()
    /// Data bytes written so far.
    public var bytesWritten: UInt64 { written.load(ordering: .relaxed) }
    /// Two threads write files (``CopyPipeline`` shares the copying), so the count is atomic.
    private let written = Atomic<UInt64>(0)
    /// The root directory.
    public private(set) var root: OutputDirectory!
    /// Whether the output filesystem writes data back to a disk. Not for tmpfs and ramfs: their
    /// pages are the data, so ``Writeback``'s `sync_file_range` and `posix_fadvise` would be two
    /// system calls per file that do nothing (a tenth of a small-files salvage's system time).
    let writesBack: Bool

    /// Opens (creating it if needed) the output root `path`.
    /// - Throws: when the folder cannot be created or opened, or lives on a read-only filesystem.
    public init(root path: String, maxOutputBytes: UInt64? = nil, preserveOwner: Bool = false) throws(FSRescueError) {
        rootPath = path
        self.maxOutputBytes = maxOutputBytes
        self.preserveOwner = preserveOwner && geteuid() == 0
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw OutputSandbox.error(errno, "create the output folder", path)
        }
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw OutputSandbox.error(errno, "open the output folder", path) }
        var vfs = statvfs()
        if fstatvfs(fd, &vfs) == 0 && vfs.f_flag & UInt(ST_RDONLY) != 0 {
            close(fd)
            throw FSRescueError(.outputFailed, "\(path) is on a read-only filesystem; choose an output folder on a writable disk.", path: path)
        }
        writesBack = !OutputSandbox.isMemoryFilesystem(fd)
        root = OutputDirectory(fd: fd, sandbox: self, relativePath: "")
    }

    /// Whether `fd` lives on tmpfs or ramfs (`fstatfs`'s `f_type`, ``fsr_filesystem_type``).
    private static func isMemoryFilesystem(_ fd: Int32) -> Bool {
        let type = fsr_filesystem_type(fd)
        let tmpfsMagic: UInt = 0x0102_1994, ramfsMagic: UInt = 0x8584_58f6
        return type == tmpfsMagic || type == ramfsMagic
    }

    /// Bytes free for an unprivileged writer on the output filesystem (`fstatvfs`).
    public var freeBytes: UInt64 {
        var vfs = statvfs()
        guard fstatvfs(root.fd, &vfs) == 0 else { return 0 }
        return UInt64(vfs.f_bavail) * UInt64(vfs.f_frsize)
    }

    /// The device the output lives on (`st_dev`), to refuse writing onto the device being read.
    public var device: UInt64 {
        var st = stat()
        return fstat(root.fd, &st) == 0 ? UInt64(st.st_dev) : 0
    }

    /// The umask, from `/proc/self/status` (`Umask:`), which reads it without changing it: setting it
    /// and back (`umask(2)` is the only other way) would race with files other threads create.
    /// Without `/proc` it is taken as 0o077, which keeps every `fchmod`.
    private static func currentUmask() -> mode_t {
        let f = open("/proc/self/status", O_RDONLY | O_CLOEXEC)
        guard f >= 0 else { return 0o077 }
        defer { close(f) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { read(f, $0.baseAddress!, $0.count) }
        guard n > 0 else { return 0o077 }
        let text = String(decoding: buffer[0..<n], as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix("Umask:") {
            if let mask = mode_t(String(line.dropFirst(6).filter { $0 != " " && $0 != "\t" }), radix: 8) { return mask }
        }
        return 0o077
    }

    /// Counts `count` bytes about to be written. With a limit, only one thread writes file data
    /// (``CopyPipeline`` shares the copying only without one), so the check and the count go together.
    func account(_ count: Int, path: String) throws(FSRescueError) {
        guard let limit = maxOutputBytes else {
            written.add(UInt64(count), ordering: .relaxed)
            return
        }
        let before = written.load(ordering: .relaxed)
        let total = before + UInt64(count)
        if total > limit {
            throw FSRescueError(.outputLimit,
                "writing \(path) would pass --max-output-bytes \(limit) (\(before) bytes written so far); raise the limit or salvage less.",
                path: path)
        }
        written.store(total, ordering: .relaxed)
    }

    static func error(_ e: Int32, _ what: String, _ path: String) -> FSRescueError {
        let cause = SystemError(errno: e, function: what)
        switch e {
        case ENOSPC, EDQUOT:
            return FSRescueError(.outputLimit, "no space left to \(what) \(path); free space or choose another output disk.", path: path, cause: cause)
        case EROFS:
            return FSRescueError(.outputFailed, "cannot \(what) \(path): read-only filesystem; choose an output folder on a writable disk.", path: path, cause: cause)
        case EACCES, EPERM:
            return FSRescueError(.permissionDenied, "cannot \(what) \(path): permission denied; choose a folder you can write.", path: path, cause: cause)
        default:
            return FSRescueError(.outputFailed, "cannot \(what) \(path) (\(String(cString: strerror(e)))).", path: path, cause: cause)
        }
    }
}
