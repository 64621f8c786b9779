// The e2fsprogs regression images in ../shared/corpus/e2fsprogs (absent in a user's clone).
import Foundation

public struct CorpusImage: Sendable {
    public let name: String
    public let folder: String
    /// `e2fsck -fn` exit status from INDEX.tsv (`nil` for `timeout`).
    public let e2fsckExit: Int?
    public let description: String

    /// Decompresses the image into `directory` and returns its path (never in place).
    public func decompress(into directory: String) throws -> String {
        let out = "\(directory)/\(name).img"
        for (file, tool) in [("image.gz", "gzip"), ("image.bz2", "bzip2")] {
            let src = "\(folder)/\(file)"
            guard FileManager.default.fileExists(atPath: src) else { continue }
            let r = try Tool.run("/bin/sh", ["-c", "\(tool) -dc \"$0\" > \"$1\"", src, out])
            guard r.status == 0 else { throw TestImageError.tool(tool, r.stderr) }
            return out
        }
        throw TestImageError.tool("corpus", "no image in \(folder)")
    }
}


public enum Corpus {
    /// The corpus folder, found by walking up from the working directory to `../shared/corpus/e2fsprogs`.
    public static var folder: String? {
        if let env = ProcessInfo.processInfo.environment["FSRESCUE_CORPUS"] { return env }
        var dir = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        for _ in 0..<4 {
            let candidate = dir.deletingLastPathComponent().appendingPathComponent("shared/corpus/e2fsprogs")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("INDEX.tsv").path) { return candidate.path }
            dir.deleteLastPathComponent()
        }
        return nil
    }

    /// Every image listed in INDEX.tsv; empty when the corpus is absent.
    public static var images: [CorpusImage] {
        guard let folder, let index = try? String(contentsOfFile: "\(folder)/INDEX.tsv", encoding: .utf8) else { return [] }
        return index.split(separator: "\n").dropFirst().compactMap { line in
            let cols = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard cols.count >= 3 else { return nil }
            return CorpusImage(name: cols[0], folder: "\(folder)/\(cols[0])", e2fsckExit: Int(cols[1]), description: cols[2])
        }
    }
}
