// The man pages against the commands: every long option in `--help` is in the page, and each page renders cleanly.
import Foundation
import Testing
import FSRescueTestSupport

/// One command's help and the man page that must describe it.
struct ManPageCase: Sendable, CustomTestStringConvertible {
    let command: [String]
    let page: String
    var testDescription: String { "fsrescue \(command.joined(separator: " ")) -> man/\(page)" }
}

@Suite("man pages")
struct ManPageCoverageTests {
    static let cases: [ManPageCase] = [
        ManPageCase(command: [], page: "fsrescue.1"),
        ManPageCase(command: ["info"], page: "fsrescue-info.1"),
        ManPageCase(command: ["scan"], page: "fsrescue-scan.1"),
        ManPageCase(command: ["salvage"], page: "fsrescue-salvage.1"),
        ManPageCase(command: ["extract"], page: "fsrescue-extract.1"),
        ManPageCase(command: ["domain"], page: "fsrescue-domain.1"),
        ManPageCase(command: ["fixture"], page: "fsrescue-fixture.1"),
        ManPageCase(command: ["fixture", "create"], page: "fsrescue-fixture.1"),
        ManPageCase(command: ["fixture", "corrupt"], page: "fsrescue-fixture.1"),
        ManPageCase(command: ["fixture", "kinds"], page: "fsrescue-fixture.1"),
    ]
    static var pages: [String] { Array(Set(cases.map(\.page))).sorted() }

    /// `--long-option` tokens, whole (so `--progress` is not found inside `--progress-fd`).
    static func longOptions(_ text: String) -> Set<String> {
        let regex = try! NSRegularExpression(pattern: "(?<![A-Za-z0-9-])--[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
        let range = NSRange(text.startIndex..., in: text)
        return Set(regex.matches(in: text, range: range).map { String(text[Range($0.range, in: text)!]) })
    }

    /// A page's source as a reader sees the words: `\-` is `-`, font and spacing escapes are dropped.
    static func plainText(_ roff: String) -> String {
        var text = roff.replacingOccurrences(of: "\\-", with: "-")
        for escape in ["\\fB", "\\fI", "\\fR", "\\fP", "\\&", "\\e"] { text = text.replacingOccurrences(of: escape, with: "") }
        return text.replacingOccurrences(of: "\\~", with: " ")
    }

    @Test("every long option in --help is in the man page", arguments: cases)
    func optionsCovered(_ c: ManPageCase) throws {
        let help = try FSRescueBinary.run(c.command + ["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("USAGE: fsrescue"), "--help printed no usage: \(help.stdout)")
        let options = Self.longOptions(help.stdout)
        #expect(options.contains("--help"))
        let page = Self.plainText(try PackageFiles.read("man/\(c.page)"))
        let missing = options.subtracting(Self.longOptions(page)).sorted()
        #expect(missing.isEmpty, "man/\(c.page) does not mention \(missing.joined(separator: ", ")) from `fsrescue \(c.command.joined(separator: " ")) --help`")
    }

    @Test("every subcommand has its own page")
    func everySubcommandHasAPage() throws {
        let help = try FSRescueBinary.run(["--help"]).stdout
        let section = try #require(help.components(separatedBy: "SUBCOMMANDS:").last)
        let names = section.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("  "), !line.hasPrefix("   ") else { return nil }
            return line.split(separator: " ").first.map(String.init)
        }.filter { $0 != "help" && $0 != "See" }
        #expect(names.count >= 5, "\(names)")
        for name in names {
            #expect(FileManager.default.fileExists(atPath: PackageFiles.path("man/fsrescue-\(name).1")), "no man/fsrescue-\(name).1 for `fsrescue \(name)`")
        }
    }

    @Test("each page has the sections a reader looks for", arguments: pages)
    func sections(_ page: String) throws {
        let text = try PackageFiles.read("man/\(page)")
        let headers = Set(text.split(separator: "\n").filter { $0.hasPrefix(".SH ") }
            .map { $0.dropFirst(4).replacingOccurrences(of: "\"", with: "") })
        for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXIT STATUS", "EXAMPLES", "SEE ALSO"] {
            #expect(headers.contains(section), "man/\(page) has no \(section) section")
        }
        let seeAlso = Self.plainText(text.components(separatedBy: ".SH SEE ALSO").last ?? "")
        for reference in ["e2fsck (8)", "debugfs (8)", "tsk_recover (1)"] {
            #expect(seeAlso.contains(reference), "man/\(page): SEE ALSO lacks \(reference)")
        }
    }

    @Test("each page renders with groff -ww without a warning, and with man -l", arguments: pages)
    func renders(_ page: String) throws {
        try #require(Tool.exists("groff") && Tool.exists("man"), "groff or man is missing: `make test` installs groff-base and man-db")
        let path = PackageFiles.path("man/\(page)")
        var environment = ProcessInfo.processInfo.environment
        environment["LC_ALL"] = "C.UTF-8"
        environment["MANWIDTH"] = "80"
        let groff = try Tool.run("groff", ["-man", "-Tutf8", "-ww", "-z", path], environment: environment)
        #expect(groff.status == 0 && groff.stderr.isEmpty, "groff on man/\(page): \(groff.stderr)")
        let man = try Tool.run("man", ["-l", path], environment: environment)
        #expect(man.status == 0 && man.stderr.isEmpty, "man -l man/\(page): \(man.stderr)")
        #expect(man.stdout.contains("NAME") && man.stdout.contains("EXIT STATUS"))
        #expect(!man.stdout.split(separator: "\n").contains { $0.count > 80 }, "man/\(page) has lines wider than 80 columns")
    }
}
