// The image as a file: validated, opened O_RDONLY, sized. Nothing here ever writes.
#if canImport(Glibc)
import Glibc
#endif

/// What kind of file the image is.
public enum ImageKind: String, Sendable, Codable {
    case regularFile = "file"
    case blockDevice = "block-device"
}

/// An image file or block device opened read-only (`open(2)` with `O_RDONLY`).
///
/// Creating one checks the path the way a user needs to hear about it: missing, a directory,
/// a FIFO or socket, unreadable, empty. The descriptor is closed when the value goes away.
public final class ImageSource: @unchecked Sendable {
    /// The path as the user gave it.
    public let path: String
    /// A regular file or a block device (from `fstat`).
    public let kind: ImageKind
    /// Size of the file or device in bytes.
    public let sizeBytes: UInt64
    /// The read-only descriptor (`O_RDONLY | O_CLOEXEC | O_NOCTTY`).
    let descriptor: Int32
    /// Ranges whose reads failed twice, from every reader of this image.
    public let readErrors = ReadErrors()
    /// Reads made to fail (`FSRESCUE_FAULT_RANGES`, for tests); nil normally.
    let faults = FaultInjection.fromEnvironment()

    /// Opens `path` read-only after checking that it is a non-empty regular file or block device.
    public init(path: String) throws(FSRescueError) {
        self.path = path
        var st = stat()
        if stat(path, &st) != 0 {
            let e = errno
            switch e {
            case ENOENT, ENOTDIR:
                throw FSRescueError(.notFound, "\(path): no such file; check the path to the image or device.",
                                    path: path, cause: SystemError(errno: e, function: "stat"))
            case EACCES:
                throw FSRescueError(.permissionDenied, "\(path): permission denied; run as a user who can read it.",
                                    path: path, cause: SystemError(errno: e, function: "stat"))
            default:
                throw FSRescueError(.ioFailed, "\(path): cannot be examined (\(String(cString: strerror(e)))).",
                                    path: path, cause: SystemError(errno: e, function: "stat"))
            }
        }
        let format = st.st_mode & S_IFMT
        switch format {
        case S_IFREG: kind = .regularFile
        case S_IFBLK: kind = .blockDevice
        case S_IFDIR:
            throw FSRescueError(.isDirectory, "\(path) is a directory; give the path of an image file or block device.", path: path)
        default:
            let what = format == S_IFIFO ? "a FIFO" : format == S_IFSOCK ? "a socket" : format == S_IFCHR ? "a character device" : "not a regular file"
            throw FSRescueError(.unsupportedFileType,
                                "\(path) is \(what); give an image file or block device (copy a stream to a file first).",
                                path: path)
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        if fd < 0 {
            let e = errno
            if e == EACCES || e == EPERM {
                throw FSRescueError(.permissionDenied, "\(path): permission denied; run as a user who can read it.",
                                    path: path, cause: SystemError(errno: e, function: "open"))
            }
            throw FSRescueError(.ioFailed, "\(path): cannot be opened (\(String(cString: strerror(e)))).",
                                path: path, cause: SystemError(errno: e, function: "open"))
        }
        descriptor = fd
        if kind == .blockDevice {
            let end = lseek(fd, 0, SEEK_END)
            sizeBytes = end > 0 ? UInt64(end) : 0
            _ = lseek(fd, 0, SEEK_SET)
        } else {
            sizeBytes = UInt64(st.st_size)
        }
        if sizeBytes == 0 {
            close(fd)
            throw FSRescueError(.emptyImage, "\(path) is empty (0 bytes); check that the image was copied completely.", path: path)
        }
    }

    deinit { close(descriptor) }

    /// A path libext2fs can open that names this very file (the descriptor's `/proc/self/fd` entry),
    /// so the file checked here is the file read, even if the path is renamed meanwhile.
    var pathForLibraries: String {
        let procPath = "/proc/self/fd/\(descriptor)"
        return access(procPath, R_OK) == 0 ? procPath : path
    }

    /// Reads up to `count` bytes at `offset` with `pread(2)`; fewer at the end of the image.
    public func read(at offset: UInt64, count: Int) throws(FSRescueError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: max(0, count))
        var failure: FSRescueError?
        let done = buffer.withUnsafeMutableBytes { raw -> Int in
            do { return try read(at: offset, into: raw) } catch { failure = error as? FSRescueError; return 0 }
        }
        if let failure { throw failure }
        buffer.removeSubrange(done...)
        return buffer
    }

    /// Reads into `buffer` at `offset` with `pread(2)`, as much as the image holds there; returns the
    /// bytes read (fewer than the buffer at the end of the image).
    func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(FSRescueError) -> Int {
        let count = buffer.count
        // No file holds bytes past off_t's range: nothing to read there (and off_t(offset) would trap).
        guard count > 0, let base = buffer.baseAddress, offset <= UInt64(Int64.max) - UInt64(count) else { return 0 }
        var done = 0
        var retried = false
        while done < count {
            let n = readOnce(base + done, count: count - done, at: offset + UInt64(done))
            if n < 0 {
                if errno == EINTR { continue }
                let e = errno
                // A failing disk often gives a sector on the second try: one retry, then it counts as unreadable.
                if e == EIO && !retried { retried = true; continue }
                if e == EIO { recordFailures(base + done, from: offset + UInt64(done), count: count - done) }
                throw FSRescueError(.readFailed, "\(path): read failed at byte \(offset + UInt64(done)).",
                                    path: path, cause: SystemError(errno: e, function: "pread"))
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// After a read of `count` bytes at `offset` failed twice: tries it again 4 KiB at a time (twice
    /// each) and records only the pieces that still fail, so one bad sector does not mark a whole
    /// megabyte of good bytes unreadable.
    private func recordFailures(_ base: UnsafeMutableRawPointer, from offset: UInt64, count: Int) {
        let piece = 4096
        var at = 0
        while at < count {
            let n = min(piece, count - at)
            _ = readRetrying(base + at, count: n, at: offset + UInt64(at))
            at += n
        }
    }

    /// One read of a block-sized piece as a failing disk needs it: an `EIO` is retried once, and a
    /// second one is recorded in ``readErrors``. Returns what ``readOnce(_:count:at:)`` returned last.
    func readRetrying(_ base: UnsafeMutableRawPointer, count: Int, at offset: UInt64) -> Int {
        var n = readOnce(base, count: count, at: offset)
        if n < 0 && errno == EIO { n = readOnce(base, count: count, at: offset) }
        if n < 0 && errno == EIO { readErrors.record(offset..<(offset + UInt64(count))) }
        return n
    }

    /// One `pread(2)` of `count` bytes at `offset` into `base` (failing with `EIO` where
    /// ``faults`` say so): the bytes read, 0 at the end, or -1 with `errno` set.
    func readOnce(_ base: UnsafeMutableRawPointer, count: Int, at offset: UInt64) -> Int {
        guard offset <= UInt64(Int64.max) - UInt64(count) else { return 0 }
        if let faults, faults.fails(offset..<(offset + UInt64(count))) {
            errno = EIO
            return -1
        }
        return pread(descriptor, base, count, off_t(offset))
    }
}
