// Owners are restored only with --preserve-owner, and only when running as root.
import Foundation
import Testing
import FSRescueTestSupport

@Suite("salvage --preserve-owner", .serialized)
struct PreserveOwnerTests {
    @Test("owners come back with --preserve-owner as root, and not without it")
    func owners() throws {
        guard getuid() == 0 else { return }  // only root can give files away; the option is then ignored
        let dir = TemporaryDirectory()
        let src = dir.file("src")
        try FileManager.default.createDirectory(atPath: "\(src)/home", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: "\(src)/home/alice.txt", contents: Data("alice\n".utf8))
        #expect(chown("\(src)/home/alice.txt", 1234, 5678) == 0)
        let img = dir.file("fs.img")
        try TestImages.make(img, type: "ext4", blockSize: 1024, sizeMiB: 16, extra: ["-d", src])
        for (flag, uid, gid) in [(["--preserve-owner"], UInt32(1234), UInt32(5678)), ([], 0, 0)] {
            let out = dir.file("out\(flag.count)")
            let r = try expectUnchanged(img) { try FSRescueBinary.run(["salvage", img, "--out", out, "--progress", "none"] + flag) }
            #expect(r.status == 0, "\(r.stderr)")
            var st = stat()
            #expect(stat("\(out)/root/home/alice.txt", &st) == 0)
            #expect(st.st_uid == uid && st.st_gid == gid, "\(flag): \(st.st_uid):\(st.st_gid)")
        }
    }
}
