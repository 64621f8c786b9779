// Copying an input image to a new file, holes kept, the input opened read-only.
import FSRescue
#if canImport(Glibc)
import Glibc
#endif

enum ImageCopy {
    /// Linux's `SEEK_DATA` and `SEEK_HOLE` (glibc only declares them under `_GNU_SOURCE`).
    private static let seekData: Int32 = 3, seekHole: Int32 = 4

    /// Copies `source` (opened `O_RDONLY`) into a new file at `destination` that this process
    /// creates, keeping holes (`SEEK_DATA`/`SEEK_HOLE`, then `pread`/`pwrite` of each data stretch):
    /// corruptions are always applied to such a copy, never to the input.
    static func copy(_ source: String, to destination: String, replace: Bool) throws(FSRescueError) -> CreatedImageFile {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else {
            let e = errno
            throw FSRescueError(e == ENOENT ? .notFound : .ioFailed,
                                "cannot open \(source): \(String(cString: strerror(e))); check the --in path.",
                                path: source, cause: SystemError(errno: e, function: "open"))
        }
        defer { close(input) }
        var st = stat()
        fstat(input, &st)
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw FSRescueError(.unsupportedFileType, "\(source) is not a regular file; fixture corrupt works on image files.", path: source)
        }
        if realPath(source) == realPath(destination) {
            throw FSRescueError(.usage, "--out names the input image itself; corruptions go to a copy, so choose another --out.", path: destination)
        }
        let size = UInt64(st.st_size)
        let created = try CreatedImageFile.create(destination, size: size, replace: replace)
        let output = open(destination, O_WRONLY | O_CLOEXEC)
        guard output >= 0 else {
            throw FSRescueError(.outputFailed, "cannot reopen \(destination) to copy into it.", path: destination)
        }
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var offset = off_t(0)
        while UInt64(offset) < size {
            let data = lseek(input, offset, seekData)
            if data < 0 { break }  // only a hole remains (ENXIO)
            var hole = lseek(input, data, seekHole)
            if hole < 0 { hole = off_t(size) }
            var at = data
            while at < hole {
                let n = buffer.withUnsafeMutableBytes { pread(input, $0.baseAddress, Swift.min($0.count, Int(hole - at)), at) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0, writeAll(output, buffer, count: n, at: at) else {
                    let e = errno
                    unlink(destination)
                    throw FSRescueError(.outputFailed, "copying \(source) to \(destination) failed: \(n == 0 ? "unexpected end of input" : String(cString: strerror(e))).",
                                        path: destination, cause: SystemError(errno: e, function: n <= 0 ? "pread" : "pwrite"))
                }
                at += off_t(n)
            }
            offset = hole
        }
        return created
    }

    private static func writeAll(_ fd: Int32, _ buffer: [UInt8], count: Int, at offset: off_t) -> Bool {
        var done = 0
        while done < count {
            let n = buffer.withUnsafeBytes { pwrite(fd, $0.baseAddress! + done, count - done, offset + off_t(done)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            done += n
        }
        return true
    }

    private static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }
}
