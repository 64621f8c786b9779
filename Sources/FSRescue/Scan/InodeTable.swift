// The facts the scan keeps about every live inode: a few bytes each, the rest re-read on demand.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

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
/// Kept small so a filesystem with millions of files fits in little memory (about 4 bytes per
/// live inode with 16-bit parent numbers, plus 1.5 bits per inode of the groups holding any):
/// which inodes are live is a bitmap in chunks with a rank per 64-bit word (``LiveInodes``), each
/// inode keeps a byte of type and flags, a byte of on-disk and counted links (4 bits each; larger
/// counts in side maps) and the directory holding its first entry as a directory ordinal.
/// Directories also keep their size, mtime and `..`.
///
/// The rest is read again from the filesystem the scan ran on when a fact is asked for: `mode`,
/// and `size` and `mtime` of non-directories, from the inode (``Filesystem/readInode(_:)``); `name` by
/// re-reading the parent directory's blocks as pass 2 did (one directory walk per parent, the
/// last one's names cached). So the table keeps its ``Filesystem`` open, and reading facts follows
/// the same thread rules as the ``Filesystem``; lookups by inode number are O(1).
public struct InodeTable: RandomAccessCollection {
    /// Which inodes are live; an inode's table position is its rank among them.
    var live = LiveInodes(capacity: 0)

    /// Per table index: type code in the top three bits (``typeShift``), ``Flag`` bits below.
    var flags: [UInt8] = []
    /// Per table index: `i_links_count` in the low nibble and the entries counted naming the inode
    /// in the high one, each 0…14, 15 meaning "see ``linkOverflow`` / ``countedOverflow``"
    /// (a file's counts are 1 and 1; a directory's are 2 plus its subdirectories).
    var linkCounts: [UInt8] = []
    var linkOverflow: [Int32: UInt16] = [:]
    var countedOverflow: [Int32: UInt16] = [:]
    /// Per table index: 0, or 1 + the ordinal of the directory holding its first entry; 16 bits wide
    /// while there are fewer than 65535 directories, else 32 (chosen once pass 1 has counted them).
    var narrowParents: [UInt16] = []
    var wideParents: [UInt32] = []
    var parentsWide = false
    var parentsReady = false
    /// Damage, for the few inodes that have any.
    var damages: [Int32: UInt16] = [:]

    /// Per directory ordinal (directories in inode order): its table index, size and mtime.
    var directoryIndices: [Int32] = []
    var directorySizes: [UInt64] = []
    var directoryMtimes: [UInt32] = []
    /// Per directory ordinal: the inode its `..` entry names, ``noDotdot`` when it has none
    /// (a `..` naming that very number, only ever seen on a corrupt entry, is in ``dotdotOverflow``).
    var directoryDotdots: [UInt32] = []
    var dotdotOverflow: [Int32: UInt32] = [:]
    static let noDotdot = UInt32.max

    /// The filesystem the scan read, for the facts re-read on demand.
    var filesystem: Filesystem?
    let nameCache = NameCache()

    static let overflow: UInt8 = 15
    static let typeShift: UInt8 = 5

    enum Flag {
        static let reachable: UInt8 = 1 << 0
        static let system: UInt8 = 1 << 1
        static let extents: UInt8 = 1 << 2
        static let inline: UInt8 = 1 << 3
        static let indexed: UInt8 = 1 << 4
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { live.count }

    public subscript(position: Int) -> InodeFacts {
        let inode = number(at: position)
        let type = type(at: position)
        let isDir = type == .directory
        let ordinal = isDir ? directoryOrdinal(ofIndex: position) : nil
        let onDisk = filesystem.flatMap { try? $0.readInode(inode) }
        let mode = onDisk?.mode ?? type.modeTypeBits
        let size = ordinal.map { directorySizes[$0] } ?? onDisk?.size ?? 0
        let mtime = ordinal.map { directoryMtimes[$0] } ?? onDisk?.storedModificationTime ?? 0
        let parent = parent(at: position)
        let f = flags[position]
        return InodeFacts(
            inode: inode, type: type, mode: mode, size: size, linksCount: linksCount(at: position),
            countedLinks: countedLinks(at: position), mtime: mtime, parent: parent == 0 ? nil : parent,
            dotdot: ordinal.flatMap(dotdot(ofDirectory:)), name: name(at: position),
            reachable: f & Flag.reachable != 0, isSystem: f & Flag.system != 0,
            usesExtents: f & Flag.extents != 0, hasInlineData: f & Flag.inline != 0,
            damage: damage(at: position))
    }

    /// The facts of `inode`, or nil when the scan found it not in use.
    public subscript(inode inode: UInt32) -> InodeFacts? {
        index(of: inode).map { self[$0] }
    }

    /// The table position of `inode` (its rank among live inodes), or nil when it is not live.
    public func index(of inode: UInt32) -> Int? { live.index(of: inode) }

    /// The inode number at table position `i`.
    func number(at i: Int) -> UInt32 { live.inode(at: i) }

    /// Live inodes in table order, with their positions.
    var numbered: LiveInodes.Numbered { live.numbered }

    // MARK: Facts by position

    func type(at i: Int) -> FileType { FileType.fromCode(flags[i] >> Self.typeShift) }
    func isDirectory(at i: Int) -> Bool { flags[i] >> Self.typeShift == 2 }
    func isSystem(at i: Int) -> Bool { flags[i] & Flag.system != 0 }
    func isReachable(at i: Int) -> Bool { flags[i] & Flag.reachable != 0 }
    mutating func markReachable(at i: Int) { flags[i] |= Flag.reachable }

    func linksCount(at i: Int) -> UInt16 {
        let n = linkCounts[i] & 0x0F
        return n == Self.overflow ? linkOverflow[Int32(i)] ?? UInt16(n) : UInt16(n)
    }

    func countedLinks(at i: Int) -> UInt16 {
        let n = linkCounts[i] >> 4
        return n == Self.overflow ? countedOverflow[Int32(i)] ?? UInt16(n) : UInt16(n)
    }

    func damage(at i: Int) -> InodeDamage { InodeDamage(rawValue: damages[Int32(i)] ?? 0) }

    /// 0, or 1 + the ordinal of the directory holding the first entry naming the inode at `i`.
    @inline(__always)
    func parentSlot(at i: Int) -> Int {
        guard parentsReady else { return 0 }
        return parentsWide ? Int(wideParents[i]) : Int(narrowParents[i])
    }

    /// The inode number of the directory holding the first entry naming the inode at `i` (0 when none).
    func parent(at i: Int) -> UInt32 {
        let slot = parentSlot(at: i)
        return slot == 0 ? 0 : number(at: Int(directoryIndices[slot - 1]))
    }

    /// `i_size`: kept for directories, read from the inode for the rest (0 when it cannot be read).
    func size(at i: Int) -> UInt64 {
        if isDirectory(at: i), let d = directoryOrdinal(ofIndex: i) { return directorySizes[d] }
        return (try? filesystem?.readInode(number(at: i)))?.size ?? 0
    }

    /// `i_mtime`: kept for directories, read from the inode for the rest (0 when it cannot be read).
    func mtime(at i: Int) -> UInt32 {
        if isDirectory(at: i), let d = directoryOrdinal(ofIndex: i) { return directoryMtimes[d] }
        return (try? filesystem?.readInode(number(at: i)))?.storedModificationTime ?? 0
    }

    var directoryCount: Int { directoryIndices.count }

    /// The inode the `..` entry of the directory at table position `i` names (nil when it has none, or is no directory).
    func dotdot(at i: Int) -> UInt32? {
        directoryOrdinal(ofIndex: i).flatMap(dotdot(ofDirectory:))
    }

    func dotdot(ofDirectory ordinal: Int) -> UInt32? {
        let value = directoryDotdots[ordinal]
        return value != Self.noDotdot ? value : dotdotOverflow[Int32(ordinal)]
    }

    mutating func setDotdot(_ inode: UInt32, ofDirectory ordinal: Int) {
        directoryDotdots[ordinal] = inode
        if inode == Self.noDotdot { dotdotOverflow[Int32(ordinal)] = inode }
    }

    /// The ordinal of the directory at table position `i` (binary search), or nil when it is not a directory.
    func directoryOrdinal(ofIndex i: Int) -> Int? {
        var low = 0, high = directoryIndices.count
        while low < high {
            let mid = (low + high) >> 1
            let value = Int(directoryIndices[mid])
            if value == i { return mid }
            if value < i { low = mid + 1 } else { high = mid }
        }
        return nil
    }

    // MARK: Building (passes 1–4)

    /// Covers inodes 1…`inodesCount` and remembers where facts are re-read from.
    mutating func prepare(inodesCount: UInt32, filesystem: Filesystem) {
        live = LiveInodes(capacity: inodesCount)
        self.filesystem = filesystem
    }

    /// Adds a live inode; inodes come in increasing order (the inode scan's). False (nothing added)
    /// for an inode out of order or beyond `s_inodes_count`.
    mutating func append(inode: UInt32, mode: UInt16, size: UInt64, links: UInt16, mtime: UInt32, flags: UInt8) -> Bool {
        let position = live.count
        guard live.append(inode) else { return false }
        let type = FileType(mode: mode)
        if type == .directory {
            directoryIndices.append(Int32(position))
            directorySizes.append(size)
            directoryMtimes.append(mtime)
            directoryDotdots.append(Self.noDotdot)
        }
        if links >= UInt16(Self.overflow) { linkOverflow[Int32(position)] = links }
        linkCounts.append(UInt8(Swift.min(links, UInt16(Self.overflow))))
        self.flags.append(flags | type.code << Self.typeShift)
        return true
    }

    /// Allocates the parent column once pass 1 has counted the directories (16 bits per inode while
    /// they are fewer than 65535). Called once, after pass 1; later calls do nothing.
    mutating func finishAppending() {
        guard !parentsReady else { return }
        parentsWide = directoryIndices.count >= Int(UInt16.max)
        if parentsWide { wideParents = [UInt32](repeating: 0, count: live.count) } else { narrowParents = [UInt16](repeating: 0, count: live.count) }
        parentsReady = true
        shrink()
    }

    mutating func addDamage(_ damage: InodeDamage, at i: Int) {
        guard !damage.isEmpty else { return }
        damages[Int32(i), default: 0] |= damage.rawValue
    }

    @inline(__always)
    mutating func countLink(at i: Int) {
        let v = linkCounts[i]
        if v < (Self.overflow - 1) << 4 {
            linkCounts[i] = v &+ 0x10
        } else {
            countLinkSlowly(at: i)
        }
    }

    /// The 15th entry moves the count to ``countedOverflow``, which saturates at 65535.
    private mutating func countLinkSlowly(at i: Int) {
        if linkCounts[i] >> 4 < Self.overflow {
            linkCounts[i] |= Self.overflow << 4
            countedOverflow[Int32(i)] = UInt16(Self.overflow)
        } else if let c = countedOverflow[Int32(i)], c < UInt16.max {
            countedOverflow[Int32(i)] = c + 1
        }
    }

    /// Records directory ordinal `directory` as holding the first entry naming the inode at `i`;
    /// false when an earlier entry already did (later ones are only counted).
    @inline(__always)
    mutating func setParentIfFirst(directory: Int, at i: Int) -> Bool {
        guard parentsReady, parentSlot(at: i) == 0 else { return false }
        if parentsWide { wideParents[i] = UInt32(directory + 1) } else { narrowParents[i] = UInt16(directory + 1) }
        return true
    }

    /// Reserves room for `count` inodes in `chunks` chunks of the live set (both from the group
    /// descriptors) so the columns do not grow by doubling.
    mutating func reserve(_ count: Int, chunks: Int) {
        flags.reserveCapacity(count); linkCounts.reserveCapacity(count)
        live.reserve(chunks: chunks)
    }

    /// Frees spare capacity once the table is complete.
    mutating func shrink() {
        live.shrink()
        flags = flags.compacted(); linkCounts = linkCounts.compacted()
        directoryIndices = directoryIndices.compacted(); directorySizes = directorySizes.compacted()
        directoryMtimes = directoryMtimes.compacted(); directoryDotdots = directoryDotdots.compacted()
    }
}

extension FileType {
    /// The 3-bit code the table keeps (the `EXT2_FT_*` value; 0 for unknown).
    var code: UInt8 { direntFileType }

    static func fromCode(_ code: UInt8) -> FileType {
        switch code {
        case 1: .regular
        case 2: .directory
        case 3: .characterDevice
        case 4: .blockDevice
        case 5: .fifo
        case 6: .socket
        case 7: .symlink
        default: .unknown
        }
    }

    /// The `S_IF*` bits of the type (0 for unknown), for a mode that cannot be read again.
    var modeTypeBits: UInt16 {
        switch self {
        case .regular: 0o100000
        case .directory: 0o040000
        case .symlink: 0o120000
        case .characterDevice: 0o020000
        case .blockDevice: 0o060000
        case .fifo: 0o010000
        case .socket: 0o140000
        case .unknown: 0
        }
    }
}

/// The names of the entries of the last directory read for ``InodeTable/name(at:)``, so walking
/// the table in order reads each parent directory once.
final class NameCache: Sendable {
    private let last = Mutex<(directory: UInt32, names: [UInt32: [UInt8]])?>(nil)

    func names(in directory: UInt32, orRead read: () -> [UInt32: [UInt8]]) -> [UInt32: [UInt8]] {
        if let hit = last.withLock({ $0?.directory == directory ? $0?.names : nil }) { return hit }
        let names = read()
        last.withLock { $0 = (directory, names) }
        return names
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
