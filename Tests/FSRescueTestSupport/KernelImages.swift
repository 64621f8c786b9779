// The kernel-written images in Fixtures/kernel (scripts/kernel-images.py) and the truth the kernel showed.
import Foundation

/// One path as a read-only kernel mount showed it.
public struct KernelTruthRecord: Sendable {
    public let path: String
    public let type: String
    public let mode: Int
    public let size: Int?
    public let sha256: String?
    public let target: String?
    public let inode: Int

    public init(path: String, type: String, mode: Int, size: Int?, sha256: String?, target: String?, inode: Int) {
        (self.path, self.type, self.mode, self.size, self.sha256, self.target, self.inode) = (path, type, mode, size, sha256, target, inode)
    }
}

/// A committed kernel-written image (`NAME.img.xz`) with its truth (`NAME.truth.jsonl.xz`).
public struct KernelImage: Sendable {
    public let name: String

    public init(name: String) { self.name = name }

    public static let folder = PackageFiles.path("Fixtures/kernel")

    /// Every committed image of a cleanly unmounted filesystem, by name.
    public static var all: [KernelImage] {
        committed.filter { !$0.name.hasPrefix("powercut-") && !$0.name.hasPrefix("history-") }
    }

    /// The committed history images (`history-*`): files deleted, overwritten, truncated or replaced
    /// in a later mount, cleanly unmounted; `NAME.deleted.jsonl` says what they were.
    public static var histories: [KernelImage] { committed.filter { $0.name.hasPrefix("history-") } }

    /// The committed power-cut images (`powercut-*`): copied while mounted, the journal not replayed.
    public static var powerCuts: [KernelImage] { committed.filter { $0.name.hasPrefix("powercut-") } }

    private static var committed: [KernelImage] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasSuffix(".img.xz") && !$0.hasSuffix(".journal.img.xz") }.sorted()
            .map { KernelImage(name: String($0.dropLast(7))) }
    }

    /// The files open (and unlinked) at a power cut: name, folder, size and sha256 of what was written.
    public func orphans() throws -> [(name: String, directory: String, size: Int, sha256: String)] {
        let r = try Tool.run("xz", ["-dc", "\(Self.folder)/\(name).orphans.jsonl.xz"])
        guard r.status == 0 else { throw TestImageError.tool("xz", r.stderr) }
        return r.stdout.split(separator: "\n").compactMap { line in
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let name = o["name"] as? String, let directory = o["directory"] as? String,
                  let size = o["size"] as? Int, let sha = o["sha256"] as? String else { return nil }
            return (name, directory, size, sha)
        }
    }

    /// Decompresses the image into `directory` (never in place) and returns its path.
    public func decompress(into directory: String) throws -> String {
        let out = "\(directory)/\(name).img"
        let r = try Tool.run("/bin/sh", ["-c", "xz -dc \"$0\" > \"$1\"", "\(Self.folder)/\(name).img.xz", out])
        guard r.status == 0 else { throw TestImageError.tool("xz", r.stderr) }
        return out
    }

    /// Whether the image comes with an external journal device (`NAME.journal.img.xz`).
    public var hasExternalJournal: Bool { FileManager.default.fileExists(atPath: "\(Self.folder)/\(name).journal.img.xz") }

    /// Decompresses the external journal device into `directory`: `["--journal", path]` for the
    /// command line, or nothing when the journal is inside the image.
    public func journalArguments(into directory: String) throws -> [String] {
        guard hasExternalJournal else { return [] }
        let out = "\(directory)/\(name).journal.img"
        let r = try Tool.run("/bin/sh", ["-c", "xz -dc \"$0\" > \"$1\"", "\(Self.folder)/\(name).journal.img.xz", out])
        guard r.status == 0 else { throw TestImageError.tool("xz", r.stderr) }
        return ["--journal", out]
    }

    /// Decompresses the image (and its journal device) into `dir` and salvages it into `dir/out`,
    /// both unchanged.
    public func salvage(in dir: TemporaryDirectory) throws -> (out: String, result: ToolResult) {
        let img = try decompress(into: dir.path)
        let journal = try journalArguments(into: dir.path)
        let out = dir.file("out")
        let r = try expectUnchanged(img, journal.last ?? img) { try FSRescueBinary.run(["salvage", img, "--out", out] + journal) }
        return (out, r)
    }

    /// Decompresses the image into `dir`, with a copy whose journal e2fsprogs' recovery replayed on
    /// disk (`debugfs -w -R journal_run`: the recovery alone; e2fsck -E journal_only also clears orphans).
    public func withReplayedCopy(in dir: TemporaryDirectory) throws -> (image: String, replayed: String) {
        let img = try decompress(into: dir.path)
        let copy = dir.file("replayed.img")
        try FileManager.default.copyItem(atPath: img, toPath: copy)
        let r = try Tool.run("debugfs", ["-w", "-R", "journal_run", copy])
        guard r.status == 0 else { throw TestImageError.tool("debugfs", r.stderr) }
        return (img, copy)
    }

    /// What the kernel showed: one record per path (lost+found left out).
    public func truth() throws -> [KernelTruthRecord] {
        let r = try Tool.run("xz", ["-dc", "\(Self.folder)/\(name).truth.jsonl.xz"])
        guard r.status == 0 else { throw TestImageError.tool("xz", r.stderr) }
        return r.stdout.split(separator: "\n").compactMap { line in
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let path = o["path"] as? String, let type = o["type"] as? String, let mode = o["mode"] as? Int,
                  let inode = o["inode"] as? Int else { return nil }
            return KernelTruthRecord(path: path, type: type, mode: mode, size: o["size"] as? Int, sha256: o["sha256"] as? String,
                                     target: o["target"] as? String, inode: inode)
        }
    }
}

/// How a copied tree differs from the kernel's truth: paths missing or of another type, mode, size,
/// content or symlink target. Empty when every path matches byte for byte.
public func differences(from truth: [KernelTruthRecord], under root: String) throws -> [String] {
    var out: [String] = []
    for r in truth {
        let path = "\(root)/\(r.path)"
        var st = stat()
        guard lstat(path, &st) == 0 else { out.append("\(r.path): missing"); continue }
        let type = st.st_mode & S_IFMT
        if Int(st.st_mode & 0o7777) != r.mode { out.append("\(r.path): mode \(String(st.st_mode & 0o7777, radix: 8)), kernel \(String(r.mode, radix: 8))") }
        switch r.type {
        case "directory":
            if type != S_IFDIR { out.append("\(r.path): not a directory") }
        case "symlink":
            let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path)
            if type != S_IFLNK || target != r.target { out.append("\(r.path): symlink to \(target ?? "nothing"), kernel \(r.target ?? "")") }
        case "file":
            if type != S_IFREG { out.append("\(r.path): not a regular file"); continue }
            if Int(st.st_size) != r.size { out.append("\(r.path): \(st.st_size) bytes, kernel \(r.size ?? -1)") }
            if try TestImages.sha256(path) != r.sha256 { out.append("\(r.path): content differs") }
        default:
            break
        }
    }
    return out
}
