// Resuming a salvage stopped by SIGINT midway: the second run finishes the job, and the output is a clean run's.
import Foundation
import Testing
import FSRescue
import FSRescueFixtures
import FSRescueTestSupport

@Suite("salvage resumed after SIGINT", .serialized)
struct SalvageResumeTests {
    /// What an output folder holds, by relative path: kind and content hash (or link target), and
    /// which paths share an inode (hard links), so two runs can be compared.
    static func tree(_ root: String) throws -> (items: [String: String], links: Set<[String]>) {
        var items: [String: String] = [:]
        var byInode: [UInt64: [String]] = [:]
        var stack = [""]
        while let relative = stack.popLast() {
            for name in try FileManager.default.contentsOfDirectory(atPath: root + relative) where !(relative.isEmpty && name == "manifest.jsonl") {
                let path = relative + "/" + name
                var st = stat()
                guard lstat(root + path, &st) == 0 else { continue }
                switch st.st_mode & S_IFMT {
                case S_IFDIR:
                    items[path] = "dir"
                    stack.append(path)
                case S_IFLNK:
                    items[path] = "link " + ((try? FileManager.default.destinationOfSymbolicLink(atPath: root + path)) ?? "?")
                default:
                    items[path] = "file " + (contents(root + path).map(ScoringFixtures.sha256) ?? "?")
                    if st.st_nlink > 1 { byInode[UInt64(st.st_ino), default: []].append(path) }
                }
            }
        }
        return (items, Set(byInode.values.map { $0.sorted() }))
    }

    @Test("SIGINT in the copy pass: exit 32 and a resumable manifest; the rerun completes it as one clean run would")
    func resume() throws {
        let dir = TemporaryDirectory()
        // Many small files, no big one: the copy pass lasts about two seconds and checks for
        // cancellation between items, so an interrupt sent at its first update (0.1 s in) lands well
        // before its end. (1,500 files were enough until salvage copied on a second thread; 10,000,
        // a 0.8 s copy, were not when the whole suite ran on two cores: the test thread read the
        // update and signalled after the copy had ended.)
        let spec = FixtureSpec(type: .ext4, sizeBytes: 1 << 30, blockSize: 4096, files: 25_000, dirs: 100, maxFileSize: 64 << 10, seed: 5)
        let fixture = try FixtureGenerator.create(spec, imagePath: dir.file("big.img"))
        let image = fixture.imagePath
        let before = try TestImages.sha256(image)
        let out = dir.file("out")

        let first = try LiveProcess(FSRescueBinary.path, ["salvage", image, "--out", out, "--json", "--progress", "json"])
        // Interrupt as soon as the copy pass reports some progress: some items are then complete.
        let copying = first.waitForLine { line in
            guard line.contains("\"pass\":\"copy\""), line.contains("\"event\":\"update\"") else { return false }
            return !line.contains("\"done\":0,")
        }
        #expect(copying != nil, "the copy pass ended before an update")
        first.send(SIGINT)
        let stopped = first.finish()
        #expect(stopped.status == 32, "\(stopped.stderr.suffix(3))")
        ProgressStream.check(progressEvents(stopped.stderr), completed: false, job: "interrupted salvage")
        let partial = try ManifestReadBack(out)
        #expect(partial.ends.last?["completed"] == "false")
        let completeFiles = partial.items.values.filter { $0.type == .regular && $0.status == .complete }
        let allFiles = Set(fixture.truth.entries.filter { $0.type == "file" }.map(\.inode)).count
        #expect(!completeFiles.isEmpty && completeFiles.count < allFiles, "\(completeFiles.count) of \(allFiles) files complete")

        let second = try FSRescueBinary.run(["salvage", image, "--out", out, "--json"])
        #expect(second.status == 0, "\(second.stderr)")
        let summary = try #require((try JSONSerialization.jsonObject(with: second.stdoutData) as? [String: Any])?["summary"] as? [String: Any])
        #expect(summary["completed"] as? Bool == true)
        #expect((summary["resumed"] as? Int ?? 0) > 0)
        #expect((summary["resumed"] as? Int ?? 0) <= completeFiles.count)
        let resumed = try ManifestReadBack(out)
        #expect(resumed.ends.last?["completed"] == "true")
        #expect(resumed.items.values.allSatisfy { $0.status == .complete }, "\(resumed.items.values.filter { $0.status != .complete }.map(\.path))")

        let clean = dir.file("clean")
        #expect(try FSRescueBinary.run(["salvage", image, "--out", clean]).status == 0)
        let (got, gotLinks) = try Self.tree(out), (want, wantLinks) = try Self.tree(clean)
        #expect(got.count == want.count)
        #expect(Set(got.keys).symmetricDifference(want.keys).isEmpty, "\(Set(got.keys).symmetricDifference(want.keys).sorted().prefix(10))")
        #expect(got.filter { want[$0.key] != $0.value }.isEmpty, "\(got.filter { want[$0.key] != $0.value }.keys.sorted().prefix(10))")
        #expect(gotLinks == wantLinks, "hard links differ: \(gotLinks.symmetricDifference(wantLinks))")
        #expect(Set(try ManifestReadBack(clean).items.keys) == Set(resumed.items.keys))
        #expect(try TestImages.sha256(image) == before)
    }
}
