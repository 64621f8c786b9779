// How big an image must be for a planned tree.

/// The image size and inode count a plan needs, with room to spare: data and directory blocks,
/// mapping blocks, inode tables, the journal mke2fs will add, and per-group metadata (bitmaps,
/// backup superblocks and descriptors, reserved GDT blocks).
struct Sizing {
    let imageBytes: UInt64
    let inodes: UInt64

    init(spec: FixtureSpec, plan: TreePlan) {
        let bs = UInt64(spec.blockSize)
        let pointers = bs / 4
        var blocks: UInt64 = 0
        for node in plan.inodes {
            switch node.body {
            case .file(let c):
                let n = ContentGenerator.dataRanges(c, blockSize: bs).reduce(0) { $0 + UInt64($1.count) }
                blocks += n + (n > 12 ? (n - 12) / pointers + 3 : 0)
            case .directory(_, let entries):
                let bytes = entries.reduce(24) { $0 + DirectoryEntryRecord.size(nameLength: $1.name.count) }
                blocks += UInt64(bytes) / (bs - 12) + 2
            case .symlink(let t): blocks += t.count < 60 ? 0 : 1
            default: break
            }
            blocks += node.xattrs.count > 1 ? 1 : 0
        }
        inodes = UInt64(plan.inodes.count) * 11 / 10 + 256
        let inodeTable = inodes * 256 / bs + 1
        var total = blocks + blocks / 16 + inodeTable
        if spec.type != .ext2 { total += Sizing.journalBlocks(for: total * 9 / 8) }
        let groups = total / (8 * bs) + 1
        total += groups * 4 + (pointers + 4) * (6 + 2 * UInt64(groups.bitWidth - groups.leadingZeroBitCount))
        total += (4 << 20) / bs
        let minimum: UInt64 = 8 << 20
        imageBytes = Swift.max(minimum, (total * bs + (1 << 20) - 1) & ~((1 << 20) - 1))
    }

    /// `ext2fs_default_journal_size` of e2fsprogs 1.47, in blocks.
    static func journalBlocks(for blocks: UInt64) -> UInt64 {
        switch blocks {
        case ..<2048: 0
        case ..<32768: 1024
        case ..<(256 * 1024): 4096
        case ..<(512 * 1024): 8192
        case ..<(4096 * 1024): 16384
        case ..<(8192 * 1024): 32768
        case ..<(16384 * 1024): 65536
        case ..<(32768 * 1024): 131072
        default: 262144
        }
    }
}
