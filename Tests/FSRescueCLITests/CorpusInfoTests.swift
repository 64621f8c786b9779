// Every e2fsprogs regression image: `info` finishes, never crashes, and either opens or explains why not.
import Foundation
import Testing
import FSRescueTestSupport

@Suite("info on the e2fsprogs corpus", .serialized)
struct CorpusInfoTests {
    @Test("info never crashes or hangs on a corpus image")
    func corpus() throws {
        let images = Corpus.images
        guard !images.isEmpty else { return }  // the corpus is absent in a user's clone
        let dir = TemporaryDirectory("fsrescue-corpus")
        var opened = 0
        for image in images {
            let path = try image.decompress(into: dir.path)
            let r = try expectUnchanged(path) {
                try Tool.run("timeout", ["-s", "KILL", "30", FSRescueBinary.path, "info", "--json", path])
            }
            #expect([0, 4, 8].contains(r.status), "\(image.name): exit \(r.status) \(r.stderr)")
            if r.status == 8 {
                #expect(r.stderr.hasPrefix("fsrescue: ") && r.stderr.split(separator: "\n").count == 1,
                        "\(image.name): \(r.stderr)")
            } else {
                opened += 1
                #expect((try? JSONSerialization.jsonObject(with: r.stdoutData)) != nil, "\(image.name): bad JSON")
            }
            try? FileManager.default.removeItem(atPath: path)
        }
        #expect(opened > images.count / 2)
    }
}
