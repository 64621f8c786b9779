// Where each orphan came from: its recovered name and the chain of recovered parents up to the root.

/// The recovered location of one inode: its name and its parents' names, from the evidence.
public struct RecoveredPath: Sendable, Equatable {
    /// Names from the top down, the inode's own last; a directory with no usable name is `#<inode>`.
    public let components: [[UInt8]]
    /// The chain reaches the root: `components` is the original path from `/`.
    public let anchored: Bool
    /// Every component is a recovered name (no `#<inode>` in the path).
    public let fullyNamed: Bool
    /// The directory that held the inode (from its name evidence, or from `..`); nil when unknown.
    public let parent: UInt32?
    /// The inode's own recovered name; nil when it stays `#<inode>`.
    public let name: [UInt8]?
    /// Where the inode's own name came from (`none` for `#<inode>`), and how sure it is.
    public let source: NameSource
    public let confidence: Double

    /// `a/b/c` with each component as UTF-8 (invalid bytes replaced), for reports.
    public var text: String { components.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "/") }
}

/// Recovered paths for every orphan and lost directory of a scan.
///
/// An inode's name comes from its ``NameChoice`` (at least ``minimumConfidence``, never from `..`
/// alone); its parent is the directory holding that name, else the directory its `..` names. The
/// parent's own path is resolved the same way, up to a directory attached to the root (whose path
/// is known) or to a directory nothing names (`#<inode>`). A name is never invented: no usable
/// evidence gives `#<inode>`. Chains are cut at loops and at ``maxDepth``.
public struct RecoveredPaths: Sendable {
    /// Evidence below this confidence never names an item.
    public static let minimumConfidence = 0.5
    static let maxDepth = 256

    private var paths: [UInt32: RecoveredPath] = [:]

    /// No paths (a scan cancelled before pass 4).
    init() {}

    /// Resolves the path of every orphan and lost directory, during the scan (pass 4), so that
    /// rendering a report reads nothing: live names come from `table` (``InodeTable/name(at:)``,
    /// which re-reads the parent directory).
    init(orphans: [Orphan], lostDirectories: [LostDirectory], table: InodeTable) {
        var resolver = Resolver(orphans: orphans, lostDirectories: lostDirectories, table: table)
        for o in orphans { paths[o.inode] = resolver.resolve(o.inode, depth: 0) }
        for l in lostDirectories { paths[l.inode] = resolver.resolve(l.inode, depth: 0) }
    }

    /// The recovered path of an orphan or lost directory (nil for other inodes).
    public subscript(inode: UInt32) -> RecoveredPath? { paths[inode] }

    private struct Resolver {
        let table: InodeTable
        let evidence: [UInt32: (list: [NameEvidence], dotdot: UInt32?)]
        var memo: [UInt32: RecoveredPath] = [:]
        var visiting: Set<UInt32> = []

        init(orphans: [Orphan], lostDirectories: [LostDirectory], table: InodeTable) {
            self.table = table
            var e: [UInt32: (list: [NameEvidence], dotdot: UInt32?)] = [:]
            for o in orphans { e[o.inode] = (o.nameEvidence, NameChoice.dotdot(o.nameEvidence)) }
            for l in lostDirectories where e[l.inode] == nil { e[l.inode] = (l.nameEvidence, l.dotdot) }
            evidence = e
        }

        mutating func resolve(_ inode: UInt32, depth: Int) -> RecoveredPath {
            if let known = memo[inode] { return known }
            let unnamed = Array("#\(inode)".utf8)
            guard depth < RecoveredPaths.maxDepth, visiting.insert(inode).inserted else {
                return RecoveredPath(components: [unnamed], anchored: false, fullyNamed: false, parent: nil, name: nil, source: .none, confidence: 0)
            }
            defer { visiting.remove(inode) }
            var parent: UInt32?, name: [UInt8]?, source = NameSource.none, confidence = 0.0
            if inode == Filesystem.rootInode, let i = table.index(of: inode), table.isReachable(at: i) {
                let root = RecoveredPath(components: [], anchored: true, fullyNamed: true, parent: nil, name: [], source: .directory, confidence: 1)
                memo[inode] = root
                return root
            }
            if let i = table.index(of: inode), table.parentSlot(at: i) != 0, let live = table.name(at: i) {
                (parent, name, source, confidence) = (table.parent(at: i), live, .directory, 1)
            } else if let e = evidence[inode] {
                let choice = NameChoice(e.list, parent: e.dotdot)
                if let best = choice.evidence, choice.confidence >= RecoveredPaths.minimumConfidence {
                    (parent, name, source, confidence) = (best.directory, best.name, best.source, choice.confidence)
                } else {
                    parent = e.dotdot
                }
            }
            let own = name ?? unnamed
            let path: RecoveredPath
            if let parent {
                let above = resolve(parent, depth: depth + 1)
                path = RecoveredPath(components: above.components + [own], anchored: above.anchored,
                                     fullyNamed: above.fullyNamed && name != nil, parent: parent, name: name,
                                     source: source, confidence: confidence)
            } else {
                path = RecoveredPath(components: [own], anchored: false, fullyNamed: name != nil, parent: nil, name: name, source: source, confidence: confidence)
            }
            memo[inode] = path
            return path
        }
    }
}
