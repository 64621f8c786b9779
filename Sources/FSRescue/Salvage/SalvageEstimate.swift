// What a salvage will write, known before it writes: the progress total and the free-space need.

/// Items and bytes a salvage plan will write, found by walking it as ``SalvageRunner/run()`` will
/// (directory listings and inode reads, no data).
///
/// The copy's cost is its data bytes (read, hashed, written), the holes it hashes as zeros (hashing
/// is most of a sparse file's cost: a file of 64 MiB of data spread over 1 GiB hashes 960 MiB of
/// zeros), and a fixed cost per item. Holes not hashed cost nothing and are not counted; nor do holes
/// take room on the output, so only ``dataBytes`` is checked against its free space.
public struct SalvageEstimate: Sendable, Equatable {
    /// Items (files, folders, links, devices) to write.
    public var items: UInt64 = 0
    /// Bytes of data to read and write: each file's allocated bytes, capped by its size.
    public var dataBytes: UInt64 = 0
    /// Bytes of holes the copy will hash as zeros (see ``HoleHashBudget``).
    public var hashedHoleBytes: UInt64 = 0

    /// An estimate of `items` items, `dataBytes` of data and `hashedHoleBytes` of hashed holes.
    public init(items: UInt64 = 0, dataBytes: UInt64 = 0, hashedHoleBytes: UInt64 = 0) {
        (self.items, self.dataBytes, self.hashedHoleBytes) = (items, dataBytes, hashedHoleBytes)
    }

    /// A first guess before the scan has run, from the superblock's counts: the blocks and inodes in
    /// use. Every count is untrusted: more free than total counts as none in use, and the bytes are
    /// capped at the image's length, the items at the inodes the groups' tables hold.
    public init(guessingFrom info: FilesystemInfo) {
        let usedBlocks = info.blocksCount > info.freeBlocks ? info.blocksCount - info.freeBlocks : 0
        let usedInodes = info.inodesCount > info.freeInodes ? UInt64(info.inodesCount - info.freeInodes) : 0
        let tableInodes = UInt64(info.groupCount).multipliedSaturating(by: UInt64(info.inodesPerGroup))
        self.init(items: min(usedInodes, tableInodes),
                  dataBytes: min(usedBlocks.multipliedSaturating(by: UInt64(info.blockSize)), info.image.sizeBytes))
    }

    /// Bytes the copy goes through, data and hashed holes: what its progress counts besides items.
    public var bytes: UInt64 { dataBytes.addingSaturating(hashedHoleBytes) }

    /// Work units, as ``SalvageRunner/run()`` reports them: bytes plus ``SalvageRunner/unitsPerItem``
    /// per item.
    public var units: UInt64 { bytes.addingSaturating(items.multipliedSaturating(by: SalvageRunner.unitsPerItem)) }
}

/// How many bytes of holes one salvage hashes as zeros: per file at most
/// ``ContentCopier/maxHashedHoleBytes``, per run at most ``ContentCopier/maxHashedHoleBytesPerRun``.
/// The copier and the estimate each keep one, so the estimate counts the holes the copy will hash.
struct HoleHashBudget: Sendable {
    private(set) var used: UInt64 = 0
    let limit: UInt64

    init(limit: UInt64 = ContentCopier.maxHashedHoleBytesPerRun) { self.limit = limit }

    /// Admits a file with `holeBytes` of holes for hashing and returns nil, or returns why its hash
    /// is omitted.
    mutating func admit(_ holeBytes: UInt64) -> String? {
        if holeBytes > ContentCopier.maxHashedHoleBytes {
            return "more than \(ContentCopier.maxHashedHoleBytes >> 30) GiB of holes"
        }
        if used + holeBytes > limit {
            return "this run already hashed \(used) bytes of holes, its budget"
        }
        used += holeBytes
        return nil
    }
}
