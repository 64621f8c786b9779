// The package's own files (README.md, man/, scripts/, Examples/) as the documentation tests read them.
import Foundation

public enum PackageFiles {
    /// The package root: this file is `Tests/FSRescueTestSupport/PackageFiles.swift`.
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The absolute path of `relative` inside the package.
    public static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    /// The text of `relative` inside the package.
    public static func read(_ relative: String) throws -> String {
        try String(contentsOfFile: path(relative), encoding: .utf8)
    }
}

/// A generated block of README.md (or of a file under `docs/`): the lines between `<!-- NAME:begin -->`
/// and `<!-- NAME:end -->`.
///
/// Tests compare each block with what the code produces now. With `FSRESCUE_UPDATE_README=1` in the
/// environment (`make readme`) a test rewrites its block instead, so regenerating is one command.
public enum ReadmeBlock {
    public static let readme = "README.md"

    /// The block's current text, or nil when its markers are missing.
    public static func current(_ name: String, in file: String = readme) throws -> String? {
        let text = try PackageFiles.read(file)
        guard let range = bodyRange(name, in: text) else { return nil }
        return String(text[range])
    }

    /// Whether the block equals `expected` (after `normalize` on both sides). In update mode the block
    /// is rewritten with `expected` first, so the check passes.
    public static func matches(_ name: String, expected: String, in file: String = readme,
                               normalize: (String) -> String = { $0 }) throws -> Bool {
        if ProcessInfo.processInfo.environment["FSRESCUE_UPDATE_README"] == "1" {
            var text = try PackageFiles.read(file)
            if let range = bodyRange(name, in: text) {
                text.replaceSubrange(range, with: expected)
                try text.write(toFile: PackageFiles.path(file), atomically: true, encoding: .utf8)
            }
        }
        guard let current = try current(name, in: file) else { return false }
        return normalize(current) == normalize(expected)
    }

    private static func bodyRange(_ name: String, in text: String) -> Range<String.Index>? {
        guard let begin = text.range(of: "<!-- \(name):begin -->\n"),
              let end = text.range(of: "<!-- \(name):end -->", range: begin.upperBound..<text.endIndex) else { return nil }
        return begin.upperBound..<end.lowerBound
    }
}
