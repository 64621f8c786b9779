// The operations the harness runs on every input; new commands join the list in `FuzzOperation.all`.
import Foundation
import FSRescue

/// One thing done with each input image, such as `info` or extracting everything.
///
/// An operation may throw (a damaged image is expected to be refused); it must not crash, hang,
/// write outside its output root, create special files or setuid bits, or change the image.
struct FuzzOperation: Sendable {
    /// Names the operation in messages and its output root (`out-NAME`).
    let name: String
    /// Whether it writes into its output root (which is then audited).
    let writesOutput: Bool
    let body: @Sendable (_ image: String, _ output: String) throws -> Void

    /// The data limit given to every operation that writes (`--max-output-bytes`).
    static let maxOutputBytes: UInt64 = 64 << 20

    /// Run in this order on every input; a new command joins with one more operation here.
    static let all: [FuzzOperation] = [.info, .scan, .extractAll, .salvage]

    /// `fsrescue scan`: every pass; the report's findings encoded as JSON.
    static let scan = FuzzOperation(name: "scan", writesOutput: false) { image, _ in
        let fs = try Filesystem.open(path: image)
        let report = fs.scan()
        _ = try JSONEncoder().encode(report.findings)
        _ = try JSONEncoder().encode(report.orphans)
    }

    /// `fsrescue salvage --deleted`: the scan's plan (attached tree, named orphans, sweep) and what the
    /// journal's history brings back (its whole log area parsed as hostile input) into a sandbox.
    static let salvage = FuzzOperation(name: "salvage", writesOutput: true) { image, output in
        let fs = try Filesystem.open(path: image)
        let report = fs.scan()
        var plan = SalvagePlan(report: report, filesystem: fs)
        plan.history = fs.deletedFiles(scan: report)?.files ?? []
        try salvage(fs, plan: plan, into: output)
    }

    /// `fsrescue info`: open (the whole ladder, backups included) and gather the facts, as JSON.
    static let info = FuzzOperation(name: "info", writesOutput: false) { image, _ in
        let fs = try Filesystem.open(path: image)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        _ = try encoder.encode(fs.info)
    }

    /// `fsrescue extract /`: every file reachable from the root, listed by libext2fs, into a sandbox.
    static let extractAll = FuzzOperation(name: "extract", writesOutput: true) { image, output in
        let fs = try Filesystem.open(path: image)
        try salvage(fs, plan: SalvagePlan.attachedTree(listedBy: fs), into: output)
    }

    /// Runs `plan` as the CLI does: estimate first, then the runner with the harness's output limit.
    static func salvage(_ fs: Filesystem, plan: SalvagePlan, into output: String) throws {
        var options = SalvageOptions()
        options.maxOutputBytes = maxOutputBytes
        let estimate = SalvageRunner.estimate(plan, filesystem: fs, options: options)
        _ = try SalvageRunner(filesystem: fs, plan: plan, output: output, options: options,
                              estimatedBytes: estimate.bytes).run()
    }
}
