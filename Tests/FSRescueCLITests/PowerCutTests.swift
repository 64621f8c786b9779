// Power cuts written by the kernel: salvage sees what the kernel sees after its own replay, and
// brings back the files that were open (and unlinked) at the crash.
import Foundation
import Testing
import FSRescueTestSupport

@Suite("power cuts", .serialized)
struct PowerCutTests {
    static let names = KernelImage.powerCuts.map(\.name)
    /// Those whose journal is inside the image (debugfs's journal_run replays only those).
    static let internalJournals = KernelImage.powerCuts.filter { !$0.hasExternalJournal }.map(\.name)

    @Test("salvage matches the kernel's replayed tree byte for byte and saves the open-unlinked files by name", arguments: names)
    func salvage(_ name: String) throws {
        let dir = TemporaryDirectory()
        let image = KernelImage(name: name)
        let (out, r) = try image.salvage(in: dir)
        #expect(r.status == 4, "orphans are problems found: \(r.stderr)")
        let differ = try differences(from: try image.truth(), under: "\(out)/root")
        #expect(differ.isEmpty, "\(name): \(differ.prefix(10))")
        for orphan in try image.orphans() {
            let path = "\(out)/lost+found/\(orphan.directory)/\(orphan.name)"
            #expect(FileManager.default.fileExists(atPath: path), "\(name): \(path)")
            #expect((try? TestImages.sha256(path)) == orphan.sha256, "\(name): \(orphan.name)")
        }
    }

    @Test("scan of the replayed view agrees with e2fsck -fn on a copy e2fsck replayed, and says what was replayed", arguments: internalJournals)
    func scanAgrees(_ name: String) throws {
        let dir = TemporaryDirectory()
        let (img, copy) = try KernelImage(name: name).withReplayedCopy(in: dir)
        let fsck = try Tool.run("e2fsck", ["-fn", copy])
        let r = try expectUnchanged(img) { try FSRescueBinary.run(["scan", "--json", img]) }
        let report = try #require(try JSONSerialization.jsonObject(with: r.stdoutData) as? [String: Any])
        let findings = (report["findings"] as? [[String: Any]]) ?? []
        #expect(findings.contains { $0["code"] as? String == "journal.replayed" })
        // Both call it damaged: e2fsck -n for the in-use inodes without links, scan for the orphans.
        #expect(fsck.status == 4 && r.status == 4, "\(name): e2fsck \(fsck.status), scan \(r.status)")
        let beyondOrphans = findings.filter { $0["severity"] as? String != "info" && !(($0["code"] as? String) ?? "").hasPrefix("orphan.") }
        #expect(beyondOrphans.isEmpty, "\(name): \(beyondOrphans)")
        let orphans = (report["orphans"] as? [[String: Any]]) ?? []
        #expect(orphans.count == 3, "\(name): the three files open at the crash")
    }

    @Test("--no-replay reads the image as it is on disk: the files written since the last checkpoint are not there")
    func noReplay() throws {
        let dir = TemporaryDirectory()
        let image = KernelImage(name: "powercut-ext4")
        let img = try image.decompress(into: dir.path)
        let scan = try FSRescueBinary.run(["scan", "--no-replay", img])
        #expect(scan.stdout.contains("journal.not-replayed"))
        let out = dir.file("out")
        _ = try FSRescueBinary.run(["salvage", "--no-replay", img, "--out", out])
        #expect(try !differences(from: try image.truth(), under: "\(out)/root").isEmpty)
        let info = try FSRescueBinary.run(["info", "--json", img])
        let journal = try #require((try JSONSerialization.jsonObject(with: info.stdoutData) as? [String: Any])?["journal"] as? [String: Any])
        let replay = try #require(journal["replay"] as? [String: Any])
        #expect((replay["transactions"] as? Int ?? 0) >= 1)
    }

    @Test("extract reads the replayed view: files written after the last checkpoint come out byte-exact", arguments: names)
    func extract(_ name: String) throws {
        let dir = TemporaryDirectory()
        let image = KernelImage(name: name)
        let img = try image.decompress(into: dir.path)
        let journal = try image.journalArguments(into: dir.path)
        let truth = try image.truth().filter { $0.path.hasPrefix("after-crash/") && $0.type == "file" }
        #expect(truth.count > 5)
        let out = dir.file("out")
        let r = try expectUnchanged(img) { try FSRescueBinary.run(["extract", img, "/after-crash", "--out", out] + journal) }
        #expect(r.status == 0, "\(name): \(r.stderr)")
        let differ = try differences(from: truth, under: out)
        #expect(differ.isEmpty, "\(name): \(differ.prefix(5))")
    }

    @Test("an external journal: without --journal the image is read as it is and the finding says to give it; a wrong device is refused")
    func externalJournal() throws {
        let dir = TemporaryDirectory()
        let image = KernelImage(name: "powercut-external")
        let img = try image.decompress(into: dir.path)
        let plain = try FSRescueBinary.run(["scan", img])
        #expect(plain.stdout.contains("journal.needs-recovery") && plain.stdout.contains("--journal FILE"))
        let wrong = try KernelImage(name: "powercut-ext4").decompress(into: dir.path)
        for missing in [dir.file("no-such-journal"), dir.path] {
            let r = try FSRescueBinary.run(["scan", img, "--journal", missing])
            #expect(r.status == 8 && r.stdout.isEmpty, "\(r.stdout)")
            #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.hasPrefix("fsrescue: ") && r.stderr.contains(missing), "\(r.stderr)")
        }
        let refused = try FSRescueBinary.run(["info", img, "--journal", wrong])
        #expect(refused.stdout.contains("journal.not-replayed") && refused.stdout.contains("not an ext journal device"))
        let journal = try image.journalArguments(into: dir.path)
        let info = try expectUnchanged(img, journal[1]) { try FSRescueBinary.run(["info", img] + journal) }
        #expect(info.stdout.contains("external, NEEDS RECOVERY, replayed in memory"))
    }
}
