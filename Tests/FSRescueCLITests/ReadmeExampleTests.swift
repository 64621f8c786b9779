// The README's worked example, its Swift example and its JSON schema list, checked against what the code does now.
import Foundation
import Testing
import FSRescueTestSupport

@Suite("README examples", .serialized)
struct ReadmeExampleTests {
    /// Timings differ run to run; everything else in the example is deterministic.
    static func normalize(_ text: String) -> String {
        text.replacingOccurrences(of: #"[0-9]+\.[0-9]+s\b"#, with: "N.NNNs", options: .regularExpression)
    }

    @Test("the worked example block is what scripts/readme-example.sh prints (make readme rewrites it)")
    func workedExample() throws {
        let run = try Tool.run("bash", [PackageFiles.path("scripts/readme-example.sh"), FSRescueBinary.path])
        try #require(run.status == 0, "readme-example.sh: \(run.stderr)")
        #expect(run.stdout.contains("$ fsrescue salvage broken.img --out rescue"))
        #expect(!run.stdout.contains(NSTemporaryDirectory()), "a temporary path leaked into the example")
        let block = "```console\n" + run.stdout + "```\n"
        #expect(try ReadmeBlock.matches("readme-example", expected: block, normalize: Self.normalize),
                "README's worked example is stale; run `make readme` (or paste scripts/readme-example.sh's output)")
    }

    @Test("the Swift example in docs/library.md is Examples/Basic/main.swift, and the built example runs")
    func swiftExample() throws {
        let source = try PackageFiles.read("Examples/Basic/main.swift")
        #expect(try ReadmeBlock.matches("swift-example", expected: "```swift\n" + source + "```\n", in: "docs/library.md"),
                "docs/library.md's Swift example differs from Examples/Basic/main.swift; run `make readme`")

        let example = URL(fileURLWithPath: FSRescueBinary.path).deletingLastPathComponent().appendingPathComponent("fsrescue-example").path
        try #require(FileManager.default.isExecutableFile(atPath: example), "fsrescue-example is not built beside \(FSRescueBinary.path)")
        let dir = TemporaryDirectory()
        let base = dir.file("base.img"), bad = dir.file("bad.img")
        #expect(try FSRescueBinary.run(["fixture", "create", "--out", base, "--files", "30", "--max-file-size", "32K", "--seed", "3"]).status == 0)
        #expect(try FSRescueBinary.run(["fixture", "corrupt", "--in", base, "--out", bad, "--kind", "unlink-file", "--count", "4", "--seed", "2"]).status == 0)
        let r = try expectUnchanged(bad) { try Tool.run(example, [bad, dir.file("out")]) }
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("verdict: damaged"))
        #expect(r.stdout.contains("orphan #"))
        #expect(FileManager.default.fileExists(atPath: dir.file("out/manifest.jsonl")))
        let missing = try Tool.run(example, [dir.file("nothing.img")])
        #expect(missing.status == 8 && missing.stdout.contains("no such file"))
    }

    @Test("every JSON schema the code writes has its own README section")
    func schemasDocumented() throws {
        let readme = try PackageFiles.read("README.md")
        var schemas = Set<String>()
        let regex = try NSRegularExpression(pattern: #""(fsrescue\.[a-z]+/[0-9]+)""#)
        let sources = FileManager.default.enumerator(atPath: PackageFiles.path("Sources"))?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        for file in sources {
            let text = try PackageFiles.read("Sources/\(file)")
            for m in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                schemas.insert(String(text[Range(m.range(at: 1), in: text)!]))
            }
        }
        #expect(schemas.isSuperset(of: ["fsrescue.info/1", "fsrescue.scan/1", "fsrescue.salvage/1", "fsrescue.extract/1", "fsrescue.manifest/1"]), "\(schemas)")
        let headings = readme.split(separator: "\n").filter { $0.hasPrefix("#") }
        for schema in schemas {
            #expect(headings.contains { $0.contains("`\(schema)`") }, "README has no section headed `\(schema)`")
        }
    }
}
