// The output sandbox: nothing escapes the root, symlinks never redirect writes, sparse stays sparse.
import Foundation
import Testing
@testable import FSRescue
import FSRescueTestSupport

@Suite("Output sandbox")
struct OutputSandboxTests {
    @Test("hostile names become safe names that keep their difference", arguments: [
        ("..", "%2E%2E"), (".", "%2E"), ("a/b", "a%2Fb"), ("../../x", "..%2F..%2Fx"), ("tab\there", "tab%09here"),
        ("naïve", "naïve"), ("", "%00"), ("bell\u{7}", "bell%07"),
    ])
    func sanitize(original: String, expected: String) {
        let safe = SafeName(Array(original.utf8))
        #expect(safe.name == expected)
        #expect(safe.original == Array(original.utf8))
    }

    @Test func invalidUTF8IsEscaped() {
        #expect(SafeName([0x66, 0xFF, 0x6F]).name == "f%FFo")
        #expect(SafeName([0xC0, 0xAF]).name == "%C0%AF")  // overlong '/'
        #expect(SafeName([0xED, 0xA0, 0x80]).name == "%ED%A0%80")  // surrogate
    }

    @Test func longNamesAreCutAndStayDistinct() {
        let a = SafeName(Array(repeating: 0x61, count: 300))
        let b = SafeName(Array(repeating: 0x61, count: 299) + [0x62])
        #expect(a.name.utf8.count <= 255)
        #expect(a.name != b.name)
        let multibyte = SafeName(Array(String(repeating: "é", count: 200).utf8))
        #expect(multibyte.name.utf8.count <= 255)
        #expect(multibyte.name.unicodeScalars.allSatisfy { $0 != "\u{FFFD}" })
    }

    @Test("nothing is created outside the root, whatever the names")
    func confinement() throws {
        let outer = TemporaryDirectory()
        let root = outer.file("out")
        let sandbox = try OutputSandbox(root: root)
        for name in ["..", ".", "../escape", "/etc/passwd", "a/../../b"] {
            let f = try sandbox.root.createFile(SafeName(Array(name.utf8)))
            try f.finish(size: 0, mode: 0o644, accessTime: 0, modificationTime: 0, owner: nil)
        }
        let outside = try FileManager.default.contentsOfDirectory(atPath: outer.path)
        #expect(outside == ["out"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: root).count == 5)
    }

    @Test("a symlink named like a later directory never redirects writes")
    func symlinkShadowing() throws {
        let outer = TemporaryDirectory()
        let target = outer.file("victim")
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
        let sandbox = try OutputSandbox(root: outer.file("out"))
        let linkName = try sandbox.root.createSymlink(SafeName(Array("etc".utf8)), target: Array(target.utf8))
        #expect(linkName == "etc")
        // The image also has a directory "etc": it must not go through the symlink, even when resuming.
        let dir = try sandbox.root.makeDirectory(SafeName(Array("etc".utf8)), reuse: true)
        #expect(dir.relativePath == "etc~1")
        let f = try dir.createFile(SafeName(Array("passwd".utf8)))
        try f.finish(size: 0, mode: 0o644, accessTime: 0, modificationTime: 0, owner: nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: target).isEmpty)
        // A file with the symlink's name is created beside it, never through it.
        let g = try sandbox.root.createFile(SafeName(Array("etc".utf8)))
        #expect(g.relativePath == "etc~2")
    }

    @Test("duplicate names in one directory get ~N before the extension")
    func duplicates() throws {
        let outer = TemporaryDirectory()
        let sandbox = try OutputSandbox(root: outer.file("out"))
        var names: [String] = []
        for _ in 0..<3 {
            let f = try sandbox.root.createFile(SafeName(Array("report.txt".utf8)))
            names.append(f.relativePath)
        }
        #expect(names == ["report.txt", "report~1.txt", "report~2.txt"])
    }

    @Test("holes stay holes, and no setuid/setgid/sticky bit is set")
    func sparseAndMode() throws {
        let outer = TemporaryDirectory()
        let sandbox = try OutputSandbox(root: outer.file("out"))
        let f = try sandbox.root.createFile(SafeName(Array("sparse".utf8)))
        let data = [UInt8](repeating: 0xAB, count: 4096)
        try f.write(data, at: 1 << 30)
        try f.finish(size: (1 << 30) + (1 << 30), mode: 0o6755, accessTime: 1_000_000, modificationTime: 2_000_000, owner: nil)
        var st = stat()
        #expect(stat(outer.file("out/sparse"), &st) == 0)
        #expect(st.st_size == 2 << 30)
        #expect(st.st_blocks * 512 < 1 << 20)
        #expect(st.st_mode & 0o7777 == 0o755)
        #expect(st.st_mtim.tv_sec == 2_000_000)
        #expect(sandbox.bytesWritten == 4096)
    }

    @Test("--max-output-bytes stops a write that would pass it")
    func outputLimit() throws {
        let outer = TemporaryDirectory()
        let sandbox = try OutputSandbox(root: outer.file("out"), maxOutputBytes: 10_000)
        let f = try sandbox.root.createFile(SafeName(Array("big".utf8)))
        let data = [UInt8](repeating: 1, count: 8192)
        try f.write(data, at: 0)
        var thrown: FSRescueError?
        do throws(FSRescueError) { try f.write(data, at: 8192) } catch { thrown = error }
        #expect(thrown?.code == .outputLimit)
        #expect(thrown?.message.contains("--max-output-bytes 10000") == true)
    }

    @Test("hard links stay links inside the output")
    func hardLinks() throws {
        let outer = TemporaryDirectory()
        let sandbox = try OutputSandbox(root: outer.file("out"))
        let f = try sandbox.root.createFile(SafeName(Array("a".utf8)))
        try f.finish(size: 0, mode: 0o644, accessTime: 0, modificationTime: 0, owner: nil)
        let sub = try sandbox.root.makeDirectory(SafeName(Array("d".utf8)))
        let name = try sub.createHardLink(SafeName(Array("b".utf8)), to: "a", in: sandbox.root)
        var s1 = stat(), s2 = stat()
        stat(outer.file("out/a"), &s1)
        stat(outer.file("out/d/\(name)"), &s2)
        #expect(s1.st_ino == s2.st_ino)
        #expect(s1.st_nlink == 2)
    }
}
