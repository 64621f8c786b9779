// Extracting chosen files by path or inode: into a folder with a manifest, or one file to a stream.
#if canImport(Glibc)
import Glibc
#endif

extension Filesystem {
    /// Resolves paths and inode numbers to selections for an extract run. Throws (nothing written yet)
    /// when a path does not exist or an inode number is out of range or not in use.
    public func selections(paths: [String], inodes: [UInt32]) throws(FSRescueError) -> [SalvagePlan.Selection] {
        var result: [SalvagePlan.Selection] = []
        for path in paths {
            let inode: UInt32
            do throws(Ext2Error) { inode = try lookup(path: path) } catch {
                throw FSRescueError(.notFound, "\(path) is not in the filesystem (\(error.message)); check the path with `fsrescue scan` or debugfs ls.",
                                    path: path, cause: error)
            }
            let last = path.split(separator: "/").last.map(String.init) ?? "root"
            result.append(.init(inode: inode, name: Array(last.utf8), imagePath: path.hasPrefix("/") ? path : "/" + path))
        }
        for number in inodes {
            guard number >= 1, number <= readableInodesCount else {
                throw FSRescueError(.usage, "inode \(number) is out of range (the filesystem's inode tables hold \(readableInodesCount) inodes).")
            }
            result.append(.init(inode: number, name: Array("#\(number)".utf8), imagePath: nil))
        }
        return result
    }

    /// Writes the content of one regular file or symlink target to a file descriptor, holes as zeros.
    /// Returns what was copied (missing ranges are written as zeros too).
    public func extract(inode number: UInt32, to fd: Int32) throws(FSRescueError) -> ContentCopy {
        let inode: InodeRecord
        do throws(Ext2Error) { inode = try readInode(number) } catch {
            throw FSRescueError(.readFailed, "inode \(number) cannot be read (\(error.message)).", cause: error)
        }
        guard inode.type == .regular || inode.type == .symlink else {
            throw FSRescueError(.usage, "inode \(number) is a \(inode.type.rawValue); --stdout writes one regular file, use --out DIR for the rest.")
        }
        let sink = StreamSink(fd: fd)
        let size = contentSize(of: inode)
        var copy = try ContentCopier(fs: self).copy(dataMap(of: inode), size: size, to: sink)
        if size < inode.size { copy.missing.append(ByteRange(start: size, end: inode.size)) }
        return copy
    }
}

/// Writes content to a stream in order; holes and missing ranges become zeros.
final class StreamSink: ContentSink {
    private let fd: Int32
    private var position: UInt64 = 0
    private static let zeros = [UInt8](repeating: 0, count: 1 << 16)

    init(fd: Int32) { self.fd = fd }

    func write(_ bytes: UnsafeRawBufferPointer, at offset: UInt64) throws(FSRescueError) {
        if offset > position { try hole(ByteRange(start: position, end: offset)) }
        try put(bytes)
    }

    func hole(_ range: ByteRange) throws(FSRescueError) {
        var left = range.end - max(range.start, position)
        while left > 0 {
            let n = Int(min(left, UInt64(Self.zeros.count)))
            let failure: Int32 = Self.zeros.withUnsafeBytes { raw in
                var done = 0
                while done < n {
                    let w = Glibc.write(fd, raw.baseAddress! + done, n - done)
                    if w < 0 { if errno == EINTR { continue }; return errno }
                    done += w
                }
                return 0
            }
            if failure != 0 { throw OutputSandbox.error(failure, "write", "standard output") }
            position += UInt64(n)
            left -= UInt64(n)
        }
    }

    private func put(_ bytes: UnsafeRawBufferPointer) throws(FSRescueError) {
        var done = 0
        while done < bytes.count {
            let w = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if w < 0 {
                if errno == EINTR { continue }
                throw OutputSandbox.error(errno, "write", "standard output")
            }
            done += w
        }
        position += UInt64(bytes.count)
    }
}
