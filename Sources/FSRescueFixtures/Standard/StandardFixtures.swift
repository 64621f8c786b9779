// The standard fixture set tests build on demand: Fixtures/standard.json.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import FSRescue

/// One named fixture of the standard set: either a fresh image (type, sizes, seed) or a
/// corruption of another named fixture (`base`, `kinds`).
public struct StandardFixture: Codable, Sendable, Hashable {
    public var name: String
    public var about: String?
    public var type: FixtureType?
    public var blockSize: UInt32?
    public var size: String?
    public var files: Int?
    public var dirs: Int?
    public var maxFileSize: String?
    public var seed: UInt64?
    public var base: String?
    public var kinds: [CorruptionKind]?
    public var corruptSeed: UInt64?
    public var count: Int?

    /// The generator spec of a fresh fixture.
    public func spec() throws(FSRescueError) -> FixtureSpec {
        FixtureSpec(type: type ?? .ext4, sizeBytes: try size.map { s throws(FSRescueError) in try ByteSize(parsing: s, option: "size").bytes },
                    blockSize: blockSize ?? 4096, files: files ?? 1000, dirs: dirs,
                    maxFileSize: try maxFileSize.map { s throws(FSRescueError) in try ByteSize(parsing: s, option: "max_file_size").bytes } ?? 4 << 20,
                    seed: seed ?? 1)
    }
}

/// The standard fixture set (`Fixtures/standard.json`, schema `fsrescue.fixtures/1`).
public struct StandardFixtures: Codable, Sendable {
    public var schema: String
    public var fixtures: [StandardFixture]

    public init(schema: String, fixtures: [StandardFixture]) {
        self.schema = schema
        self.fixtures = fixtures
    }

    /// `Fixtures/standard.json` of this checkout (found from this source file's location), or
    /// `$FSRESCUE_FIXTURE_SPECS`.
    public static var defaultPath: String {
        if let env = ProcessInfo.processInfo.environment["FSRESCUE_FIXTURE_SPECS"] { return env }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/standard.json").path
    }

    /// Reads a fixture set.
    public static func load(from path: String = defaultPath) throws(FSRescueError) -> StandardFixtures {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FSRescueError(.notFound, "no fixture specs at \(path); set FSRESCUE_FIXTURE_SPECS to Fixtures/standard.json.", path: path)
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(StandardFixtures.self, from: data)
        } catch {
            throw FSRescueError(.usage, "\(path) is not a fixture set (\(error)).", path: path)
        }
    }

    public subscript(name: String) -> StandardFixture? { fixtures.first { $0.name == name } }

    /// Builds fixture `name` (and the fixture it is based on) into `directory` as `NAME.img` with
    /// `NAME.img.truth.json`, replacing earlier builds; returns the image and its truth.
    public func build(_ name: String, into directory: String) throws(FSRescueError) -> FixtureImage {
        guard let fixture = self[name] else {
            throw FSRescueError(.usage, "no standard fixture named \(name); the set has \(fixtures.map(\.name).joined(separator: ", ")).")
        }
        let image = "\(directory)/\(name).img"
        guard let base = fixture.base else {
            return try FixtureGenerator.create(try fixture.spec(), imagePath: image, replace: true)
        }
        let source = try build(base, into: directory)
        return try FixtureCorruptor.corrupt(input: source.imagePath, output: image, kinds: fixture.kinds ?? [],
                                            seed: fixture.corruptSeed ?? 1, count: fixture.count ?? 1, replace: true)
    }
}
