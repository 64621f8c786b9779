// fsrescue fixture …: the commands as users run them.
import Foundation
import Testing
import FSRescue
import FSRescueFixtures
import FSRescueTestSupport

@Suite("fsrescue fixture commands", .serialized)
struct FixtureCLITests {
    @Test("fixture kinds lists every kind, one line each")
    func kinds() throws {
        let r = try FSRescueBinary.run(["fixture", "kinds"])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == CorruptionKind.allCases.count)
        for (line, kind) in zip(lines, CorruptionKind.allCases) { #expect(line.hasPrefix(kind.rawValue + " ")) }
    }

    @Test("create then corrupt, with exit statuses and one-sentence errors")
    func createAndCorrupt() throws {
        let dir = TemporaryDirectory()
        let img = dir.file("f.img")
        let r = try FSRescueBinary.run(["fixture", "create", "--out", img, "--type", "ext3", "--files", "50", "--size", "16M", "--block-size", "1024", "--seed", "4"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: img + ".truth.json"))
        let again = try FSRescueBinary.run(["fixture", "create", "--out", img])
        #expect(again.status == 8)
        #expect(again.stderr.hasPrefix("fsrescue: ") && again.stderr.contains("--force"))
        let badSize = try FSRescueBinary.run(["fixture", "create", "--out", dir.file("g.img"), "--size", "lots"])
        #expect(badSize.status == 16)
        let badKind = try FSRescueBinary.run(["fixture", "corrupt", "--in", img, "--out", dir.file("c.img"), "--kind", "gremlins"])
        #expect(badKind.status == 16)
        #expect(badKind.stderr.contains("fixture kinds"))
        let c = try FSRescueBinary.run(["fixture", "corrupt", "--in", img, "--out", dir.file("c.img"), "--kind", "unlink-file",
                                        "--kind", "link-count", "--count", "2", "--truth", dir.file("c.json")])
        #expect(c.status == 0, "\(c.stderr)")
        let truth = try FixtureTruth.read(from: dir.file("c.json"))
        #expect(truth.corruptions.map(\.kind) == [.unlinkFile, .linkCount])
        #expect(try Tool.run("e2fsck", ["-fn", dir.file("c.img")]).status == 4)
    }
}
