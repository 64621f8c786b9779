// Real ext2/3/4 images made at test time with mke2fs, debugfs and sfdisk.
import Foundation
import FSRescue

public enum TestImages {
    /// Makes an image with `mke2fs -t TYPE -b BLOCKSIZE` of `sizeMiB` MiB at `path`.
    /// `extra` is passed to mke2fs before the device (for example `["-O", "^metadata_csum"]`).
    public static func make(_ path: String, type: String = "ext4", blockSize: Int = 4096, sizeMiB: Int = 64,
                            extra: [String] = []) throws {
        try? FileManager.default.removeItem(atPath: path)
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: UInt64(sizeMiB) << 20)
        try handle.close()
        let r = try Tool.run("mke2fs", ["-q", "-F", "-t", type, "-b", "\(blockSize)"] + extra + [path])
        guard r.status == 0 else { throw TestImageError.tool("mke2fs", r.stderr) }
    }

    /// Runs debugfs write commands (`-w -f -`) against an image the test made itself.
    public static func debugfsWrite(_ path: String, _ commands: [String]) throws {
        let r = try Tool.run("debugfs", ["-w", "-f", "-", path], stdin: Data(commands.joined(separator: "\n").utf8))
        guard r.status == 0 else { throw TestImageError.tool("debugfs", r.stderr) }
    }

    /// Makes a GPT disk image of `sizeMiB` MiB with one Linux partition at 1 MiB holding a fresh ext4.
    public static func makeGPTDisk(_ path: String, sizeMiB: Int = 48, partitions: Int = 1) throws {
        try? FileManager.default.removeItem(atPath: path)
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: UInt64(sizeMiB) << 20)
        try handle.close()
        let partSectors = 16 << 11  // 16 MiB
        var script = "label: gpt\n"
        for i in 0..<partitions { script += "start=\(2048 + i * partSectors), size=\(partSectors), type=L\n" }
        let s = try Tool.run("sfdisk", ["-q", path], stdin: Data(script.utf8))
        guard s.status == 0 else { throw TestImageError.tool("sfdisk", s.stderr) }
        for i in 0..<partitions {
            let offset = (2048 + i * partSectors) * 512
            let r = try Tool.run("mke2fs", ["-q", "-F", "-t", "ext4", "-E", "offset=\(offset)", path, "\(partSectors / 2)k"])
            guard r.status == 0 else { throw TestImageError.tool("mke2fs", r.stderr) }
        }
    }

    /// Overwrites `count` bytes at `offset` of a test's own image with zeros.
    public static func zero(_ path: String, offset: UInt64, count: Int) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seek(toOffset: offset)
        handle.write(Data(count: count))
        try handle.close()
    }

    /// SHA-256 of a whole file, to prove an image unchanged.
    public static func sha256(_ path: String) throws -> String {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            chunk.withUnsafeBytes { hasher.update($0) }
        }
        return hasher.finalizeHex()
    }
}

public enum TestImageError: Error, CustomStringConvertible {
    case tool(String, String)
    public var description: String {
        switch self { case .tool(let name, let err): "\(name) failed: \(err)" }
    }
}
