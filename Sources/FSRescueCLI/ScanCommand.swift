// `fsrescue scan`: check every inode and directory, read-only, and report what is wrong and what is orphaned.
import ArgumentParser
import FSRescue

struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Check the whole filesystem, read-only: inodes, directories, connectivity, link counts, orphans, bitmaps.",
        discussion: """
            Runs passes 1–5 (like e2fsck -fn, but never writing and never stopping at the first problem) and \
            prints a summary (verdict, counts, the orphans worth salvaging) and every finding. \
            Exit status: 0 clean, 4 problems found, 8 the image could not be checked, 32 cancelled.
            """)

    @OptionGroup var imageOptions: ImageOptions

    @Flag(help: "Print a JSON document (schema fsrescue.scan/1) instead of text.")
    var json = false

    @OptionGroup var progressOptions: ProgressOptions

    func run() throws {
        let fs = try imageOptions.openFilesystem()
        let engine = try progressOptions.makeEngine()
        let signals = SignalHandling.install(for: engine)
        defer { signals.uninstall() }
        let report = fs.scan(progress: engine)
        if json {
            try JSONOutput.print(ScanDocument(report), schema: "fsrescue.scan/1")
        } else {
            print(ScanReportText.text(report), terminator: "")
        }
        if !report.completed {
            Diagnostics.error("cancelled; the report above covers the passes that ran.")
            throw ExitCode(ExitStatus.cancelled.rawValue)
        }
        if report.verdict == .damaged { throw ExitCode(ExitStatus.problemsFound.rawValue) }
    }
}
