// `scan --html FILE`: one self-contained offline page of the damage, with hostile names escaped.
import Foundation
import Testing
import FSRescueTestSupport

@Suite("scan --html", .serialized)
struct ScanHTMLTests {
    /// Whether the page reaches outside itself (scripts, stylesheets, images, fonts, links to fetch):
    /// in its markup, not in the (escaped) text it shows.
    static func external(_ html: String) -> [String] {
        let tags = html.components(separatedBy: "<").dropFirst().map { "<" + ($0.split(separator: ">", maxSplits: 1).first ?? "") }
        var found = ["http://", "https://", "@import", "url("].filter { html.contains($0) }
        found += tags.filter { t in ["<script", "<link", "<iframe", "<img", "<object", "<embed"].contains { t.hasPrefix($0) }
            || t.contains(" src=") || t.contains(" href=") }
        return found
    }

    @Test("a damaged disk: the unread areas and damaged structures with the files they touch, the orphans with their names, offline")
    func damaged() throws {
        guard Tool.exists("debugfs") else { return }
        let dir = TemporaryDirectory()
        let image = KernelImage(name: "ext4-default")
        let img = try image.decompress(into: dir.path)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: img)[.size] as? UInt64)
        let file = try #require(try image.truth().first { $0.type == "file" && ($0.size ?? 0) > 8192 && ($0.size ?? 0) < 65536 && !$0.path.hasPrefix("links/") })
        let block = try MapfileTests.firstBlock("/" + file.path, in: img)
        let directory = try #require(try Tool.run("debugfs", ["-R", "blocks /indexed", img]).stdout
            .split(separator: " ").dropFirst().first.flatMap { UInt64($0) })
        let map = dir.file("disk.map")
        try MapfileTests.mapfile(size: size, bad: [block * 4096..<(block + 1) * 4096, directory * 4096..<(directory + 1) * 4096].sorted { $0.lowerBound < $1.lowerBound })
            .write(toFile: map, atomically: true, encoding: .utf8)
        let page = dir.file("report.html")
        let r = try expectUnchanged(img) { try FSRescueBinary.run(["scan", img, "--mapfile", map, "--html", page]) }
        #expect(r.status == 4)
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("</html>"))
        #expect(Self.external(html).isEmpty, "\(Self.external(html))")
        #expect(html.contains("never read from the disk"))
        #expect(html.contains("/" + file.path), "the file the unread block touches is named")
        #expect(html.contains("/indexed"), "the directory whose block was not read is named")
        #expect(html.contains("dir.unreadable-block"))
        // The orphans the unread directory block left, with the names the journal still holds.
        #expect(html.contains("Orphans (") && html.contains("indexed/entry-"))
        #expect(html.components(separatedBy: "class=\"cell").count > 256, "a one-group filesystem is drawn in slices")
    }

    @Test("names from the image are escaped: a file named like markup stays text")
    func hostileNames() throws {
        guard Tool.exists("mke2fs"), Tool.exists("debugfs") else { return }
        let dir = TemporaryDirectory()
        let tree = dir.file("tree")
        let hostile = "<img src=x onerror=alert(1)>&\"'.txt"
        try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: true)
        try Data(repeating: 0x41, count: 20_000).write(to: URL(fileURLWithPath: tree + "/" + hostile))
        let img = dir.file("fs.img")
        #expect(try Tool.run("mke2fs", ["-q", "-F", "-t", "ext4", "-b", "4096", "-d", tree, img, "8M"]).status == 0)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: img)[.size] as? UInt64)
        let stat = try Tool.run("debugfs", ["-R", "blocks <12>", img]).stdout  // the one file mke2fs -d wrote after lost+found
        let block = try #require(stat.split(whereSeparator: { $0 == " " || $0 == "\n" }).first.flatMap { UInt64($0) })
        let map = dir.file("disk.map")
        try MapfileTests.mapfile(size: size, bad: [block * 4096..<(block + 1) * 4096]).write(toFile: map, atomically: true, encoding: .utf8)
        let page = dir.file("report.html")
        _ = try FSRescueBinary.run(["scan", img, "--mapfile", map, "--html", page])
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;&amp;&quot;&#39;.txt"), "the name is shown, escaped")
        #expect(!html.contains("<img"))
        #expect(Self.external(html).isEmpty)
    }

    @Test("a clean disk says so; the page is never written over the image")
    func clean() throws {
        let dir = TemporaryDirectory()
        let img = try KernelImage(name: "ext4-1k").decompress(into: dir.path)
        let page = dir.file("clean.html")
        let r = try FSRescueBinary.run(["scan", img, "--html", page])
        #expect(r.status == 0)
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains("CLEAN") && html.contains("every block was read") && html.contains("No problems found"))
        let over = try expectUnchanged(img) { try FSRescueBinary.run(["scan", img, "--html", img]) }
        #expect(over.status == 8 && over.stderr.contains("never writes to it"))
    }
}
