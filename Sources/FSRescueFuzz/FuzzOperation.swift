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

    /// Run in this order on every input. A new command joins with one more operation here: `scan` as
    /// `Filesystem.open` then the passes (no output), `salvage` as the scan's plan through ``salvage(_:plan:into:)``.
    static let all: [FuzzOperation] = [.info, .extractAll]

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
        var plan = SalvagePlan()
        plan.lister = fs
        try salvage(fs, plan: plan, into: output)
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
