// `fsrescue extract`: pull chosen files out of an image by path or inode, for scripts.
import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import FSRescue

struct ExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Copy chosen files or folders out of an image by path or inode, with a manifest.",
        discussion: """
            Each PATH (absolute, inside the filesystem) or --inode N is written directly under --out DIR \
            (folders with their whole subtree), with DIR/manifest.jsonl as salvage writes it. With --stdout, \
            exactly one regular file is written to standard output, holes as zeros. The image is never \
            written. Exit status: 0 when everything came back complete, 4 when something is partial or \
            skipped, 8 when a path does not exist or the output cannot be written.
            """)

    @OptionGroup var imageOptions: ImageOptions

    @Argument(help: ArgumentHelp("Paths inside the filesystem to extract, such as /etc/passwd.", valueName: "path"))
    var paths: [String] = []

    @Option(name: .customLong("inode"), help: ArgumentHelp("Extract inode N (repeatable), named #N.", valueName: "n"))
    var inodes: [UInt32] = []

    @Option(help: ArgumentHelp("Output folder (created if missing; must be empty or hold an earlier run's manifest).", valueName: "dir"))
    var out: String?

    @Flag(help: "Write the one selected regular file to standard output instead of a folder.")
    var stdout = false

    @OptionGroup var copyOptions: CopyOptions

    @Flag(help: "Print a JSON summary (schema fsrescue.extract/1) on standard output.")
    var json = false

    @OptionGroup var progressOptions: ProgressOptions

    func validate() throws {
        if paths.isEmpty && inodes.isEmpty { throw ValidationError("name at least one PATH or --inode N to extract") }
        if stdout && out != nil { throw ValidationError("--stdout and --out are alternatives; give one") }
        if !stdout && out == nil { throw ValidationError("give --out DIR, or --stdout for a single file") }
        if stdout && paths.count + inodes.count != 1 { throw ValidationError("--stdout writes exactly one file; name one PATH or one --inode") }
        if stdout && json { throw ValidationError("--json and --stdout both use standard output; give one") }
    }

    func run() throws {
        let fs = try imageOptions.openFilesystem()
        let selections = try fs.selections(paths: paths, inodes: inodes)
        if stdout {
            let copy = try fs.extract(inode: selections[0].inode, to: 1 /* stdout */)
            try imageOptions.finish(fs)
            if !copy.missing.isEmpty {
                Diagnostics.error("\(copy.missing.count) byte range(s) could not be read and were written as zeros.")
                throw ExitCode(ExitStatus.problemsFound.rawValue)
            }
            return
        }
        var plan = SalvagePlan()
        plan.selections = selections
        plan.lister = fs
        let options = copyOptions.salvageOptions
        let engine = try progressOptions.makeEngine()
        let signals = SignalHandling.install(for: engine)
        defer { signals.uninstall() }
        let estimate = SalvageRunner.estimate(plan, filesystem: fs, options: options)
        engine.start(plan: [CopyJob.passPlan(estimate)])
        let summary = try CopyJob.run(fs, plan: plan, output: out!, options: options, estimate: estimate, engine: engine, passIndex: 0)
        engine.finish(completed: summary.completed)
        if json {
            try JSONOutput.print(summary, schema: "fsrescue.extract/1")
        } else {
            print("extracted \(summary.items) item(s) into \(out!): \(summary.complete) complete, \(summary.partial) partial, \(summary.skipped) skipped; manifest: \(out!)/manifest.jsonl")
        }
        try imageOptions.finish(fs)
        let status = CopyJob.exitStatus(summary, problems: !fs.source.readErrors.all.isEmpty)
        if status != .clean { throw ExitCode(status.rawValue) }
    }
}
