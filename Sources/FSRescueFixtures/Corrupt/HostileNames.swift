// hostile-names: a directory of entries that an extractor must survive.
internal import CFSRescueExt2fs
import FSRescue

extension CorruptionContext {
    /// Adds `/hostile` (or `/hostile-N` if taken): entries named `.` and `..` that are files,
    /// names with `/` (`../../escape`), control bytes and invalid UTF-8, a 255-byte name, a
    /// symlink `shadow` to an absolute path placed before a directory also named `shadow`, an
    /// absolute and a self-referencing symlink, character and block devices, a FIFO, a socket,
    /// a setuid root script, a directory with mode 000, and a 1 TiB sparse file (less where the
    /// block map cannot address it). Inodes come from `ext2fs_new_inode`, the tree is written
    /// by ``TreeWriter``, and the new directory is linked into the root block with room.
    mutating func hostileNames(_ wfs: WritableFilesystem, _ rng: inout SeededRandom) throws(FSRescueError) {
        let bs = UInt64(wfs.blockSize)
        let time = truth.filesystem.createdAt
        var numbers: [UInt32] = []
        func newInode(_ dir: Bool) throws(FSRescueError) -> UInt32 {
            var ino: ext2_ino_t = 0
            try ext2Call(ext2fs_new_inode(wfs.fs, TreePlanner.rootInode, dir ? 0o40755 : 0o100644, nil, &ino), "allocating an inode")
            ext2fs_inode_alloc_stats2(wfs.fs, ino, 1, dir ? 1 : 0)
            numbers.append(ino)
            return ino
        }
        func file(_ text: String, perms: UInt16 = 0o644) throws(FSRescueError) -> PlannedInode {
            let bytes = Array(text.utf8)
            return PlannedInode(number: try newInode(false), permissions: perms, time: time,
                                body: .file(FileContent(size: UInt64(bytes.count), style: .text, seed: 0, literal: bytes)), links: 1)
        }
        let rootNames = Set((index.children[TreePlanner.rootInode] ?? []).map(\.name))
        var dirName = "hostile"
        var n = 2
        while rootNames.contains(dirName) { dirName = "hostile-\(n)"; n += 1 }

        let hostile = try newInode(true)
        let shadowDir = try newInode(true)
        let noPerms = try newInode(true)
        var nodes: [PlannedInode] = []
        var entries: [PlannedEntry] = []
        func add(_ name: [UInt8], _ node: PlannedInode) { nodes.append(node); entries.append(PlannedEntry(name: name, inode: node.number)) }
        add(Array(".".utf8), try file("a file named '.'\n"))
        add(Array("..".utf8), try file("a file named '..'\n"))
        add(Array("../../escape".utf8), try file("a name holding slashes\n"))
        add(Array("sub/dir/file".utf8), try file("another name holding slashes\n"))
        add(Array("ctl-\u{01}\u{1b}[31mred\u{1b}[0m\n\ttab".utf8), try file("a name with control bytes\n"))
        add([0xFF, 0xFE, 0x80, 0x41, 0xC3], try file("a name that is not UTF-8\n"))
        add(Array(String(repeating: "L", count: 255).utf8), try file("a 255-byte name\n"))
        let shadowLink = PlannedInode(number: try newInode(false), permissions: 0o777, time: time, body: .symlink(target: Array("/tmp".utf8)), links: 1)
        add(Array("shadow".utf8), shadowLink)
        let inside = try file("inside the real directory named shadow\n")
        nodes.append(PlannedInode(number: shadowDir, permissions: 0o755, time: time,
                                  body: .directory(parent: hostile, entries: [PlannedEntry(name: Array("inside.txt".utf8), inode: inside.number)]), links: 2))
        nodes.append(inside)
        entries.append(PlannedEntry(name: Array("shadow".utf8), inode: shadowDir))
        add(Array("etc-passwd".utf8), PlannedInode(number: try newInode(false), permissions: 0o777, time: time, body: .symlink(target: Array("/etc/passwd".utf8)), links: 1))
        add(Array("self-loop".utf8), PlannedInode(number: try newInode(false), permissions: 0o777, time: time, body: .symlink(target: Array("self-loop".utf8)), links: 1))
        add(Array("null-device".utf8), PlannedInode(number: try newInode(false), permissions: 0o666, time: time, body: .characterDevice(major: 1, minor: 3), links: 1))
        add(Array("disk-device".utf8), PlannedInode(number: try newInode(false), permissions: 0o660, time: time, body: .blockDevice(major: 8, minor: 0), links: 1))
        add(Array("fifo".utf8), PlannedInode(number: try newInode(false), permissions: 0o644, time: time, body: .fifo, links: 1))
        add(Array("socket".utf8), PlannedInode(number: try newInode(false), permissions: 0o755, time: time, body: .socket, links: 1))
        add(Array("setuid-root".utf8), try file("#!/bin/sh\necho 'a setuid root script'\n", perms: 0o4755))
        let secret = try file("inside a directory with mode 000\n")
        nodes.append(PlannedInode(number: noPerms, permissions: 0, time: time,
                                  body: .directory(parent: hostile, entries: [PlannedEntry(name: Array("secret.txt".utf8), inode: secret.number)]), links: 2))
        nodes.append(secret)
        entries.append(PlannedEntry(name: Array("no-permissions".utf8), inode: noPerms))
        let p = bs / 4
        let addressable = wfs.usesExtents ? (UInt64(1) << 32) : 12 + p + p * p + p * p * p
        let hugeBlocks = Swift.min(UInt64(1) << 40 / bs, addressable - 1)
        let huge = FileContent(size: hugeBlocks * bs, style: .binary, seed: rng.next(), dataRanges: [0..<1, (hugeBlocks - 1)..<hugeBlocks])
        add(Array("huge-sparse.img".utf8), PlannedInode(number: try newInode(false), permissions: 0o644, time: time, body: .file(huge), links: 1))
        nodes.append(PlannedInode(number: hostile, permissions: 0o755, time: time, body: .directory(parent: TreePlanner.rootInode, entries: entries), links: 4))

        nodes.sort { $0.number < $1.number }
        let plan = TreePlan(inodes: nodes)
        var writer = TreeWriter(wfs)
        let written = try writer.write(nodes) { plan[$0]?.fileType ?? 2 }

        // Link the directory into the root and count its '..'.
        let name = Array(dirName.utf8)
        var linked: NameLocation?
        for block in try insertionBlocks(for: name, in: TreePlanner.rootInode, wfs: wfs) {
            var db = DirectoryBlock(bytes: try wfs.readDirectoryBlock(block, dir: TreePlanner.rootInode), hasTail: wfs.hasMetadataChecksums)
            if let offset = db.insert(name: name, inode: hostile, type: 2) {
                try wfs.writeDirectoryBlock(block, dir: TreePlanner.rootInode, db.bytes)
                linked = index.location(name: name, inode: hostile, dir: TreePlanner.rootInode, block: block, offset: offset, state: "live")
                break
            }
        }
        guard let linked else { throw noTarget(.hostileNames, "room in the root directory's blocks") }
        try adjustLinks(wfs, TreePlanner.rootInode, by: 1)

        let builder = TruthBuilder(plan: plan, written: written, blockSize: bs, external: [:])
        var added = builder.entries(rootPath: "/" + dirName, root: hostile)
        added[0].name = dirName
        added[0].parentInode = TreePlanner.rootInode
        truth.entries += added
        index = TruthIndex(truth)
        effects.added.append(linked)
        touchedInodes.formUnion(numbers)
        var c = AppliedCorruption(kind: .hostileNames, seed: seed, summary: "")
        c.inodes = numbers.sorted()
        c.names = [linked]
        c.blocks = written.flatMap { w in w.placement.extents.flatMap { e in (0..<e.length).map { e.physical + $0 } } + w.placement.metadataBlocks }
        c.addedEntries = added
        c.details = ["directory": "/" + dirName, "huge_file_bytes": "\(huge.size)"]
        c.summary = "Added /\(dirName) with \(added.count - 1) hostile entries: '.', '..', names with '/', control bytes, invalid UTF-8, 255 bytes, a symlink shadowing a directory, devices, a FIFO, a socket, a setuid file, a mode-000 directory and a \(ByteSize(bytes: huge.size)) sparse file."
        record(c)
    }
}
