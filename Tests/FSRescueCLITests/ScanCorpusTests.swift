// Every e2fsprogs regression image: scan finishes within a deadline, never crashes, and agrees with e2fsck.
import Foundation
import Testing
import FSRescueTestSupport

@Suite("scan on the e2fsprogs corpus", .serialized)
struct ScanCorpusTests {
    /// What e2fsck says of an image: INDEX.tsv's `e2fsck -fn` exit (0 clean, 4 damaged); for 8, 12
    /// and timeouts, the exit status expect.1 ends with (e2fsck -fy's first run): 0 clean, 8 unusable,
    /// otherwise damaged (it fixed something).
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
            let expected = Self.expected(image)
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
