// The facts the scan keeps about every live inode, stored column by column to stay compact at millions of inodes.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What the scan learned about one live inode (in use, reserved with a mode, or on an orphan list).
///
/// Block runs are not kept: ask ``Filesystem/blockMap(of:)`` for them when needed.
public struct InodeFacts: Sendable, Equatable {
    /// The inode number.
    public let inode: UInt32
    /// Its type, from `i_mode`.
    public let type: FileType
    /// `i_mode`, type bits included.
    public let mode: UInt16
    /// `i_size` (with `i_size_high`).
    public let size: UInt64
    /// `i_links_count` as on disk.
    public let linksCount: UInt16
    /// Directory entries found naming this inode (`.` and `..` included for directories), saturating at 65535.
    public let countedLinks: UInt16
    /// `i_mtime` in seconds since 1970.
    public let mtime: UInt32
    /// The directory holding the first entry found naming this inode (nil when none does).
    public let parent: UInt32?
    /// For a directory: the inode its `..` entry names (nil when missing).
    public let dotdot: UInt32?
    /// The name bytes of the first entry found naming it (nil when none does), exactly as on disk.
    public let name: [UInt8]?
    /// Reachable from the root by directory entries.
    public let reachable: Bool
    /// A reserved (below `s_first_ino`) or hidden inode (journal, quota, orphan file, EA inode): not a user file.
    public let isSystem: Bool
    /// Mapped by an extent tree (`EXT4_EXTENTS_FL`).
    public let usesExtents: Bool
    /// Data stored inside the inode (`EXT4_INLINE_DATA_FL`).
    public let hasInlineData: Bool
    /// What the scan found wrong with it (empty when nothing).
    public let damage: InodeDamage
}

/// Every live inode the scan met, sorted by inode number, as a random-access collection of ``InodeFacts``.
///
/// Stored as parallel arrays (about 36 bytes per inode plus the first name of each) so a
/// filesystem with millions of files fits in memory; lookups by inode number are binary searches.
public struct InodeTable: Sendable, RandomAccessCollection {
    static let noName = UInt32.max

    var numbers: [UInt32] = []
    var modes: [UInt16] = []
    var sizes: [UInt64] = []
    var links: [UInt16] = []
    var counted: [UInt16] = []
    var mtimes: [UInt32] = []
    var parents: [UInt32] = []
    var flags: [UInt8] = []
    var damages: [UInt16] = []
    var nameOffsets: [UInt32] = []
    var nameLengths: [UInt8] = []
    /// The name bytes, in chunks of ``nameChunkSize`` filled to the brim and never regrown: a single
    /// array grew by doubling and was compacted by a copy, so the names cost up to three times their
    /// size at the peak. A name never straddles two chunks; an offset is chunk × size + position.
    var nameChunks: [[UInt8]] = []
    static let nameChunkBits = 20
    static let nameChunkSize = 1 << nameChunkBits
    /// `..` of each directory, keyed by table index.
    var dotdots: [Int32: UInt32] = [:]
    /// The table position of the first inode of each block group (and the end), so a lookup searches
    /// one group's inodes instead of the whole table; empty until ``indexGroups(inodesPerGroup:groups:)``.
    var groupStarts: [Int32] = []
    var inodesPerGroup: UInt32 = 0

    enum Flag {
        static let reachable: UInt8 = 1 << 0
        static let system: UInt8 = 1 << 1
        static let extents: UInt8 = 1 << 2
        static let inline: UInt8 = 1 << 3
        static let indexed: UInt8 = 1 << 4
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { numbers.count }

    public subscript(position: Int) -> InodeFacts {
        let dd = dotdots[Int32(position)]
        return InodeFacts(
            inode: numbers[position], type: FileType(mode: modes[position]), mode: modes[position],
            size: sizes[position], linksCount: links[position], countedLinks: counted[position],
            mtime: mtimes[position], parent: parents[position] == 0 ? nil : parents[position],
            dotdot: dd, name: name(at: position),
            reachable: flags[position] & Flag.reachable != 0, isSystem: flags[position] & Flag.system != 0,
            usesExtents: flags[position] & Flag.extents != 0, hasInlineData: flags[position] & Flag.inline != 0,
            damage: InodeDamage(rawValue: damages[position]))
    }

    /// The facts of `inode`, or nil when the scan found it not in use.
    public subscript(inode inode: UInt32) -> InodeFacts? {
        index(of: inode).map { self[$0] }
    }

    /// The table position of `inode` (binary search), or nil when it is not live.
    public func index(of inode: UInt32) -> Int? {
        var low = 0, high = numbers.count
        if inodesPerGroup > 0, inode > 0 {
            let g = Int((inode - 1) / inodesPerGroup)
            guard g + 1 < groupStarts.count else { return nil }
            (low, high) = (Int(groupStarts[g]), Int(groupStarts[g + 1]))
        }
        while low < high {
            let mid = (low + high) >> 1
            let value = numbers[mid]
            if value == inode { return mid }
            if value < inode { low = mid + 1 } else { high = mid }
        }
        return nil
    }

    func name(at i: Int) -> [UInt8]? {
        let offset = nameOffsets[i]
        guard offset != Self.noName else { return nil }
        let chunk = Int(offset) >> Self.nameChunkBits, start = Int(offset) & (Self.nameChunkSize - 1)
        return Array(nameChunks[chunk][start..<start + Int(nameLengths[i])])
    }

    // MARK: Building (passes 1–4)

    mutating func append(inode: UInt32, mode: UInt16, size: UInt64, links: UInt16, mtime: UInt32, flags: UInt8) {
        if inodesPerGroup != 0 { (groupStarts, inodesPerGroup) = ([], 0) }
        numbers.append(inode)
        modes.append(mode)
        sizes.append(size)
        self.links.append(links)
        counted.append(0)
        mtimes.append(mtime)
        parents.append(0)
        self.flags.append(flags)
        damages.append(0)
        nameOffsets.append(Self.noName)
        nameLengths.append(0)
    }

    /// Builds ``groupStarts`` once the table is complete (after pass 1); appends clear it.
    mutating func indexGroups(inodesPerGroup ipg: UInt32, groups: UInt32) {
        guard ipg > 0 else { return }
        var starts = [Int32](repeating: 0, count: Int(groups) + 1)
        var i = 0
        for g in 0...Int(groups) {
            let first = UInt64(g) * UInt64(ipg) + 1
            while i < numbers.count && UInt64(numbers[i]) < first { i += 1 }
            starts[g] = Int32(i)
        }
        starts[Int(groups)] = Int32(numbers.count)
        groupStarts = starts
        inodesPerGroup = ipg
    }

    mutating func addDamage(_ damage: InodeDamage, at i: Int) { damages[i] |= damage.rawValue }

    mutating func countLink(at i: Int) {
        if counted[i] < UInt16.max { counted[i] += 1 }
    }

    /// Records the first entry naming the inode at `i`; later ones are only counted.
    mutating func setParentIfFirst(_ parent: UInt32, name: UnsafeRawBufferPointer, at i: Int) -> Bool {
        guard parents[i] == 0 else { return false }
        parents[i] = parent
        guard name.count <= 255 else { return true }
        if nameChunks.isEmpty || nameChunks[nameChunks.count - 1].count + name.count > Self.nameChunkSize {
            guard nameChunks.count < (1 << (32 - Self.nameChunkBits)) - 1 else { return true }
            nameChunks.append([])
            nameChunks[nameChunks.count - 1].reserveCapacity(Self.nameChunkSize)
        }
        let chunk = nameChunks.count - 1
        nameOffsets[i] = UInt32(chunk << Self.nameChunkBits + nameChunks[chunk].count)
        nameLengths[i] = UInt8(name.count)
        nameChunks[chunk].append(contentsOf: name)
        return true
    }

    func isDirectory(at i: Int) -> Bool { modes[i] & 0o170000 == 0o040000 }
    func isSystem(at i: Int) -> Bool { flags[i] & Flag.system != 0 }
    func isReachable(at i: Int) -> Bool { flags[i] & Flag.reachable != 0 }
    mutating func markReachable(at i: Int) { flags[i] |= Flag.reachable }

    /// Reserves room for `count` inodes (from the group descriptors) so the columns do not grow by doubling.
    mutating func reserve(_ count: Int) {
        numbers.reserveCapacity(count); modes.reserveCapacity(count); sizes.reserveCapacity(count)
        links.reserveCapacity(count); counted.reserveCapacity(count); mtimes.reserveCapacity(count)
        parents.reserveCapacity(count); flags.reserveCapacity(count); damages.reserveCapacity(count)
        nameOffsets.reserveCapacity(count); nameLengths.reserveCapacity(count)
    }

    /// Frees spare capacity once the table is complete.
    mutating func shrink() {
        numbers = numbers.compacted(); modes = modes.compacted(); sizes = sizes.compacted()
        links = links.compacted(); counted = counted.compacted(); mtimes = mtimes.compacted()
        parents = parents.compacted(); flags = flags.compacted(); damages = damages.compacted()
        nameOffsets = nameOffsets.compacted(); nameLengths = nameLengths.compacted()
        if let last = nameChunks.indices.last { nameChunks[last] = nameChunks[last].compacted() }
    }
}

extension Array {
    /// A copy whose capacity is exactly its count.
    func compacted() -> [Element] {
        guard capacity > count + count / 16 else { return self }
        return [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            _ = buffer.initialize(from: self)
            initialized = count
        }
    }
}
