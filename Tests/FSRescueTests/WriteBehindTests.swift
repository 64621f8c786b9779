// The write-behind queue: payloads leave in order, files are settled (on the disk, out of the cache) past a limit.
import Foundation
import Testing
@testable import FSRescue
import FSRescueTestSupport

@Suite("Write-behind queue")
struct WriteBehindTests {
    /// A new file of `bytes` bytes written through the page cache, still open for writing.
    func written(_ path: String, bytes: Int) -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let data = [UInt8](repeating: 0x5A, count: bytes)
        _ = data.withUnsafeBytes { pwrite(fd, $0.baseAddress!, bytes, 0) }
        return fd
    }

    @Test("items leave in the order they came; a file leaves once the file limit is passed, the record behind it with it")
    func orderAndFileLimit() throws {
        let dir = TemporaryDirectory()
        let queue = WriteBehind<String>(maxFiles: 2, maxBytes: 1 << 30)
        var out: [String] = []
        let retire = { (name: String, failure: Int32) -> FSRescueError? in
            out.append(failure == 0 ? name : "\(name):\(failure)")
            return nil
        }
        _ = queue.append("first record", retire: retire)
        #expect(out == ["first record"], "nothing before it: handed on at once")
        _ = queue.append("a", file: written(dir.file("a"), bytes: 64 << 10), size: 64 << 10, settled: 0, retire: retire)
        _ = queue.append("after a", retire: retire)
        _ = queue.append("b", file: written(dir.file("b"), bytes: 64 << 10), size: 64 << 10, settled: 0, retire: retire)
        #expect(out == ["first record"], "two files in flight are within the limit; the record waits behind a")
        _ = queue.append("c", file: written(dir.file("c"), bytes: 64 << 10), size: 64 << 10, settled: 0, retire: retire)
        #expect(out == ["first record", "a", "after a"])
        if PageCache.observable {
            #expect(try PageCache.residentShare(of: dir.file("a"), byteRanges: [0..<(64 << 10)]) == 0, "settled: written back and dropped")
            #expect(try PageCache.residentShare(of: dir.file("c"), byteRanges: [0..<(64 << 10)]) == 1, "still in flight")
        }
        _ = queue.drain(retire)
        #expect(out == ["first record", "a", "after a", "b", "c"])
        if PageCache.observable {
            #expect(try PageCache.residentShare(of: dir.file("c"), byteRanges: [0..<(64 << 10)]) == 0)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.file("c"))) == Data(repeating: 0x5A, count: 64 << 10))
    }

    @Test("a file passing the byte limit is settled at once; bytes its writer settled already do not count")
    func byteLimit() throws {
        let dir = TemporaryDirectory()
        let queue = WriteBehind<String>(maxFiles: 100, maxBytes: 1 << 20)
        var out: [String] = []
        let retire = { (name: String, _: Int32) -> FSRescueError? in out.append(name); return nil }
        _ = queue.append("settled by its writer", file: written(dir.file("w"), bytes: 2 << 20), size: 2 << 20,
                         settled: 2 << 20 - 4096, retire: retire)
        #expect(out.isEmpty)
        _ = queue.append("big", file: written(dir.file("big"), bytes: 2 << 20), size: 2 << 20, settled: 0, retire: retire)
        #expect(out == ["settled by its writer", "big"])
    }

    @Test("the first error a retirement returns is returned, and the queue goes on")
    func errorsPassThrough() {
        let queue = WriteBehind<Int>()
        var seen: [Int] = []
        let failure = FSRescueError(.outputFailed, "cannot write x.")
        let first = queue.append(1) { n, _ in seen.append(n); return failure }
        let second = queue.append(2) { n, _ in seen.append(n); return nil }
        #expect(first?.message == "cannot write x.")
        #expect(second == nil)
        #expect(seen == [1, 2])
    }
}
