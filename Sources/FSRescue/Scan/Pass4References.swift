// Pass 4: link counts against the entries found, and the orphans, told apart by kind.

/// Pass 4 as a value: link counts, and the orphans with their names. Its inputs are explicit (what
/// passes 1–3 found, and the name evidence of every source); it holds the inode table for its run,
/// marking the inodes whose link count is wrong, and its outputs are ``findings``, ``orphans``,
/// ``deleted`` and ``lostDirectories`` with their evidence ranked.
struct ReferencesPass {
    static let linkMax: UInt16 = 65000
    static let evidencePerInode = 16
    private static let rootInode = ScanRun.rootInode

    /// The inodes pass 1 found in use, with the entries pass 2 counted; wrong link counts are marked.
    var table: InodeTable
    /// Inodes on the orphan list or in the orphan file.
    let orphanMembers: [UInt32: OrphanKind]
    /// Disconnected directory tops (table positions) and the inodes under each (pass 3).
    let disconnectedTops: [Int: Int]
    /// Name evidence from every source (``NameEvidenceLog``), consumed by the pass.
    let evidence: [NameEvidence]
    /// Lost directories pass 2B rebuilt, without their names yet.
    let lostDrafts: [LostDirectoryDraft]
    let settings: ScanSettings

    var findings: [Finding] = []
    var orphans: [Orphan] = []
    /// Deleted inodes pass 1 found intact; the pass ranks their name evidence.
    var deleted: [DeletedInode]
    var lostDirectories: [LostDirectory] = []

    private mutating func add(_ finding: Finding) { findings.append(finding) }

    /// Compares each inode's `i_links_count` with the entries naming it, and lists the orphans:
    /// unattached inodes, disconnected directory tops (from pass 3), orphan-list and orphan-file inodes;
    /// then attaches the name evidence found for each orphan, deleted inode and lost directory.
    /// `shouldStop(inodesDone)` is asked after each inode; returns the inodes done.
    mutating func run(shouldStop: (UInt64) -> Bool) -> UInt64 {
        var done: UInt64 = 0
        var found: [(index: Int, kind: OrphanKind)] = []
        for (i, ino) in table.numbered {
            done += 1
            if shouldStop(done) { return done }
            guard !table.isSystem(at: i) else { continue }
            let isDir = table.isDirectory(at: i)
            let links = table.linksCount(at: i)
            let kind = orphanMembers.isEmpty ? nil : orphanMembers[ino]
            let named = table.parentSlot(at: i) != 0 || ino == Self.rootInode
            if let kind {
                let where_ = kind == .orphanList ? "on the orphan list" : "in the orphan file"
                add(Finding(kind == .orphanList ? .orphanListEntry : .orphanFileEntry,
                            "Inode \(ino) (\(table.type(at: i).rawValue), \(table.size(at: i)) bytes, \(links) links) is \(where_)\(links == 0 ? ": the kernel would delete it at mount" : ": the kernel would truncate it at mount").",
                            inode: ino))
                if links == 0 || !named { found.append((i, kind)) }
                if links == 0 { continue }
            }
            if !named {
                if isDir {
                    if kind == nil && disconnectedTops[i] != nil { found.append((i, .disconnectedDirectory)) }
                } else if kind == nil {
                    let size = table.size(at: i)
                    add(Finding(.inodeUnattached, "Inode \(ino) (\(table.type(at: i).rawValue), \(size) bytes, \(links) links) is in use but no directory entry names it.",
                                severity: size == 0 ? .warning : .error, inode: ino))
                    found.append((i, .unattached))
                }
                continue
            }
            let counted = table.countedLinks(at: i)
            let expected: UInt16 = isDir && counted > Self.linkMax ? 1 : counted
            // dir_nlink: the kernel leaves an indexed directory's count at 1 once it has been (ext4_inc_count),
            // which e2fsck accepts; any other directory with 1 link and subdirectories is wrong.
            let stickyOne = isDir && links == 1 && settings.features.contains(.directoryLinkLimit) && counted >= 2 && table.flags[i] & InodeTable.Flag.indexed != 0
            if links != expected && !stickyOne {
                add(Finding(.inodeLinkCount, "Inode \(ino) has \(links) link\(links == 1 ? "" : "s") recorded but \(expected) entr\(expected == 1 ? "y names" : "ies name") it.", inode: ino))
                table.addDamage(.linkCount, at: i)
            }
        }
        buildOrphans(found)
        return done
    }

    private mutating func buildOrphans(_ found: [(index: Int, kind: OrphanKind)]) {
        var wanted = Set<UInt32>(found.map { table.number(at: $0.index) })
        for d in deleted { wanted.insert(d.inode) }
        for l in lostDrafts { wanted.insert(l.inode) }
        var evidence: [UInt32: [NameEvidence]] = [:]
        for e in self.evidence where wanted.contains(e.inode) && (evidence[e.inode]?.count ?? 0) < Self.evidencePerInode {
            evidence[e.inode, default: []].append(e)
        }
        /// Type agreement and recency (the holding directory's mtime) filled in, then ranked.
        func ranked(_ list: [NameEvidence], type: FileType) -> [NameEvidence] {
            NameEvidence.ranked(list.map { marked($0, type: type) })
        }
        for (i, kind) in found {
            let ino = table.number(at: i)
            let type = table.type(at: i)
            var names = ranked(evidence[ino] ?? [], type: type)
            if type == .directory, let dd = table.dotdot(at: i), dd != 0 {
                names.append(NameEvidence(inode: ino, name: [], fileType: 2, directory: dd, block: 0, offset: 0, source: .dotdot, typeMatches: true))
            }
            let subtree = kind == .disconnectedDirectory ? disconnectedTops[i] : nil
            let size = table.size(at: i)
            let worth = type == .directory ? (subtree ?? 1) > 1 || size > UInt64(settings.blockSize) : size > 0
            orphans.append(Orphan(inode: ino, kind: kind, type: type, size: size, linksCount: table.linksCount(at: i),
                                  subtreeInodes: subtree, nameEvidence: names, worthSalvaging: worth))
        }
        orphans.sort { $0.inode < $1.inode }
        deleted = deleted.map { d in
            DeletedInode(inode: d.inode, type: d.type, size: d.size, dtime: d.dtime, nameEvidence: ranked(evidence[d.inode] ?? [], type: d.type))
        }
        lostDirectories = lostDrafts.map { d in
            var names = ranked(evidence[d.inode] ?? [], type: .directory)
            if let dd = d.dotdot {
                names.append(NameEvidence(inode: d.inode, name: [], fileType: 2, directory: dd, block: d.blocks.first ?? 0, offset: 12,
                                          source: .dotdot, typeMatches: true))
            }
            let children = d.children.map { c in marked(c, type: table.index(of: c.inode).map { table.type(at: $0) } ?? .unknown) }
            return LostDirectory(inode: d.inode, dotdot: d.dotdot, blocks: d.blocks, children: children, nameEvidence: names)
        }
    }

    /// `e` with `typeMatches` against the inode's type and `recency` from its directory's mtime.
    private func marked(_ e: NameEvidence, type: FileType) -> NameEvidence {
        var m = NameEvidence(inode: e.inode, name: e.name, fileType: e.fileType, directory: e.directory, block: e.block, offset: e.offset,
                             source: e.source, typeMatches: !settings.features.contains(.fileType) || e.fileType == type.direntFileType)
        m.inferredDirectory = e.inferredDirectory
        m.recency = table.index(of: e.directory).map { table.mtime(at: $0) } ?? 0
        return m
    }
}

extension ScanRun {
    /// Pass 4 (``ReferencesPass``), handed the name evidence of every source and pass 2B's lost
    /// directories; then the recovered path of each orphan and lost directory (``RecoveredPaths``).
    func passReferences() -> UInt64 {
        var pass = ReferencesPass(table: takeTable(), orphanMembers: orphanMembers, disconnectedTops: connectivity.tops,
                                  evidence: evidence.take(), lostDrafts: lostDrafts, settings: settings, deleted: deleted)
        lostDrafts = []
        let done = pass.run { shouldStop($0) }
        table = pass.table
        findings += pass.findings
        orphans = pass.orphans
        deleted = pass.deleted
        lostDirectories = pass.lostDirectories
        if !cancelled {
            recoveredPaths = RecoveredPaths(orphans: orphans, lostDirectories: lostDirectories, table: table)
        }
        return done
    }
}
