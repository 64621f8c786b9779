// Refusing output folders that would lose data: on the device being read, or full of something else.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

enum OutputPlacement {
    /// Throws when the output folder lives on the filesystem being read: the block device itself, or a
    /// loop device backed by the image file (`/sys/dev/block/MAJ:MIN/loop/backing_file`).
    static func checkNotOnSource(_ sandbox: OutputSandbox, source: ImageSource) throws(FSRescueError) {
        let outDev = sandbox.device
        var st = stat()
        guard stat(source.path, &st) == 0 else { return }
        let onSource: Bool
        if source.kind == .blockDevice {
            onSource = UInt64(st.st_rdev) == outDev
        } else {
            let major = (outDev >> 8) & 0xFFF | (outDev >> 32) & ~0xFFF
            let minor = outDev & 0xFF | (outDev >> 12) & ~0xFF
            let backing = "/sys/dev/block/\(major):\(minor)/loop/backing_file"
            let file = (try? String(contentsOfFile: backing, encoding: .utf8)).map { String($0.trimmingPrefix(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()) }
            onSource = file.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path
                == URL(fileURLWithPath: source.path).resolvingSymlinksInPath().path } ?? false
        }
        if onSource {
            throw FSRescueError(.usage, "\(sandbox.rootPath) is on the filesystem being salvaged; write the output to another disk.",
                                path: sandbox.rootPath)
        }
    }

    /// Throws when the output folder holds entries but no manifest of an earlier run (it is someone
    /// else's folder: refusing protects it from being mixed into).
    static func checkEmptyOrResumable(_ sandbox: OutputSandbox) throws(FSRescueError) {
        guard !Manifest.exists(in: sandbox.root) else { return }
        let dup = dup(sandbox.root.fd)
        guard dup >= 0, let dir = fdopendir(dup) else { return }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." {
                throw FSRescueError(.usage,
                    "\(sandbox.rootPath) is not empty and holds no \(Manifest.fileName) of an earlier run; choose an empty or new folder.",
                    path: sandbox.rootPath)
            }
        }
    }

    /// Throws when the output filesystem clearly cannot hold what will be written.
    static func checkSpace(_ sandbox: OutputSandbox, needed: UInt64) throws(FSRescueError) {
        let free = sandbox.freeBytes
        if sandbox.maxOutputBytes == nil, needed > free {
            throw FSRescueError(.outputLimit,
                "\(sandbox.rootPath) has \(free) bytes free but the salvage needs about \(needed); free space, choose another disk, or cap it with --max-output-bytes.",
                path: sandbox.rootPath)
        }
    }
}
