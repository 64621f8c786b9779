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

    @Flag(help: "Also say what the journal's history can bring back: deleted files and previous versions (salvage --deleted writes them). Reads the whole journal.")
    var deleted = false

    @Option(name: .customLong("as-of"),
            help: ArgumentHelp("With --deleted: use only journal transactions committed at or before TIME (UTC: 2026-12-07T04:31:33Z, 2026-12-07 04:31, 2026-12-07, or @SECONDS since 1970).",
                               valueName: "time"))
    var asOf: AsOfTime?

    @Option(help: ArgumentHelp("Also write one self-contained, offline HTML page of the scan: the block groups with their metadata and data, unread areas and damaged structures with the files each touches, orphans and their names, every finding.", valueName: "file"))
    var html: String?

    @OptionGroup var progressOptions: ProgressOptions

    func validate() throws {
        if asOf != nil && !deleted { throw ValidationError("--as-of applies to --deleted; add --deleted.") }
    }

    func run() throws {
        let (fs, report, _) = try imageOptions.scanned(progressOptions, writing: [html])
        let history = deleted && report.completed ? fs.deletedFiles(scan: report, asOf: asOf?.seconds) : nil
        if deleted && report.completed && history == nil {
            Diagnostics.note("--deleted: the filesystem has no journal to read (none, or an external one not given with --journal).")
        }
        if json {
            var document = ScanDocument(report)
            document.history = history.map(HistoryDocument.init)
            try JSONOutput.print(document, schema: "fsrescue.scan/1")
        } else {
            print(ScanReportText.text(report) + (history.map(HistoryDocument.text) ?? ""), terminator: "")
        }
        if let html, report.completed {
            try OutputText.write(ScanHTML.render(report: report, map: fs.damageMap(report: report)), to: html, notOver: fs.source)
        }
        try imageOptions.finish(fs)
        if !report.completed {
            Diagnostics.error("cancelled; the report above covers the passes that ran.")
            throw ExitCode(ExitStatus.cancelled.rawValue)
        }
        if report.verdict == .damaged { throw ExitCode(ExitStatus.problemsFound.rawValue) }
    }
}
