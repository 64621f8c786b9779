// `fsrescue domain`: the areas a recovery needs first, as a GNU ddrescue domain mapfile.
import ArgumentParser
import FSRescue

struct DomainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "domain",
        abstract: "Write a GNU ddrescue domain mapfile of the metadata a recovery needs first, so ddrescue -m rescues it before the data.",
        discussion: """
            Scans the image (read-only), then marks finished (+) every area a check and a salvage read before \
            any file's data: superblocks and group descriptors, bitmaps, the used part of the inode tables, \
            the journal, and every directory, extent-tree, indirect, extended-attribute and slow-symlink block. \
            Everything else is non-tried (?). With --mapfile (the mapfile of a partial image), the metadata \
            that is not rescued yet is also listed. Exit status: 0 written, 8 operational error.
            """)

    @OptionGroup var imageOptions: ImageOptions

    @Option(help: ArgumentHelp("Write the domain mapfile here (default: standard output, the summary then on standard error).", valueName: "file"))
    var out: String?

    @OptionGroup var progressOptions: ProgressOptions

    func run() throws {
        let (fs, report, _) = try imageOptions.scanned(progressOptions, writing: [out])
        guard report.completed else {
            Diagnostics.error("cancelled during the scan; no domain was written.")
            throw ExitCode(ExitStatus.cancelled.rawValue)
        }
        let domain = fs.rescueDomain(scan: report)
        let text = domain.mapfileText(imageSize: fs.source.sizeBytes, comment: "metadata of \(fs.source.path)")
        var summary = "Rescue domain: \(domain.bytes) bytes in \(domain.areas.count) area(s) of \(fs.source.sizeBytes)"
        summary += " (\(percent(domain.bytes, of: fs.source.sizeBytes)) of the image)"
        if fs.mapfile != nil {
            let missing = domain.unread.reduce(UInt64(0)) { $0 + ($1.upperBound - $1.lowerBound) }
            summary += "; \(missing) bytes of it in \(domain.unread.count) area(s) not rescued yet"
            for area in domain.unread.prefix(20) { summary += "\n  not rescued yet: bytes \(area.lowerBound)–\(area.upperBound - 1)" }
            if domain.unread.count > 20 { summary += "\n  … and \(domain.unread.count - 20) more" }
        }
        summary += ".\n"
        if let out {
            try OutputText.write(text, to: out, notOver: fs.source)
            print(summary + "Written to \(out); rescue it first with: ddrescue -m \(out) DEVICE IMAGE MAPFILE", terminator: "\n")
        } else {
            print(text, terminator: "")
            Diagnostics.writeStderr(summary)
        }
        try imageOptions.finish(fs)
    }

    private func percent(_ part: UInt64, of whole: UInt64) -> String {
        guard whole > 0 else { return "0%" }
        let tenths = part * 1000 / whole
        return "\(tenths / 10).\(tenths % 10)%"
    }
}
