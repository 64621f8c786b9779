// Building a salvage plan from a scan: orphans with their best names, findings, shared blocks, the sweep.

extension SalvagePlan {
    /// Evidence below this confidence never names an output file (it stays `#<inode>`).
    public static let minimumNameConfidence = RecoveredPaths.minimumConfidence

    /// The plan for salvaging everything a scan found: the attached tree (listed through `filesystem`),
    /// every orphan under `lost+found/` at the path its evidence supports (``RecoveredPaths``), and a
    /// final sweep of every in-use file, symlink and directory the walk did not reach.
    public init(report: ScanReport, filesystem: Filesystem, orphansOnly: Bool = false) {
        self.init()
        lister = filesystem
        let paths = report.recoveredPaths
        orphans = report.orphans.sorted { $0.inode < $1.inode }.map { orphan in
            guard let path = paths[orphan.inode] else { return Orphan(inode: orphan.inode, kind: orphan.kind.rawValue) }
            return Orphan(inode: orphan.inode, kind: orphan.kind.rawValue, name: path.name, nameSource: path.source,
                          confidence: path.confidence, directories: Array(path.components.dropLast()),
                          originalPlaceKnown: path.anchored && path.fullyNamed, parent: path.parent)
        }
        var byInode: [UInt32: [String]] = [:]
        for finding in report.findings {
            if let n = finding.inode, byInode[n]?.contains(finding.code.id) != true { byInode[n, default: []].append(finding.code.id) }
        }
        findings = byInode
        garbage = Set(report.findings.lazy.filter { $0.code == .inodeChecksum }.compactMap(\.inode)
            .filter { report.inodes.index(of: $0) == nil })
        sharedBlocks = Self.blocksClaimedTwice(report.sharedBlocks.map(\.inode), filesystem: filesystem)
        if !orphansOnly {
            let table = report.inodes
            sweep = table.numbered.compactMap { i, inode in
                let type = table.type(at: i)
                guard !table.isSystem(at: i), inode != Filesystem.rootInode,
                      type == .regular || type == .symlink || type == .directory else { return nil }
                return inode
            }
            sweepName = { number in
                guard let i = table.index(of: number), let name = table.name(at: i), !name.isEmpty else { return nil }
                return (name, .directory, 1)
            }
        }
    }

    /// Blocks mapped by more than one of `inodes` (the few that pass 1B named).
    static func blocksClaimedTwice(_ inodes: [UInt32], filesystem fs: Filesystem) -> Set<UInt64> {
        var seen: Set<UInt64> = [], twice: Set<UInt64> = []
        for n in Set(inodes) {
            guard let inode = try? fs.readInode(n) else { continue }
            for run in fs.dataMap(of: inode).runs where run.length <= 1 << 20 {
                for b in run.physical..<(run.physical + run.length) where !seen.insert(b).inserted { twice.insert(b) }
            }
        }
        return twice
    }
}
