// What a perfect recovery could still bring back after the corruptions, inode by inode.

/// Derives ``Recoverable`` from the truth and the recorded effects: which contents are still
/// byte-exact, which names still exist on disk (live, in slack, in a block nothing maps), and
/// what is still reachable from the root.
struct FateAnalysis {
    let context: CorruptionContext

    private var effects: CorruptionContext.Effects { context.effects }
    private var index: TruthIndex { context.index }

    func recoverable() -> Recoverable {
        let opens = !effects.superblockZeroed || !context.truth.filesystem.backupSuperblocks.isEmpty
        var notes: [String] = []
        if effects.superblockZeroed {
            notes.append(opens ? "The primary superblock is zeroed; open from a backup superblock (\(context.truth.filesystem.backupSuperblocks.first!))."
                               : "The primary superblock is zeroed and there is no backup: only carving by geometry can recover anything.")
        }
        if let cut = effects.truncatedAtBlock { notes.append("Blocks \(cut) and beyond are missing from the image.") }
        let damaged = damagedDirs()
        let reachable = reachableInodes(damaged)
        let removedInodes = Set(effects.removed.keys.map(\.inode)).union(effects.added.map(\.inode))
        var layouts: [UInt32: [NameLocation]] = [:]
        var fates: [InodeFate] = []
        for ino in index.byInode.keys.sorted() {
            let entries = index.byInode[ino]!
            let content = contentState(ino)
            let isReachable = opens && reachable.contains(ino)
            let quiet = content.label == "intact" && isReachable && effects.reasons[ino] == nil && !removedInodes.contains(ino)
                && !entries.contains { damaged.contains($0.parentInode) }
            if quiet { continue }
            let names = nameLocations(ino, entries, &layouts)
            var reasons = effects.reasons[ino] ?? []
            if let why = effects.destroyedInodes[ino] { reasons.append(why) }
            if let why = effects.reassigned[ino] { reasons.append(why) }
            if case .lost(let why) = content { reasons.append(why) }
            if case .partial(let why) = content { reasons.append(why) }
            if !isReachable && reasons.isEmpty { reasons.append("no longer reachable from the root (an ancestor directory is disconnected or damaged)") }
            let namesOK = names.allSatisfy { $0.state == "live" }
            guard !reasons.isEmpty || !namesOK || !isReachable || content.label != "intact" else { continue }
            if reasons.isEmpty { reasons.append("a name of this inode was damaged") }
            fates.append(InodeFate(inode: ino, paths: entries.map(\.path), type: entries[0].type, content: content.label,
                                   reachable: isReachable, names: names, reasons: reasons))
        }
        return Recoverable(affected: fates, filesystemOpens: opens, notes: notes)
    }

    enum Content {
        case intact, lost(String), partial(String)
        var label: String {
            switch self { case .intact: "intact"; case .lost: "lost"; case .partial: "partial" }
        }
    }

    private func blockGone(_ b: UInt64) -> String? {
        if let why = effects.lostBlocks[b] { return why }
        if let cut = effects.truncatedAtBlock, b >= cut { return "truncate: block \(b) is beyond the end of the image" }
        return nil
    }

    func contentState(_ ino: UInt32) -> Content {
        if let why = effects.destroyedInodes[ino] { return .lost(why) }
        if let cut = effects.truncatedAtBlock, context.inodeTableBlock(ino) >= cut, ino > TreePlanner.lostFoundInode {
            return .lost("truncate: its inode-table block \(context.inodeTableBlock(ino)) is beyond the end of the image")
        }
        if let why = effects.reassigned[ino] { return .lost(why) }
        let e = index.byInode[ino]![0]
        let data = index.blocks(of: ino)
        let mapping = e.mappingBlocks ?? []
        if let why = mapping.lazy.compactMap(blockGone).first { return .lost(why + " (a mapping block)") }
        let gone = data.compactMap(blockGone)
        if gone.isEmpty { return .intact }
        return gone.count == data.count ? .lost(gone[0]) : .partial("\(gone.count) of \(data.count) data blocks missing: \(gone[0])")
    }

    /// Every place a name of `ino` is on disk now.
    func nameLocations(_ ino: UInt32, _ entries: [FixtureTruth.Entry], _ layouts: inout [UInt32: [NameLocation]]) -> [NameLocation] {
        var out: [NameLocation] = []
        for e in entries where e.path != "/" {
            let key = CorruptionContext.NameKey(dir: e.parentInode, inode: ino, name: TruthIndex.nameBytes(e))
            if var removed = effects.removed[key] {
                if removed.state == "slack", let _ = blockGone(removed.block) { removed.state = "lost" }
                out.append(removed)
                continue
            }
            if layouts[e.parentInode] == nil { layouts[e.parentInode] = index.layout(of: e.parentInode) }
            guard var where_ = layouts[e.parentInode]!.first(where: { $0.inode == ino && TruthIndex.nameBytes($0) == key.name }) else { continue }
            if blockGone(where_.block) != nil { where_.state = "lost" }
            else if effects.destroyedInodes[e.parentInode] != nil || contentState(e.parentInode).label == "lost" { where_.state = "orphaned-block" }
            out.append(where_)
        }
        for a in effects.added where a.inode == ino && !out.contains(a) {
            var added = a
            if blockGone(a.block) != nil { added.state = "lost" }
            out.append(added)
        }
        return out
    }

    /// Inodes reachable from the root through entries that still work.
    /// Directories whose inode or some block is gone.
    func damagedDirs() -> Set<UInt32> {
        guard !effects.lostBlocks.isEmpty || effects.truncatedAtBlock != nil || !effects.destroyedInodes.isEmpty else { return [] }
        var out = Set<UInt32>()
        for dir in index.children.keys where contentState(dir).label != "intact" || index.blocks(of: dir).contains(where: { blockGone($0) != nil }) {
            out.insert(dir)
        }
        return out
    }

    func reachableInodes(_ damaged: Set<UInt32>) -> Set<UInt32> {
        let root = TreePlanner.rootInode
        guard contentState(root).label == "intact" else { return [] }
        var edges: [UInt32: [UInt32]] = [:]
        for (dir, kids) in index.children where effects.destroyedInodes[dir] == nil {
            // In a damaged directory only the entries in surviving blocks still lead somewhere.
            let surviving: Set<UInt32>? = damaged.contains(dir)
                ? Set(index.layout(of: dir).filter { blockGone($0.block) == nil }.map(\.inode)) : nil
            if damaged.contains(dir) && contentState(dir).label == "lost" { continue }
            for k in kids {
                let key = CorruptionContext.NameKey(dir: dir, inode: k.inode, name: TruthIndex.nameBytes(k))
                if effects.removed[key] != nil { continue }
                if let surviving, !surviving.contains(k.inode) { continue }
                edges[dir, default: []].append(k.inode)
            }
        }
        for a in effects.added where blockGone(a.block) == nil && effects.destroyedInodes[a.dirInode] == nil {
            edges[a.dirInode, default: []].append(a.inode)
        }
        var seen: Set<UInt32> = [root]
        var stack = [root]
        while let dir = stack.popLast() {
            for child in edges[dir] ?? [] where !seen.contains(child) {
                seen.insert(child)
                if index.byInode[child]?.first?.type == "dir" && effects.destroyedInodes[child] == nil { stack.append(child) }
            }
        }
        return seen
    }
}
