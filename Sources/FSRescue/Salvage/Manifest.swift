// manifest.jsonl: appended as items finish, read back to resume an interrupted run.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The manifest of an output folder: `manifest.jsonl`, one JSON object per line.
///
/// The first line of each run is `{"record": "run", "schema": "fsrescue.manifest/1", …}`, then one
/// `"item"` line per item as it finishes, and `{"record": "end", …}` when the run ends. Lines are only
/// ever appended; when a path appears more than once, the last line wins.
///
/// Lines are batched: written (one `write(2)` of whole lines) once 64 KiB are pending or the oldest
/// pending line is a second old, and always at the end of the run, on cancellation and on an error
/// (``close(summary:completed:)``, `deinit`). So a run killed with SIGKILL or by a crash loses at most
/// the lines of its unwritten batch, items a resumed run then redoes; the file never holds half a line
/// unless the disk filled mid-write (a later run's reader skips a line it cannot decode).
public final class Manifest {
    /// The manifest's name inside the output folder.
    public static let fileName = "manifest.jsonl"
    /// The schema named in each `run` record.
    public static let schema = "fsrescue.manifest/1"

    private let fd: Int32
    /// Whole lines not yet written, reused from batch to batch.
    private var pending: [UInt8] = []
    /// When the last batch was written (`CLOCK_MONOTONIC_COARSE`, milliseconds).
    private var lastFlush: Int = Manifest.now()
    /// A batch is written once this many bytes are pending.
    static let batchBytes = 1 << 16
    private let encoder: JSONEncoder

    /// Items of earlier runs in this folder, by output path (the last line for each path).
    public let previous: [String: ManifestRecord]

    /// Opens (creating) `manifest.jsonl` in the output root, reading what earlier runs recorded.
    init(in directory: OutputDirectory, image: String) throws(FSRescueError) {
        previous = Manifest.read(directory)
        let f = openat(directory.fd, Manifest.fileName, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0o644)
        if f < 0 { throw OutputSandbox.error(errno, "open", Manifest.fileName) }
        fd = f
        encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let header: [String: String] = ["record": "run", "schema": Manifest.schema, "image": image,
                                        "started_at": Date().formatted(.iso8601)]
        if let line = try? encoder.encode(header) { append(line) }
        try flush()
    }

    deinit {
        try? flush()
        Glibc.close(fd)
    }

    /// Appends one item line; lines reach the disk in batches of 64 KiB, at least once a second, and
    /// on ``close(summary:completed:)``.
    public func record(_ item: ManifestRecord) throws(FSRescueError) {
        item.appendJSON(to: &pending)
        pending.append(0x0A)
        if pending.count >= Self.batchBytes || Self.now() > lastFlush + 1000 { try flush() }
    }

    /// Milliseconds of a coarse monotonic clock (a vDSO read, no system call): cheap enough per line.
    private static func now() -> Int {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &t)
        return t.tv_sec * 1000 + t.tv_nsec / 1_000_000
    }

    /// Commits the output folder's filesystem to its disk (`syncfs`), then appends the `"end"` line
    /// with the run's counts and flushes it to the disk (`fdatasync`). So an end line that survives a
    /// power cut vouches for every file and line before it: a run cut short by one has no end line,
    /// and a resumed run trusts only items whose output is still the size its record says.
    public func close(summary: [String: Int], completed: Bool) throws(FSRescueError) {
        try flush()
        let committed = Writeback.commitFilesystem(of: fd)
        if committed != 0 { throw OutputSandbox.error(committed, "commit to disk", "the output folder") }
        var end: [String: String] = ["record": "end", "completed": completed ? "true" : "false",
                                     "ended_at": Date().formatted(.iso8601)]
        for (k, v) in summary { end[k] = String(v) }
        if let line = try? encoder.encode(end) { append(line) }
        try flush()
        if fdatasync(fd) != 0, errno != EINVAL { throw OutputSandbox.error(errno, "commit to disk", Manifest.fileName) }
    }

    private func append(_ line: Data) {
        pending.append(contentsOf: line)
        pending.append(0x0A)
    }

    /// Writes the buffered lines to `manifest.jsonl` (`write(2)` on the open descriptor).
    public func flush() throws(FSRescueError) {
        guard !pending.isEmpty else { return }
        let failure: Int32 = pending.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = write(fd, raw.baseAddress! + off, raw.count - off)
                if n < 0 { if errno == EINTR { continue }; return errno }
                off += n
            }
            return 0
        }
        pending.removeAll(keepingCapacity: true)
        lastFlush = Self.now()
        if failure != 0 { throw OutputSandbox.error(failure, "write", Manifest.fileName) }
    }

    /// Reads the item lines of an existing manifest in `directory` (none when absent or unreadable).
    static func read(_ directory: OutputDirectory) -> [String: ManifestRecord] {
        let f = openat(directory.fd, fileName, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard f >= 0 else { return [:] }
        defer { Glibc.close(f) }
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(f, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return [:] }
            if n == 0 { break }
            data.append(contentsOf: chunk[..<n])
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        var items: [String: ManifestRecord] = [:]
        for line in data.split(separator: 0x0A) {
            guard line.firstRange(of: Array("\"record\":\"item\"".utf8)) != nil,
                  let item = try? decoder.decode(ManifestRecord.self, from: line) else { continue }
            items[item.path] = item
        }
        return items
    }

    /// Whether `directory` holds a manifest of an earlier run.
    static func exists(in directory: OutputDirectory) -> Bool { directory.exists(fileName) }
}
