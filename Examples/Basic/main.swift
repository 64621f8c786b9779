// Using FSRescue from Swift: open an image read-only, scan it, list the orphans, salvage them.
import Foundation
import FSRescue

let arguments = CommandLine.arguments.dropFirst()
guard let image = arguments.first else {
    print("usage: fsrescue-example IMAGE [OUTPUT_DIR]")
    exit(16)
}
do {
    // Never opened for writing; a damaged primary superblock falls back to a backup.
    let fs = try Filesystem.open(path: image)
    let info = fs.info
    print("\(info.type), \(info.blockSize)-byte blocks, \(info.inodesCount) inodes, superblock at block \(info.superblock.block)")

    // Passes 1-5; hand a ProgressEngine instead of NoProgress() for a bar or NDJSON events.
    let report = fs.scan(progress: NoProgress())
    print("verdict: \(report.verdict.rawValue), \(report.findings.count) findings")
    for finding in report.findings.prefix(3) {
        print("  [\(finding.severity.rawValue)] \(finding.code.id): \(finding.message)")
    }
    for orphan in report.orphans where orphan.worthSalvaging {
        let name = orphan.nameEvidence.first { $0.source != .dotdot }.map { String(decoding: $0.name, as: UTF8.self) }
        print("  orphan #\(orphan.inode) (\(orphan.kind.rawValue), \(orphan.type.rawValue), \(orphan.size) bytes): \(name ?? "no name evidence")")
    }

    // Copy the orphans out, with DIR/manifest.jsonl, through the output sandbox.
    if let output = arguments.dropFirst().first {
        let plan = SalvagePlan(report: report, filesystem: fs, orphansOnly: true)
        let summary = try SalvageRunner(filesystem: fs, plan: plan, output: output).run()
        print("salvaged \(summary.items) items into \(output): \(summary.complete) complete, \(summary.partial) partial")
    }
} catch {
    // Every failure is an FSRescueError: a code, one sentence for the user, and the exit status to use.
    print("fsrescue-example: \(error.message)")
    exit(error.exitStatus.rawValue)
}
