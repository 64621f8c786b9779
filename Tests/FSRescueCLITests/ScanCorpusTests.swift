// Every e2fsprogs regression image: scan finishes within a deadline, never crashes, and agrees with e2fsck.
import Foundation
import Testing
import FSRescueTestSupport

@Suite("scan on the e2fsprogs corpus", .serialized)
struct ScanCorpusTests {
    /// What e2fsck says of an image: INDEX.tsv's `e2fsck -fn` exit (0 clean, 4 damaged); for 8, 12
    /// and timeouts, the exit status expect.1 ends with (e2fsck -fy's first run): 0 clean, 8 unusable,
    /// otherwise damaged (it fixed something).
    /// For an image whose journal needs recovery, scan reads the replayed view: the oracle is then
    /// e2fsck -fn on a copy whose journal e2fsck replayed (`-E journal_only`, fast commits included;
    /// debugfs's journal_run skips such journals), not e2fsck -n on the image (which does not replay).
    /// Otherwise as ``expected(_:)``.
    static func expected(_ image: CorpusImage, path: String, in dir: String) -> String {
        guard let header = try? Tool.run("dumpe2fs", ["-h", path]), header.stdout.contains("needs_recovery") else { return expected(image) }
        let copy = "\(dir)/replayed.img"
        defer { try? FileManager.default.removeItem(atPath: copy) }
        guard (try? FileManager.default.copyItem(atPath: path, toPath: copy)) != nil,
              (try? Tool.run("e2fsck", ["-E", "journal_only", "-y", copy])) != nil,
              let fsck = try? Tool.run("e2fsck", ["-fn", copy]) else { return expected(image) }
        return fsck.status == 0 ? "clean" : fsck.status == 4 ? "damaged" : "unusable"
    }

    static func expected(_ image: CorpusImage) -> String {
        switch image.e2fsckExit {
        case 0: return "clean"
        case 4: return "damaged"
        default:
            let text = (try? String(contentsOfFile: "\(image.folder)/expect.1", encoding: .utf8)) ?? ""
            let status = text.split(separator: "\n").last { $0.hasPrefix("Exit status is ") }.flatMap { Int($0.dropFirst(15)) } ?? 8
            return status == 0 ? "clean" : status == 8 ? "unusable" : "damaged"
        }
    }

    /// Images where fsrescue deliberately disagrees with e2fsck -fn; each is explained in the README.
    static let deliberate: Set<String> = ["f_first_meta_bg_too_big"]

    @Test("scan never crashes or hangs, and its verdict agrees with e2fsck")
    func corpus() throws {
        let images = Corpus.images
        guard !images.isEmpty else { return }  // the corpus is absent in a user's clone
        let dir = TemporaryDirectory("fsrescue-scan-corpus")
        var agree = 0
        var disagreements: [String] = []
        for image in images {
            let path = try image.decompress(into: dir.path)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let r = try expectUnchanged(path) {
                try Tool.run("timeout", ["-s", "KILL", "60", FSRescueBinary.path, "scan", "--json", path])
            }
            #expect([0, 4, 8].contains(r.status), "\(image.name): exit \(r.status) (crash or hang) \(r.stderr)")
            if r.status != 8 {
                #expect((try? JSONSerialization.jsonObject(with: r.stdoutData)) != nil, "\(image.name): bad JSON")
            }
            let expected = Self.expected(image, path: path, in: dir.path)
            let ok = switch (expected, r.status) {
            case ("clean", 0), ("damaged", 4), ("unusable", 4), ("unusable", 8): true
            default: false
            }
            if ok { agree += 1 } else { disagreements.append("\(image.name) (e2fsck: \(expected), scan: exit \(r.status))") }
        }
        let unexplained = disagreements.filter { d in !Self.deliberate.contains { d.hasPrefix($0 + " ") } }
        #expect(unexplained == [], "agreement \(agree)/\(images.count)")
    }
}
