// Byte-level writes to an image copy the corruptor made (after libext2fs closed it).
import FSRescue
#if canImport(Glibc)
import Glibc
#endif

/// `pread`/`pwrite`/`ftruncate` on a ``CreatedImageFile``: noise, zeroed superblocks and cut
/// images are not something libext2fs can be asked to write.
final class RawImage {
    private let fd: Int32
    let path: String

    init(_ image: CreatedImageFile) throws(FSRescueError) {
        guard image.isStillOurs() else {
            throw FSRescueError(.outputFailed, "\(image.path) was replaced while being corrupted; run the command again.", path: image.path)
        }
        fd = open(image.path, O_RDWR | O_CLOEXEC)
        path = image.path
        guard fd >= 0 else {
            throw FSRescueError(.outputFailed, "cannot reopen \(image.path): \(String(cString: strerror(errno))).", path: image.path)
        }
    }

    deinit { close(fd) }

    var size: UInt64 {
        var st = stat()
        fstat(fd, &st)
        return UInt64(st.st_size)
    }

    func read(_ count: Int, at offset: UInt64) -> [UInt8] {
        var buf = [UInt8](repeating: 0, count: count)
        let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
        return n == count ? buf : Array(buf.prefix(Swift.max(0, n)))
    }

    func write(_ bytes: [UInt8], at offset: UInt64) throws(FSRescueError) {
        let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(offset)) }
        guard n == bytes.count else {
            throw FSRescueError(.outputFailed, "writing \(bytes.count) bytes at \(offset) of \(path) failed: \(String(cString: strerror(errno))).", path: path)
        }
    }

    func truncate(to size: UInt64) throws(FSRescueError) {
        guard ftruncate(fd, off_t(size)) == 0 else {
            throw FSRescueError(.outputFailed, "cutting \(path) to \(size) bytes failed: \(String(cString: strerror(errno))).", path: path)
        }
    }
}
