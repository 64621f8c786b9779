// `fsrescue scan` as a user runs it: exit statuses, the text summary, the fsrescue.scan/1 document.
import Foundation
import Testing
import FSRescueTestSupport

@Suite("fsrescue scan", .serialized)
struct ScanCommandTests {
    @Test("a fresh image: exit 0, CLEAN, image unchanged")
    func clean() throws {
        let dir = TemporaryDirectory()
        let img = dir.file("fs.img")
        try TestImages.make(img, type: "ext4", blockSize: 4096, sizeMiB: 32)
        let r = try expectUnchanged(img) { try FSRescueBinary.run(["scan", img]) }
        #expect(r.status == 0)
        #expect(r.stderr.isEmpty)
        #expect(r.stdout.contains("Verdict: CLEAN"))
        #expect(r.stdout.contains("No problems found."))
    }

    @Test("an orphan: exit 4, the summary names it, the JSON lists it with its name evidence")
    func orphan() throws {
        let dir = TemporaryDirectory()
        let img = dir.file("fs.img")
        try TestImages.make(img, type: "ext4", blockSize: 1024, sizeMiB: 32)
        try TestImages.debugfsWrite(img, ["write /etc/services lost-me", "write /etc/hosts keep", "unlink lost-me"])
        let text = try expectUnchanged(img) { try FSRescueBinary.run(["scan", img]) }
        #expect(text.status == 4)
        #expect(text.stdout.contains("Verdict: DAMAGED"))
        #expect(text.stdout.contains("#12  unattached  file"))
        #expect(text.stdout.contains("was 'lost-me' in directory 2 (slack)"))

        let r = try expectUnchanged(img) { try FSRescueBinary.run(["scan", "--json", img]) }
        #expect(r.status == 4)
        let doc = try #require(try JSONSerialization.jsonObject(with: r.stdoutData) as? [String: Any])
        #expect(doc["schema"] as? String == "fsrescue.scan/1")
        #expect(doc["verdict"] as? String == "damaged")
        #expect(doc["completed"] as? Bool == true)
        #expect((doc["filesystem"] as? [String: Any])?["type"] as? String == "ext4")
        let orphans = try #require(doc["orphans"] as? [[String: Any]])
        let orphan = try #require(orphans.first)
        #expect(orphan["inode"] as? Int == 12)
        #expect(orphan["kind"] as? String == "unattached")
        #expect(orphan["type"] as? String == "file")
        let evidence = try #require((orphan["name_evidence"] as? [[String: Any]])?.first)
        #expect(evidence["name"] as? String == "lost-me")
        #expect(evidence["source"] as? String == "slack")
        #expect(evidence["confidence"] as? Double == 0.7)
        let findings = try #require(doc["findings"] as? [[String: Any]])
        #expect(findings.contains { $0["code"] as? String == "inode.unattached" && $0["inode"] as? Int == 12 && $0["pass"] as? Int == 4 })
        let timings = try #require(doc["timings"] as? [[String: Any]])
        #expect(timings.count == 7)
    }

    @Test("not an ext filesystem: exit 8 with one sentence")
    func notExt() throws {
        let dir = TemporaryDirectory()
        let img = dir.file("zero.img")
        _ = FileManager.default.createFile(atPath: img, contents: Data(count: 1 << 20))
        let r = try FSRescueBinary.run(["scan", img])
        #expect(r.status == 8)
        #expect(r.stderr.hasPrefix("fsrescue: ") && r.stderr.split(separator: "\n").count == 1)
    }
}
