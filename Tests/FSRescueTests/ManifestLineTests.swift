// The hand-written manifest line is the JSON JSONEncoder would write, and reads back the same.
import Foundation
import Testing
@testable import FSRescue

@Suite("Manifest lines")
struct ManifestLineTests {
    static func record(confidence: Double, path: String = "lost+found/a \"b\"\n/c") -> ManifestRecord {
        var r = ManifestRecord(path: path, inode: 12, type: .regular, size: 4096, status: .partial,
                               nameBytes: [0x61, 0xFF], nameSource: .slack, confidence: confidence, mode: 0o644, uid: 1, gid: 2, mtime: -5)
        r.bytesRecovered = 100
        r.sha256 = "ab"
        r.missingRanges = [[100, 4096]]
        r.doubtfulRanges = [[0, 10], [20, 30]]
        r.findings = ["salvage.shared-blocks", "inode.link-count"]
        r.imagePath = "/x/y"
        return r
    }

    static func encoded(_ r: ManifestRecord) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return [UInt8](try encoder.encode(r))
    }

    @Test("hand-written lines equal JSONEncoder's sorted snake-case output and decode to the same record",
          arguments: [0.0, 0.5, 0.6, 1.0])
    func sameAsEncoder(confidence: Double) throws {
        let r = Self.record(confidence: confidence)
        let expected = String(decoding: try Self.encoded(r), as: UTF8.self)
        #expect(r.jsonLine == expected)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        #expect(try decoder.decode(ManifestRecord.self, from: Data(r.jsonLine.utf8)) == r)
    }

    @Test("the byte writer appends JSONEncoder's exact bytes to a reused buffer, for every control byte, quotes, backslashes and non-ASCII text")
    func byteWriterSameAsEncoder() throws {
        var awkward = ""
        for b in UInt8(1)..<0x20 { awkward.unicodeScalars.append(Unicode.Scalar(b)) }
        awkward += "\u{7F}é/\"\\ 名前 🙂"
        let records = [Self.record(confidence: 1), Self.record(confidence: 0.6, path: awkward),
                       ManifestRecord(path: "root/x", inode: .max, type: .symlink, size: .max, status: .skipped,
                                      nameBytes: nil, nameSource: .none, confidence: 0, mtime: .min)]
        var buffer: [UInt8] = Array("earlier\n".utf8)
        var expected = buffer
        for r in records {
            r.appendJSON(to: &buffer)
            buffer.append(0x0A)
            expected += try Self.encoded(r) + [0x0A]
        }
        #expect(buffer == expected)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let lines = buffer.split(separator: 0x0A).dropFirst()
        #expect(try lines.map { try decoder.decode(ManifestRecord.self, from: Data($0)) } == records)
    }
}
