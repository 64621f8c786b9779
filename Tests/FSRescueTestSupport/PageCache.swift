// What of a file the kernel holds in its page cache: for tests of read-ahead and cache dropping.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public enum PageCache {
    /// The page size (`sysconf(_SC_PAGESIZE)`).
    public static let pageSize = UInt64(sysconf(Int32(_SC_PAGESIZE)))

    /// Whether this machine's temporary folder lets a test drop a file's pages and see which come
    /// back (`POSIX_FADV_DONTNEED`, then `mincore`): not so on tmpfs, where every page stays.
    public static let observable: Bool = {
        let dir = TemporaryDirectory()
        let path = dir.file("probe")
        guard FileManager.default.createFile(atPath: path, contents: Data(repeating: 7, count: 1 << 20)),
              (try? evict(path)) != nil, let share = try? residentShare(of: path, byteRanges: [0..<(1 << 20)]) else { return false }
        return share == 0
    }()

    /// Writes the file's dirty pages back (`fdatasync`) and drops all its pages from the cache
    /// (`POSIX_FADV_DONTNEED`).
    public static func evict(_ path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw CocoaError(.fileReadNoSuchFile) }
        defer { close(fd) }
        guard fdatasync(fd) == 0, posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) == 0 else { throw CocoaError(.fileReadUnknown) }
    }

    /// The share of the pages covering `byteRanges` of the file at `path` that are in the page
    /// cache (`mincore` on a read-only mapping); 1 when the ranges cover nothing.
    public static func residentShare(of path: String, byteRanges: [Range<UInt64>]) throws -> Double {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw CocoaError(.fileReadNoSuchFile) }
        defer { close(fd) }
        var st = stat()
        fstat(fd, &st)
        let length = Int(st.st_size)
        let map = mmap(nil, length, PROT_READ, MAP_SHARED, fd, 0)
        guard let map, map != MAP_FAILED else { throw CocoaError(.fileReadUnknown) }
        defer { munmap(map, length) }
        var pages = 0, cached = 0
        for range in byteRanges where !range.isEmpty {
            let start = range.lowerBound / pageSize * pageSize, end = min(range.upperBound, UInt64(length))
            guard start < end else { continue }
            var vec = [UInt8](repeating: 0, count: Int((end - start + pageSize - 1) / pageSize))
            guard mincore(map + Int(start), Int(end - start), &vec) == 0 else { throw CocoaError(.fileReadUnknown) }
            pages += vec.count
            cached += vec.filter { $0 & 1 != 0 }.count
        }
        return pages == 0 ? 1 : Double(cached) / Double(pages)
    }
}
