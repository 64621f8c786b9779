// The hand-written manifest line is the JSON JSONEncoder would write, and reads back the same.
import Foundation
import Testing
@testable import FSRescue

@Suite("Manifest lines")
struct ManifestLineTests {
    @Test("hand-written lines equal JSONEncoder's sorted snake-case output and decode to the same record",
          arguments: [0.0, 0.5, 0.6, 1.0])
    func sameAsEncoder(confidence: Double) throws {
        var r = ManifestRecord(path: "lost+found/a \"b\"\n/c", inode: 12, type: .regular, size: 4096, status: .partial,
                               nameBytes: [0x61, 0xFF], nameSource: .slack, confidence: confidence, mode: 0o644, uid: 1, gid: 2, mtime: -5)
        r.bytesRecovered = 100
        r.sha256 = "ab"
        r.missingRanges = [[100, 4096]]
        r.doubtfulRanges = [[0, 10], [20, 30]]
        r.findings = ["salvage.shared-blocks", "inode.link-count"]
        r.imagePath = "/x/y"
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let expected = String(decoding: try encoder.encode(r), as: UTF8.self)
        #expect(r.jsonLine == expected)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        #expect(try decoder.decode(ManifestRecord.self, from: Data(r.jsonLine.utf8)) == r)
    }
}
