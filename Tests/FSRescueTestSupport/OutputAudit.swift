// Checking a salvage output tree for what must never be there, without following any symlink.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a walk of an output tree found: used by the fuzz harness and the hostile-input tests.
public struct OutputAudit: Sendable {
    /// Entries that break a rule (device nodes, FIFOs, sockets, setuid/setgid bits, unreadable folders).
    public private(set) var violations: [String] = []
    /// Disk space the tree takes (`st_blocks * 512`, every entry counted once per link).
    public private(set) var allocatedBytes: UInt64 = 0
    /// Entries seen, the root excluded.
    public private(set) var entries = 0

    /// Walks `root` with `openat`/`fstatat(AT_SYMLINK_NOFOLLOW)`, so a symlink in the output is never followed.
    public init(root: String) {
        let fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            violations.append("\(root): cannot open (\(String(cString: strerror(errno))))")
            return
        }
        walk(fd, path: root, depth: 0)
    }

    private mutating func walk(_ dirFD: Int32, path: String, depth: Int) {
        guard let dir = fdopendir(dirFD) else { close(dirFD); return }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            entries += 1
            let child = "\(path)/\(name)"
            var st = stat()
            guard fstatat(dirfd(dir), name, &st, AT_SYMLINK_NOFOLLOW) == 0 else {
                violations.append("\(child): cannot stat")
                continue
            }
            allocatedBytes += UInt64(st.st_blocks) * 512
            let type = st.st_mode & S_IFMT
            if type == S_IFCHR || type == S_IFBLK || type == S_IFIFO || type == S_IFSOCK {
                violations.append("\(child): special file (mode \(String(st.st_mode, radix: 8)))")
            }
            if type != S_IFLNK && st.st_mode & (S_ISUID | S_ISGID) != 0 {
                violations.append("\(child): setuid or setgid bit (mode \(String(st.st_mode, radix: 8)))")
            }
            if type == S_IFDIR {
                guard depth < 4096 else { violations.append("\(child): nested deeper than 4096"); continue }
                let sub = openat(dirfd(dir), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                if sub < 0 {
                    violations.append("\(child): cannot open folder (\(String(cString: strerror(errno))))")
                } else {
                    walk(sub, path: child, depth: depth + 1)
                }
            }
        }
    }

    /// Names in folder `path` other than `expected`: anything a run wrote beside its output root.
    public static func strangers(in path: String, expected: Set<String>) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { !expected.contains($0) }.sorted().map { "\(path)/\($0)" }
    }
}
