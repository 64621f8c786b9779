// A fresh fixture's truth written as its entries are met, so that memory does not grow with them.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import FSRescue
import Glibc

/// Streams a truth file with no corruptions: the same bytes ``TruthJSON/encode(_:)`` gives for the
/// whole ``FixtureTruth``, written a megabyte at a time. Only the names of hard-linked inodes (for
/// `hard_links`) and the count of each entry type are kept.
struct TruthFileWriter {
    let path: String
    private let fd: Int32
    private var buffer = ""
    private var count = 0
    private var linked: [UInt32: [String]] = [:]
    /// Entries written, by type (`file`, `dir`, `symlink`, ...).
    private(set) var counts: [String: Int] = [:]
    static let flushAt = 1 << 20

    init(path: String) throws(FSRescueError) {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Self.failure(path, errno) }
        buffer.reserveCapacity(Self.flushAt + 4096)
        buffer += "{\n\"corruptions\":[],\n\"entries\":[\n"
    }

    mutating func append(_ e: FixtureTruth.Entry) throws(FSRescueError) {
        if count > 0 { buffer += ",\n" }
        TruthJSON.entry(e, into: &buffer)
        count += 1
        counts[e.type, default: 0] += 1
        if e.type != "dir" && e.links > 1 { linked[e.inode, default: []].append(e.path) }
        if buffer.utf8.count >= Self.flushAt { try flush() }
    }

    /// The hard-link groups of the entries written (inodes with two names or more, by inode).
    var hardLinks: [FixtureTruth.HardLinkGroup] {
        linked.filter { $0.value.count > 1 }.map { FixtureTruth.HardLinkGroup(inode: $0.key, paths: $0.value) }.sorted { $0.inode < $1.inode }
    }

    /// Writes the keys after the entries and closes the file.
    mutating func finish(filesystem: FixtureTruth.FilesystemFacts, spec: FixtureSpec) throws(FSRescueError) {
        buffer += count > 0 ? "\n],\n" : "],\n"
        do {
            try TruthJSON.small("filesystem", filesystem, into: &buffer)
            try TruthJSON.small("hard_links", hardLinks, into: &buffer)
            try TruthJSON.small("schema", FixtureTruth.schemaName, into: &buffer)
            try TruthJSON.small("spec", spec, last: true, into: &buffer)
        } catch {
            close(fd)
            throw FSRescueError(.outputFailed, "cannot encode the ground truth for \(path) (\(error)).", path: path)
        }
        buffer += "}\n"
        try flush()
        guard close(fd) == 0 else { throw Self.failure(path, errno) }
    }

    private mutating func flush() throws(FSRescueError) {
        let ok = buffer.withUTF8 { writeAll(fd, UnsafeRawBufferPointer($0)) }
        guard ok else {
            let code = errno
            close(fd)
            throw Self.failure(path, code)
        }
        buffer.removeAll(keepingCapacity: true)
    }

    private static func failure(_ path: String, _ code: Int32) -> FSRescueError {
        FSRescueError(.outputFailed, "cannot write the ground truth to \(path) (\(String(cString: strerror(code)))); check the folder is writable.", path: path)
    }
}
