// Running a salvage plan with progress and signals: shared by `salvage` and `extract`.
import ArgumentParser
import FSRescue

enum CopyJob {
    /// Cost-model entries one copied item is worth: creating, opening, hashing and recording a file
    /// takes about 100 µs, parsing an inode or a directory entry in the scan about 0.5 µs. With one
    /// entry per item, the copy was predicted from the scan's rates at a fifth of its real length.
    static let entriesPerItem = 200.0

    /// The copy pass as the progress engine sees it: units are bytes (data and hashed holes) plus a
    /// fixed cost per item.
    static func passPlan(_ estimate: SalvageEstimate) -> PassPlan {
        let units = estimate.units
        return PassPlan(name: "copy", title: "Copying files", units: units,
                        bytesPerUnit: units == 0 ? 1 : Double(estimate.bytes) / Double(units),
                        entriesPerUnit: units == 0 ? 0 : Double(estimate.items) * entriesPerItem / Double(units), measuredAlone: true)
    }

    /// Runs `plan` into `output` as pass `passIndex` of a job already started on `engine`.
    static func run(_ fs: Filesystem, plan: SalvagePlan, output: String, options: SalvageOptions,
                    estimate: SalvageEstimate, engine: ProgressEngine, passIndex: Int) throws -> SalvageSummary {
        let runner = try SalvageRunner(filesystem: fs, plan: plan, output: output, options: options,
                                       estimatedBytes: estimate.dataBytes, progress: engine)
        let units = estimate.units
        engine.beginPass(passIndex, units: units)
        let summary = try runner.run()
        // A copy that ran to its end did all its work, whatever the estimate said.
        if summary.completed { engine.update(done: max(units, runner.unitsDone)) }
        engine.endPass(passIndex)
        return summary
    }

    /// The exit status a finished copy implies: 32 cancelled, 8 stopped by the output limit, 4 partial
    /// or skipped items (or `problems`), 0 otherwise. Prints the reason for an early stop on stderr.
    static func exitStatus(_ summary: SalvageSummary, problems: Bool = false) -> ExitStatus {
        if !summary.completed {
            if summary.stopReason == "cancelled" {
                Diagnostics.error("cancelled; the output and its manifest hold what was done so far, and running the same command again resumes.")
                return .cancelled
            }
            Diagnostics.error(summary.stopReason ?? "the run stopped early.")
            return .operationalError
        }
        return problems || summary.partial + summary.skipped > 0 ? .problemsFound : .clean
    }
}
