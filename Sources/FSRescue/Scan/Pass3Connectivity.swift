// Pass 3: what the root reaches; disconnected directories and loops; '..' against the real parent.

/// Where pass 3 left each directory, and the top of the disconnected subtree each orphaned inode is in.
struct Connectivity {
    /// Per directory ordinal: 0 unknown, 1 on the current path, 2 reachable, 3 disconnected.
    var state: [UInt8]
    /// Table index of the disconnected top for each inode (by table index) in a disconnected subtree.
    var top: [Int: Int] = [:]
    /// Disconnected tops (by table index), with the number of inodes under each (itself included).
    var tops: [Int: Int] = [:]

    static let unknown: UInt8 = 0, onPath: UInt8 = 1, reachable: UInt8 = 2, disconnected: UInt8 = 3
}

/// Pass 3 as a value: what the root reaches, through the parents pass 2 recorded. Its inputs are
/// explicit; it holds the inode table for its run, marking what the root reaches and the
/// directories whose `..` disagrees with their parent, and hands it back with ``findings`` and
/// ``connectivity`` (for pass 4's disconnected tops).
struct ConnectivityPass {
    /// The inodes pass 1 found in use, with the parents and `..` pass 2 found.
    var table: InodeTable
    /// Inodes on the orphan list or in the orphan file: the kernel deletes or truncates them at mount,
    /// so a disconnected one is reported by pass 4 as an orphan, not here.
    let orphanMembers: [UInt32: OrphanKind]

    var findings: [Finding] = []
    var connectivity = Connectivity(state: [])

    private static let rootInode = ScanRun.rootInode
    private mutating func add(_ finding: Finding) { findings.append(finding) }

    /// Resolves each directory's chain of parents (the directory holding its first entry) iteratively,
    /// with memoization and an on-path mark, so every chain ends at the root, at a directory no entry
    /// names (a disconnected top) or at a loop — in time linear in the number of directories.
    /// Directories are walked by ordinal (their order in the table), which is how parents are kept.
    /// `shouldStop(directoriesDone)` is asked after each directory; returns the directories done.
    mutating func run(shouldStop: (UInt64) -> Bool) -> UInt64 {
        var c = Connectivity(state: [UInt8](repeating: Connectivity.unknown, count: table.directoryCount))
        let root = table.index(of: Self.rootInode)
        if let root, table.isDirectory(at: root), let r = table.directoryOrdinal(ofIndex: root) {
            c.state[r] = Connectivity.reachable
            if let dd = table.dotdot(ofDirectory: r), dd != Self.rootInode {
                add(Finding(.dirBadDotDot, "The root directory's '..' names inode \(dd), not itself.", inode: Self.rootInode))
            }
        } else {
            add(Finding(.rootMissing, root == nil ? "The root directory (inode 2) is not in use." : "The root inode (2) is not a directory.", inode: Self.rootInode))
        }
        var done: UInt64 = 0
        var path: [Int] = []
        func index(_ ordinal: Int) -> Int { Int(table.directoryIndices[ordinal]) }
        for d in 0..<table.directoryCount where c.state[d] == Connectivity.unknown {
            done += 1
            if shouldStop(done) { return done }
            path.removeAll(keepingCapacity: true)
            var current = d
            var resolved = Connectivity.reachable
            var resolvedTop = -1
            while true {
                let s = c.state[current]
                if s == Connectivity.reachable { break }
                if s == Connectivity.disconnected { resolved = s; resolvedTop = c.top[index(current)] ?? index(current); break }
                if s == Connectivity.onPath {
                    let loop = path.drop { $0 != current }.map(index)
                    let lowest = loop.min { table.number(at: $0) < table.number(at: $1) } ?? index(current)
                    let members = loop.map { String(table.number(at: $0)) }.joined(separator: " → ")
                    add(Finding(.dirLoop, "Directories \(members) form a loop that does not reach the root.", inode: table.number(at: lowest)))
                    reportDisconnected(lowest, because: "it is part of a directory loop")
                    resolved = Connectivity.disconnected
                    resolvedTop = lowest
                    break
                }
                c.state[current] = Connectivity.onPath
                path.append(current)
                let parent = table.parentSlot(at: index(current))
                guard parent != 0 else {
                    reportDisconnected(index(current), because: "no directory entry names it")
                    resolved = Connectivity.disconnected
                    resolvedTop = index(current)
                    break
                }
                current = parent - 1
            }
            for x in path {
                c.state[x] = resolved
                if resolved == Connectivity.disconnected { c.top[index(x)] = resolvedTop }
            }
        }
        var ordinal = 0
        for i in table.indices {
            if table.isDirectory(at: i) {
                defer { ordinal += 1 }
                if c.state[ordinal] == Connectivity.reachable {
                    table.markReachable(at: i)
                    checkDotDot(i)
                } else if let t = c.top[i] {
                    c.tops[t, default: 0] += 1
                    if t != i { checkDotDot(i) }
                }
            } else {
                let parent = table.parentSlot(at: i)
                guard parent != 0 else { continue }
                if c.state[parent - 1] == Connectivity.reachable {
                    table.markReachable(at: i)
                } else if let t = c.top[index(parent - 1)] {
                    c.top[i] = t
                    c.tops[t, default: 0] += 1
                }
            }
        }
        connectivity = c
        return done
    }

    private mutating func reportDisconnected(_ index: Int, because reason: String) {
        let ino = table.number(at: index)
        guard orphanMembers[ino] == nil, ino != Self.rootInode else { return }
        let dd = table.dotdot(at: index).map { "; its '..' names inode \($0)" } ?? ""
        add(Finding(.dirDisconnected, "Directory inode \(ino) is not reachable from the root: \(reason)\(dd).", inode: ino))
    }

    private mutating func checkDotDot(_ index: Int) {
        guard let dd = table.dotdot(at: index) else { return }
        let ino = table.number(at: index)
        guard ino != Self.rootInode else { return }
        let parent = table.parent(at: index)
        if parent != 0 && dd != parent {
            add(Finding(.dirBadDotDot, "Directory inode \(ino)'s '..' names inode \(dd), but it is held by directory \(parent).", inode: ino))
            table.addDamage(.badEntries, at: index)
        }
    }
}

extension ScanRun {
    /// Pass 3 (``ConnectivityPass``), the table moved into the pass for its run (no copy) and back.
    func passConnectivity() -> UInt64 {
        var pass = ConnectivityPass(table: takeTable(), orphanMembers: orphanMembers)
        let done = pass.run { shouldStop($0) }
        (table, connectivity) = (pass.table, pass.connectivity)
        findings += pass.findings
        return done
    }
}
