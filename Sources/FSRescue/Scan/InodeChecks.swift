// Pass 1 checks of one inode's own fields: symlink targets, must-be-zero fields, in-inode attributes.

/// What parsing the extended attributes stored in an inode's extra space found.
struct InInodeAttributes {
    var valid = true
    var problem = ""
    /// Some attribute value lives in an EA inode (`e_value_inum`), whose blocks the parent's i_blocks counts.
    var referencesEAInode: Bool { !eaValues.isEmpty }
    /// The values stored in EA inodes: the inode holding each and the value's size (`e_value_size`).
    var eaValues: [(inode: UInt32, size: UInt32)] = []
}

/// An attribute of `parent` whose value lives in EA inode `inode`, `size` bytes long.
struct EAValueReference {
    let parent: UInt32
    let inode: UInt32
    let size: UInt32
}

extension InodePass {
    static let inodeBaseSize = 128
    static let xattrEntryHeader = 16

    /// Checks a symbolic link as e2fsck does: a non-empty target whose length is its size, within the
    /// 60 bytes of `i_block` (fast) or exactly one block at logical 0 (slow). Encrypted targets start
    /// with a 2-byte length. A slow link's block is not read here: it is queued for
    /// ``DirectoryPass/checkSlowSymlinkTargets(shouldStop:)``, which reads all of them in physical order as pass 2 starts.
    mutating func checkSymlink(_ ino: UInt32, _ raw: RawInode, index: Int, fast: Bool, walker: BlockWalker?) -> Bool {
        let size = raw.size
        guard size > 0, raw.sizeHigh == 0 else { return false }
        let encrypted = raw.flags.contains(.encrypted)
        if fast {
            guard !raw.flags.contains(.extents) else { return false }
            let length = raw.withBlockBytes { Self.symlinkTargetLength($0, encrypted: encrypted) }
            return length < 60 && UInt64(length) == size
        }
        guard let walker, walker.problems.isEmpty, walker.runs.count == 1, let run = walker.runs.first,
              run.logical == 0, run.length == 1, size < UInt64(blockSize) else { return false }
        slowSymlinks.append(PendingSymlink(block: run.physical, inode: ino, index: Int32(index), size: UInt16(size), encrypted: encrypted))
        return true
    }

    /// The length of a symlink target stored in `bytes`: up to its first NUL, or its 2-byte length
    /// prefix plus 2 when encrypted.
    static func symlinkTargetLength(_ bytes: UnsafeRawBufferPointer, encrypted: Bool) -> Int {
        if encrypted { return Int(bytes.loadUnaligned(as: UInt16.self)) + 2 }
        return bytes.firstIndex(of: 0) ?? bytes.count
    }

    /// The references pass 1 recorded from in-inode attributes to EA inodes, checked as e2fsck checks
    /// them once every inode is known: the inode holding a value is in use, carries
    /// `EXT4_EA_INODE_FL`, and is as long as the value (PR_1_ATTR_NO_EA_INODE_FL, PR_1_ATTR_VALUE_SIZE),
    /// on a filesystem with the ea_inode feature (PR_1_EA_INODE_FEATURE).
    mutating func checkEAValueReferences() {
        var reported = 0
        for ref in eaValueReferences where reported < 1000 {
            let problem: String
            if !hasEAInode {
                // e2fsck -n leaves this as it is (exit 0), and its -y run sets the feature.
                reported += 1
                add(Finding(.xattrEAInodeFeature, "An extended attribute of inode \(ref.parent) keeps its value in inode \(ref.inode), but the filesystem lacks the ea_inode feature.", inode: ref.parent))
                continue
            } else if ref.inode > inodesCount || table.index(of: ref.inode) == nil {
                problem = "inode \(ref.inode), which is not in use"
            } else if !eaInodes.contains(ref.inode) {
                problem = "inode \(ref.inode), which lacks the EA_INODE flag"
            } else if let i = table.index(of: ref.inode), table.size(at: i) != UInt64(ref.size) {
                problem = "inode \(ref.inode), whose size \(table.size(at: i)) is not the value's \(ref.size) bytes"
            } else {
                continue
            }
            reported += 1
            add(Finding(.xattrInInodeBad, "An extended attribute of inode \(ref.parent) keeps its value in \(problem).", inode: ref.parent))
            if let p = table.index(of: ref.parent) { table.addDamage(.badInlineOrXattr, at: p) }
        }
    }

    /// `i_file_acl_high` must be zero without the 64bit feature.
    mutating func checkZeroFields(_ ino: UInt32, _ raw: RawInode, index: Int) {
        if !settings.features.contains(.sixtyFourBit) && raw.xattrBlockHigh != 0 {
            add(Finding(.inodeBadField, "Inode \(ino) has i_file_acl_high \(raw.xattrBlockHigh) on a filesystem without 64bit; it must be zero.", inode: ino))
            table.addDamage(.badInlineOrXattr, at: index)
        }
    }

    /// Parses the attributes after `i_extra_isize` (magic, 16-byte entries ending in a zero word, values
    /// addressed from the first entry): `i_extra_isize` in range, every entry and value inside the inode,
    /// no two overlapping.
    func checkInInodeAttributes(_ ino: UInt32, _ buffer: InodeBuffer) -> InInodeAttributes {
        var result = InInodeAttributes()
        let inodeSize = self.inodeSize
        guard inodeSize > Self.inodeBaseSize else { return result }
        let bytes = UnsafeRawBufferPointer(start: buffer.raw, count: inodeSize)
        let extra = Int(bytes.loadUnaligned(fromByteOffset: Self.inodeBaseSize, as: UInt16.self))
        guard extra != 0 else { return result }
        guard extra >= 4, extra <= inodeSize - Self.inodeBaseSize, extra % 4 == 0 else {
            return InInodeAttributes(valid: false, problem: "i_extra_isize \(extra) is invalid (4…\(inodeSize - Self.inodeBaseSize), a multiple of 4)")
        }
        let magicAt = Self.inodeBaseSize + extra
        guard magicAt + 4 <= inodeSize, bytes.loadUnaligned(fromByteOffset: magicAt, as: UInt32.self) == Self.xattrMagic else { return result }
        let start = magicAt + 4
        var regions: [(Int, Int)] = []
        var valueProblem: String?
        let end = Self.forEachAttributeEntry(bytes, from: start) { e in
            if e.valueInode != 0 {
                result.eaValues.append((e.valueInode, UInt32(truncatingIfNeeded: e.valueSize)))
            } else if e.valueSize > 0 {
                let valueStart = start + e.valueOffset
                guard valueStart + e.valueSize <= inodeSize else {
                    valueProblem = "an attribute value (\(e.valueSize) bytes at offset \(valueStart)) runs past the inode"
                    return false
                }
                regions.append((valueStart, valueStart + e.valueSize))
            }
            return true
        }
        let offset: Int
        switch end {
        case .end(let at): offset = at
        case .headerPast(let at): return InInodeAttributes(valid: false, problem: "an attribute entry at offset \(at) runs past the inode")
        case .entryPast(let at): return InInodeAttributes(valid: false, problem: "the attribute entry at offset \(at) runs past the inode")
        case .stopped: return InInodeAttributes(valid: false, problem: valueProblem ?? "")
        }
        regions.append((start, min(offset + 4, inodeSize)))
        regions.sort { $0.0 < $1.0 }
        for i in 1..<regions.count where regions[i].0 < regions[i - 1].1 {
            return InInodeAttributes(valid: false, problem: "attribute entries and values overlap (allocation collision at offset \(regions[i].0))")
        }
        return result
    }

    /// One extended attribute entry (`ext2_ext_attr_entry`): where it is and what it says.
    struct AttributeEntry {
        let offset: Int
        let nameLength: Int
        /// `e_value_offs`: from the first entry (in the inode) or the block's start.
        let valueOffset: Int
        /// `e_value_inum`: the EA inode holding the value, 0 when the value is stored here.
        let valueInode: UInt32
        let valueSize: Int
    }

    /// Where a walk of attribute entries ended: at the zero word (or the end of the bytes) at an
    /// offset, at an entry whose header or name runs past the bytes, or where the body said stop.
    enum AttributeWalkEnd {
        case end(Int), headerPast(Int), entryPast(Int), stopped
    }

    /// The one walk of attribute entries, in an inode's extra space or an attribute block: from
    /// `start`, entry after entry (16 bytes and the name, rounded to 4) to a zero word.
    static func forEachAttributeEntry(_ bytes: UnsafeRawBufferPointer, from start: Int,
                                      _ body: (AttributeEntry) -> Bool) -> AttributeWalkEnd {
        var offset = start
        while offset + 4 <= bytes.count, bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self) != 0 {
            guard offset + xattrEntryHeader <= bytes.count else { return .headerPast(offset) }
            let entry = AttributeEntry(offset: offset, nameLength: Int(bytes[offset]),
                                       valueOffset: Int(bytes.loadUnaligned(fromByteOffset: offset + 2, as: UInt16.self)),
                                       valueInode: bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self),
                                       valueSize: Int(bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self)))
            let length = (entry.nameLength + xattrEntryHeader + 3) & ~3
            guard offset + length <= bytes.count else { return .entryPast(offset) }
            guard body(entry) else { return .stopped }
            offset += length
        }
        return .end(offset)
    }
}
