// The human-readable scan report: summary first, then the findings grouped by code.
import FSRescue

enum ScanReportText {
    static let perCodeShown = 20

    static func text(_ report: ScanReport) -> String {
        var out = ""
        let info = report.info
        let bySeverity = Dictionary(grouping: report.findings, by: \.severity).mapValues(\.count)
        let verdict = report.verdict == .clean ? "CLEAN" : "DAMAGED"
        out += "\(info.image.path): \(info.type), \(info.blockSize)-byte blocks, \(info.inodesCount) inodes\n"
        out += "Verdict: \(verdict) (\(bySeverity[.error] ?? 0) errors, \(bySeverity[.warning] ?? 0) warnings, \(bySeverity[.info] ?? 0) notes)\n"
        if !report.completed { out += "CANCELLED: the scan stopped early; this report is partial.\n" }
        let c = report.counts
        out += "Scanned: \(c.inodesScanned) inodes (\(c.inodesInUse) in use: \(c.regularFiles) files, \(c.directories) directories), "
        out += "\(c.directoryBlocks) directory blocks, \(c.directoryEntries) entries, \(c.staleEntries) stale entries in slack\n"

        let kinds = OrphanKind.allCases.compactMap { kind -> String? in
            let n = report.orphans.filter { $0.kind == kind }.count
            return n == 0 ? nil : "\(n) \(kind.rawValue)"
        }
        let worth = report.orphans.filter(\.worthSalvaging)
        out += "Orphans: \(report.orphans.count)\(kinds.isEmpty ? "" : " (" + kinds.joined(separator: ", ") + ")"); \(worth.count) worth salvaging\n"
        for o in worth.prefix(50) {
            let subtree = o.subtreeInodes.map { ", \($0) inodes in subtree" } ?? ""
            out += "  #\(o.inode)  \(o.kind.rawValue)  \(o.type.rawValue), \(o.size) bytes\(subtree)\(nameHint(o.nameEvidence))\n"
        }
        if worth.count > 50 { out += "  … and \(worth.count - 50) more (see --json)\n" }
        if !report.deletedInodes.isEmpty {
            out += "Deleted inodes whose blocks are still mapped: \(report.deletedInodes.count)\n"
        }

        if report.findings.isEmpty {
            out += "\nNo problems found.\n"
        } else {
            out += "\nFindings by code:\n"
            let groups = Dictionary(grouping: report.findings, by: \.code)
            let ordered = FindingCode.all.filter { groups[$0] != nil }
            let width = ordered.map(\.id.count).max() ?? 0
            for code in ordered {
                out += "  \(code.id.padded(to: width))  \(groups[code]?.count ?? 0)\n"
            }
            out += "\nFindings:\n"
            for code in ordered {
                let list = groups[code] ?? []
                for f in list.prefix(perCodeShown) {
                    out += "  [\(f.severity.rawValue)] pass \(f.pass.rawValue) \(f.code.id)\(f.inode.map { " inode \($0)" } ?? ""): \(f.message)\n"
                }
                if list.count > perCodeShown { out += "  … and \(list.count - perCodeShown) more \(code.id) (see --json)\n" }
            }
        }
        out += "\nTimings: " + report.timings.map { "\($0.name) \(cFormat("%.3f", $0.seconds))s" }.joined(separator: ", ") + "\n"
        return out
    }

    private static func nameHint(_ evidence: [NameEvidence]) -> String {
        guard let e = evidence.first else { return "" }
        if e.source == .dotdot { return "; parent directory \(e.directory)" }
        let name = String(decoding: e.name, as: UTF8.self)
        return "; was '\(name)' in directory \(e.directory) (\(e.source.rawValue))"
    }
}
