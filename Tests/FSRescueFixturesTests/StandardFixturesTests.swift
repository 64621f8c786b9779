// The standard fixture set builds, and each member is what its spec says.
import Testing
import FSRescue
import FSRescueFixtures
import FSRescueTestSupport

@Suite("The standard fixture set", .serialized)
struct StandardFixturesTests {
    static let set = (try? StandardFixtures.load()) ?? StandardFixtures(schema: "missing", fixtures: [])

    @Test("Fixtures/standard.json loads")
    func loads() throws {
        let set = try StandardFixtures.load()
        #expect(set.schema == "fsrescue.fixtures/1")
        #expect(set.fixtures.count >= 8)
        for f in set.fixtures where f.base != nil { #expect(set[f.base!] != nil, "\(f.name)") }
    }

    @Test("every standard fixture builds", arguments: set.fixtures.map(\.name))
    func builds(name: String) throws {
        let dir = TemporaryDirectory()
        let made = try Self.set.build(name, into: dir.path)
        let spec = try #require(Self.set[name])
        #expect(made.truth.corruptions.map(\.kind) == CorruptionKind.allCases.filter { (spec.kinds ?? []).contains($0) })
        if spec.base == nil {
            #expect(try Tool.run("e2fsck", ["-fn", made.imagePath]).status == 0)
        }
    }
}
