// Names recovered from the journal: a jbd2 transaction (written by debugfs) holds an older copy of a
// directory block whose live copy no longer names the file, not even in its slack.
import Foundation
import Testing
import FSRescueTestSupport

@Suite("Name recovery from the journal", .serialized)
struct JournalNameTests {
    @Test("an unlinked file whose name survives only in the journal comes back under its path")
    func journalOnly() throws {
        let dir = TemporaryDirectory()
        let src = dir.file("src")
        try FileManager.default.createDirectory(atPath: "\(src)/docs", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: "\(src)/docs/secret-plan.txt", contents: Data("the plan\n".utf8))
        _ = FileManager.default.createFile(atPath: "\(src)/docs/other.txt", contents: Data("other\n".utf8))
        let img = dir.file("fs.img")
        try TestImages.make(img, type: "ext4", blockSize: 1024, sizeMiB: 32, extra: ["-O", "^metadata_csum", "-d", src])
        let blocks = try Tool.run("debugfs", ["-R", "blocks /docs", img])
        let block = try #require(blocks.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).first.flatMap { UInt64($0) })
        // Log the directory block as it is now: a real jbd2 transaction, checked with logdump.
        let copy = dir.file("old.blk")
        try Tool.run("dd", ["if=\(img)", "of=\(copy)", "bs=1024", "skip=\(block)", "count=1", "status=none"])
        try TestImages.debugfsWrite(img, ["jo", "jw -b \(block) \(copy)", "jc"])
        #expect(try Tool.run("debugfs", ["-R", "logdump", img]).stdout.contains("descriptor block"))
        // Checkpoint it (e2fsprogs' recovery writes the same bytes home and marks the log empty): the
        // copy is history now, as in a journal the kernel has long checkpointed, not a transaction to replay.
        try TestImages.debugfsWrite(img, ["journal_run"])
        #expect(try !Tool.run("dumpe2fs", ["-h", img]).stdout.contains("needs_recovery"))
        // Unlink it, then scrub the name from the live block's slack: only the journal still has it.
        try TestImages.debugfsWrite(img, ["unlink /docs/secret-plan.txt"])
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: img))
        try handle.seek(toOffset: block * 1024)
        var bytes = [UInt8](try handle.read(upToCount: 1024) ?? Data())
        let name = Array("secret-plan.txt".utf8)
        let at = try #require((0...(bytes.count - name.count)).first { Array(bytes[$0..<$0 + name.count]) == name })
        bytes.replaceSubrange(at..<at + name.count, with: [UInt8](repeating: 0, count: name.count))
        try handle.seek(toOffset: block * 1024)
        handle.write(Data(bytes))
        try handle.close()

        let out = dir.file("out")
        let r = try expectUnchanged(img) { try FSRescueBinary.run(["salvage", img, "--out", out, "--progress", "none"]) }
        #expect(r.status == 4, "\(r.stderr)")
        #expect(FileManager.default.contents(atPath: "\(out)/lost+found/docs/secret-plan.txt") == Data("the plan\n".utf8))
        let manifest = try String(contentsOfFile: "\(out)/manifest.jsonl", encoding: .utf8)
        let line = try #require(manifest.split(separator: "\n").first { $0.contains("\"path\":\"lost+found/docs/secret-plan.txt\"") })
        #expect(line.contains("\"name_source\":\"journal\""))
        #expect(line.contains("\"confidence\":0.6"))
    }
}
