// Where an inode's data lives: runs of logical blocks mapped to physical blocks, or inline bytes.

/// A run of a file's logical blocks stored contiguously on disk.
public struct DataRun: Sendable, Equatable {
    /// First logical block of the file the run covers.
    public let logical: UInt64
    /// First physical block.
    public let physical: UInt64
    /// Number of blocks.
    public let length: UInt64
    /// Preallocated but never written (`EXT2_EXTENT_FLAGS_UNINIT`): reads as zeros.
    public let unwritten: Bool

    /// A run of `length` blocks from logical block `logical` at physical block `physical`.
    public init(logical: UInt64, physical: UInt64, length: UInt64, unwritten: Bool = false) {
        self.logical = logical
        self.physical = physical
        self.length = length
        self.unwritten = unwritten
    }
}

/// A range of a file's logical blocks whose data cannot be located (the pointer or the map is damaged).
public struct LostRange: Sendable, Equatable {
    /// First logical block of the range.
    public let logical: UInt64
    /// Number of blocks.
    public let length: UInt64
    /// Why it cannot be read, in a few words.
    public let reason: String
}

/// The data layout of one inode, as far as its block map, extent tree or inline data can be read.
public struct DataMap: Sendable {
    /// Runs in increasing logical order, not overlapping, every physical block inside the filesystem.
    public internal(set) var runs: [DataRun] = []
    /// The data itself, for inline-data files and fast symlinks.
    public internal(set) var inline: [UInt8]?
    /// Logical ranges known to hold data that cannot be located.
    public internal(set) var lost: [LostRange] = []
    /// Damage met while mapping, in words.
    public internal(set) var problems: [String] = []

    /// Physical blocks mapped (written and unwritten).
    public private(set) var mappedBlocks: UInt64 = 0
    /// At most this many blocks are mapped. A map that names more (a block map whose indirect blocks
    /// point at themselves, extents repeating one range) cannot be a real file: it is cut there, and the
    /// rest is lost, so one crafted inode cannot turn a small image into terabytes of output.
    public internal(set) var blockLimit: UInt64 = .max
    /// The logical block where the map was cut at ``blockLimit``, if it was.
    public private(set) var cutAt: UInt64?

    /// Bytes of the written runs (unwritten extents not counted): what a copy reads rather than zero-fills.
    func writtenBytes(blockSize: UInt64) -> UInt64 {
        runs.reduce(UInt64(0)) { $0 &+ ($1.unwritten ? 0 : $1.length &* blockSize) }
    }

    /// Whether the map was cut at ``blockLimit``; walkers stop when it is.
    var isFull: Bool { cutAt != nil }

    /// Appends a block, extending the last run when it continues it. Past ``blockLimit`` the map is cut
    /// (see ``cut(at:fileBlocks:)``) and nothing more is appended.
    mutating func append(logical: UInt64, physical: UInt64, length: UInt64 = 1, unwritten: Bool = false, fileBlocks: UInt64) {
        guard cutAt == nil else { return }
        let length = min(length, blockLimit - mappedBlocks)
        if length > 0 { appendRun(logical: logical, physical: physical, length: length, unwritten: unwritten) }
        if mappedBlocks == blockLimit { cut(at: logical + length, fileBlocks: fileBlocks) }
    }

    /// Stops the map at logical block `logical`: `[logical, fileBlocks)` is lost, once.
    mutating func cut(at logical: UInt64, fileBlocks: UInt64) {
        guard cutAt == nil else { return }
        cutAt = logical
        if logical < fileBlocks {
            lose(logical: logical, length: fileBlocks - logical,
                 "the map names more than \(blockLimit) blocks, more than the image holds (a loop or a repeated block)")
        }
    }

    private mutating func appendRun(logical: UInt64, physical: UInt64, length: UInt64, unwritten: Bool) {
        mappedBlocks += length
        if let last = runs.last, last.unwritten == unwritten,
           last.logical + last.length == logical, last.physical + last.length == physical {
            runs[runs.count - 1] = DataRun(logical: last.logical, physical: last.physical,
                                           length: last.length + length, unwritten: unwritten)
        } else {
            runs.append(DataRun(logical: logical, physical: physical, length: length, unwritten: unwritten))
        }
    }

    mutating func lose(logical: UInt64, length: UInt64, _ reason: String) {
        lost.append(LostRange(logical: logical, length: length, reason: reason))
        if problems.count < 16 { problems.append(reason) }
    }
}
