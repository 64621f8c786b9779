// Ground-truth scoring: one small fixture per corruption kind, the truth indexed, manifests read back.
import Foundation
import FSRescue
import FSRescueFixtures

/// A corrupted fixture beside the fresh image it was made from, with its truth indexed by inode.
public struct ScoredFixture: Sendable {
    /// The fresh image (its bytes are what the corrupted one held before the damage).
    public let base: FixtureImage
    public let image: FixtureImage
    public var truth: FixtureTruth { image.truth }
    public var path: String { image.imagePath }
    /// The one corruption applied (nil for a fresh fixture).
    public var corruption: AppliedCorruption? { truth.corruptions.first }
    /// What a perfect recovery brings back, for the inodes a corruption touched.
    public let affected: [UInt32: InodeFate]
    /// Every name of every inode, in truth order.
    public let entries: [UInt32: [FixtureTruth.Entry]]

    init(base: FixtureImage, image: FixtureImage) {
        self.base = base
        self.image = image
        affected = Dictionary(image.truth.recoverable?.affected.map { ($0.inode, $0) } ?? [], uniquingKeysWith: { a, _ in a })
        entries = Dictionary(grouping: image.truth.entries, by: \.inode)
    }

    /// Regular files with content, one entry per inode (the first name).
    public var files: [FixtureTruth.Entry] {
        entries.values.compactMap { $0.first }.filter { $0.type == "file" && $0.sha256 != nil }.sorted { $0.inode < $1.inode }
    }

    /// The content of a file as it was before the damage, read from the fresh image through the truth's
    /// extents (holes as zeros).
    public func originalContent(_ entry: FixtureTruth.Entry) throws -> [UInt8] {
        let bs = UInt64(truth.filesystem.blockSize)
        var bytes = [UInt8](repeating: 0, count: Int(entry.size))
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: base.imagePath))
        defer { try? handle.close() }
        for e in entry.extents ?? [] {
            let start = e[0] * bs
            guard start < entry.size else { continue }
            let length = min(entry.size - start, e[2] * bs)
            try handle.seek(toOffset: e[1] * bs)
            let data = try handle.read(upToCount: Int(length)) ?? Data()
            bytes.replaceSubrange(Int(start)..<Int(start) + data.count, with: data)
        }
        return bytes
    }
}

/// The fixtures the scoring tests corrupt.
public enum ScoringFixtures {
    /// ext4 with 1 KiB blocks and three groups (so backup superblocks exist), a couple of hundred
    /// files: every kind finds targets, and each test builds its own copy in well under a second.
    public static let spec = FixtureSpec(type: .ext4, sizeBytes: 24 << 20, blockSize: 1024, files: 160, dirs: 12,
                                         maxFileSize: 192 << 10, seed: 21)

    /// Targets per kind: two wherever the kind takes a count, so the tests see sets, not single values.
    public static let count = 2

    /// Builds the fresh fixture in `dir`, and with `kind` a corrupted copy of it.
    public static func make(_ kind: CorruptionKind?, in dir: TemporaryDirectory, spec: FixtureSpec = spec,
                            seed: UInt64 = 3) throws -> ScoredFixture {
        let base = try FixtureGenerator.create(spec, imagePath: dir.file("base.img"))
        guard let kind else { return ScoredFixture(base: base, image: base) }
        let image = try FixtureCorruptor.corrupt(input: base.imagePath, output: dir.file("\(kind.rawValue).img"), kinds: [kind],
                                                 seed: seed, count: count)
        return ScoredFixture(base: base, image: image)
    }

    /// The name of an entry as bytes (`name_hex` when the name is not plain UTF-8).
    public static func nameBytes(_ location: NameLocation) -> [UInt8] {
        location.nameHex.map(hexBytes) ?? Array(location.name.utf8)
    }

    public static func nameBytes(_ entry: FixtureTruth.Entry) -> [UInt8] {
        entry.nameHex.map(hexBytes) ?? Array(entry.name.utf8)
    }

    static func hexBytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var i = hex.startIndex
        while i < hex.endIndex, let j = hex.index(i, offsetBy: 2, limitedBy: hex.endIndex) {
            out.append(UInt8(hex[i..<j], radix: 16) ?? 0)
            i = j
        }
        return out
    }

    /// SHA-256 of `bytes`, lowercase hex.
    public static func sha256(_ bytes: [UInt8]) -> String { SHA256.hex(of: bytes) }
}

/// `DIR/manifest.jsonl` read back: the last item line for each output path wins, as the README says.
public struct ManifestReadBack {
    public let items: [String: ManifestRecord]
    /// The `"end"` lines, in order (one per run).
    public let ends: [[String: String]]

    public init(_ outputDirectory: String) throws {
        let text = try String(contentsOfFile: outputDirectory + "/manifest.jsonl", encoding: .utf8)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        var items: [String: ManifestRecord] = [:]
        var ends: [[String: String]] = []
        for line in text.split(separator: "\n") {
            let data = Data(line.utf8)
            let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            switch object?["record"] as? String {
            case "item":
                let item = try decoder.decode(ManifestRecord.self, from: data)
                items[item.path] = item
            case "end":
                ends.append((object ?? [:]).compactMapValues { $0 as? String })
            default: break
            }
        }
        self.items = items
        self.ends = ends
    }

    /// Items of `inode`, by output path.
    public func items(of inode: UInt32) -> [ManifestRecord] {
        items.values.filter { $0.inode == inode }.sorted { $0.path < $1.path }
    }
}

/// Reads a whole output file (nil when absent).
public func contents(_ path: String) -> [UInt8]? {
    FileManager.default.contents(atPath: path).map { [UInt8]($0) }
}
