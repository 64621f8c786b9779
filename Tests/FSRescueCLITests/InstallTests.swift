// `make install` and `make uninstall` into a scratch PREFIX, with the debug binary (BIN=) so no release build is needed.
import Foundation
import Testing
import FSRescueTestSupport

@Suite("make install")
struct InstallTests {
    @Test("installs the binary, every man page and the bash, zsh and fish completions under PREFIX; uninstall removes them")
    func installAndUninstall() throws {
        try #require(Tool.exists("make"), "make is missing")
        let prefix = TemporaryDirectory("fsrescue-install")
        let make = { (target: String) throws -> ToolResult in
            try Tool.run("make", ["-s", "-C", PackageFiles.root.path, target, "PREFIX=\(prefix.path)", "BIN=\(FSRescueBinary.path)"])
        }
        let installed = try make("install")
        try #require(installed.status == 0, "make install: \(installed.stderr)")

        let bin = prefix.file("bin/fsrescue")
        #expect(try Tool.run(bin, ["--version"]).stdout.hasPrefix("0."))
        let pages = try FileManager.default.contentsOfDirectory(atPath: PackageFiles.path("man")).filter { $0.hasSuffix(".1") }.sorted()
        #expect(pages.count >= 6)
        for page in pages {
            let target = prefix.file("share/man/man1/\(page)")
            #expect(FileManager.default.contents(atPath: target) == FileManager.default.contents(atPath: PackageFiles.path("man/\(page)")), "\(page)")
        }
        let completions = ["share/bash-completion/completions/fsrescue", "share/zsh/site-functions/_fsrescue",
                           "share/fish/vendor_completions.d/fsrescue.fish"]
        for file in completions {
            let text = (try? String(contentsOfFile: prefix.file(file), encoding: .utf8)) ?? ""
            #expect(text.contains("salvage") && text.contains("orphans-only"), "\(file) is not fsrescue's completion script")
        }
        #expect(try Tool.run("bash", ["-n", prefix.file(completions[0])]).status == 0)
        if Tool.exists("man") {
            let found = try Tool.run("man", ["-w", "fsrescue-salvage"], environment: ["MANPATH": prefix.file("share/man"), "PATH": "/usr/bin:/bin"])
            #expect(found.stdout.hasPrefix(prefix.path), "man -w: \(found.stdout)\(found.stderr)")
        }

        let removed = try make("uninstall")
        #expect(removed.status == 0, "make uninstall: \(removed.stderr)")
        let left = FileManager.default.enumerator(atPath: prefix.path)?.compactMap { $0 as? String }
            .filter { !((try? FileManager.default.attributesOfItem(atPath: prefix.file($0))[.type] as? FileAttributeType) == .typeDirectory) } ?? []
        #expect(left.isEmpty, "left after uninstall: \(left)")
    }
}
