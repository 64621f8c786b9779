// `fsrescue salvage`: scan, then copy everything recoverable into a lost+found-style folder.
import ArgumentParser
import FSRescue

struct SalvageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "salvage",
        abstract: "Scan, then copy everything recoverable out of the image: attached files under DIR/root, orphans under DIR/lost+found.",
        discussion: """
            Never touches the image. Attached files and folders keep their paths under DIR/root/; orphans \
            (unattached inodes, disconnected folders with their contents, orphan-list inodes that e2fsck -y \
            would delete) go under DIR/lost+found/ at the path the evidence supports: names from live entries, \
            directory slack, directory blocks no inode owns and '..' (lost+found/home/alice/notes.txt, or \
            lost+found/#94/notes.txt when a directory's own name is lost), else #<inode>; --orphans-at original \
            puts those whose whole path is known back at it under DIR/root/. \
            Every item gets a line in DIR/manifest.jsonl (schema fsrescue.manifest/1) with its SHA-256 and \
            status. Running again into the same DIR resumes. Exit status: 0 clean and complete, 4 problems \
            found or items partial, 8 operational error, 32 cancelled.
            """)

    @OptionGroup var imageOptions: ImageOptions

    @Option(help: ArgumentHelp("Output folder (created if missing; must be empty or hold an earlier run's manifest).", valueName: "dir"))
    var out: String

    @Flag(name: .customLong("orphans-only"), help: "Save only the orphans (DIR/lost+found), not the attached tree.")
    var orphansOnly = false

    @Option(name: .customLong("orphans-at"),
            help: ArgumentHelp("Where orphans with a recovered path go: lost-found (DIR/lost+found/<recovered path>) or original (their original place under DIR/root/ when the whole path is known and free, else lost-found).",
                               valueName: "lost-found|original"))
    var orphansAt: OrphanPlacement = .lostFound

    @Flag(help: "Also bring back what the journal remembers: deleted files and previous versions of overwritten or truncated ones, under DIR/deleted/ at the paths they had.")
    var deleted = false

    @Option(name: .customLong("as-of"),
            help: ArgumentHelp("With --deleted: use only journal transactions committed at or before TIME (UTC: 2026-12-07T04:31:33Z, 2026-12-07 04:31, 2026-12-07, or @SECONDS since 1970).",
                               valueName: "time"))
    var asOf: AsOfTime?

    @OptionGroup var copyOptions: CopyOptions

    @Flag(help: "Print a JSON summary (schema fsrescue.salvage/1) on standard output.")
    var json = false

    @OptionGroup var progressOptions: ProgressOptions

    func validate() throws {
        if asOf != nil && !deleted { throw ValidationError("--as-of applies to --deleted; add --deleted.") }
    }

    func run() throws {
        let fs = try imageOptions.openFilesystem()
        var options = copyOptions.salvageOptions
        options.orphansOnly = orphansOnly
        options.orphansAt = orphansAt
        let engine = try progressOptions.makeEngine()
        let signals = SignalHandling.install(for: engine)
        defer { signals.uninstall() }

        // The copy pass's size is guessed from the used blocks and inodes until the scan has run.
        let chained = ChainedProgress(engine, then: [CopyJob.passPlan(SalvageEstimate(guessingFrom: fs.info))])
        let report = fs.scan(progress: chained)
        if !report.completed {
            engine.finish(completed: false)
            Diagnostics.error("cancelled during the scan; nothing was written to \(out).")
            throw ExitCode(ExitStatus.cancelled.rawValue)
        }
        var plan = SalvagePlan(report: report, filesystem: fs, orphansOnly: orphansOnly)
        if deleted {
            if let history = fs.deletedFiles(scan: report, asOf: asOf?.seconds) {
                plan.history = history.files
            } else {
                Diagnostics.note("--deleted: the filesystem has no journal to read (none, or an external one not given with --journal); nothing under DIR/deleted/.")
            }
        }
        var estimate = SalvageRunner.estimate(plan, filesystem: fs, options: options)
        estimate.items += UInt64(plan.sweep.count) / 64
        let summary = try CopyJob.run(fs, plan: plan, output: out, options: options, estimate: estimate,
                                      engine: engine, passIndex: chained.firstLaterPass)
        engine.finish(completed: summary.completed)
        if json {
            try JSONOutput.print(SalvageDocument(verdict: report.verdict, findings: report.findings.count,
                                                 output: out, summary: summary), schema: "fsrescue.salvage/1")
        } else {
            print(SalvageReportText.text(report: report, summary: summary, output: out), terminator: "")
        }
        try imageOptions.finish(fs)
        let status = CopyJob.exitStatus(summary, problems: report.verdict == .damaged || !fs.source.readErrors.all.isEmpty)
        if status != .clean { throw ExitCode(status.rawValue) }
    }
}

/// The `fsrescue.salvage/1` document.
struct SalvageDocument: Encodable {
    let verdict: Verdict
    let findings: Int
    let output: String
    let summary: SalvageSummary
}

enum SalvageReportText {
    static func text(report: ScanReport, summary: SalvageSummary, output: String) -> String {
        var out = "Scan: \(report.verdict.rawValue), \(report.findings.count) finding(s), \(report.orphans.count) orphan(s). Run `fsrescue scan` for the details.\n"
        out += "Salvage into \(output): \(summary.items) item(s): \(summary.complete) complete, \(summary.partial) partial, \(summary.skipped) skipped"
        if summary.specials > 0 { out += ", \(summary.specials) device/FIFO/socket recorded" }
        if summary.resumed > 0 { out += ", \(summary.resumed) already complete from an earlier run" }
        out += "; \(summary.bytesWritten) bytes written.\n"
        out += "  \(output)/root/          the attached tree, under its paths\n"
        out += "  \(output)/lost+found/    \(summary.orphans) orphan(s)\(summary.swept > 0 ? " and \(summary.swept) inode(s) the directory walk could not reach" : "")\n"
        out += "  \(output)/manifest.jsonl one line per item: status, sha256, missing ranges, name evidence\n"
        if !summary.completed { out += "Stopped early: \(summary.stopReason ?? "unknown reason"). Run the same command again to resume.\n" }
        return out
    }
}

extension OrphanPlacement: ExpressibleByArgument {}
