// The tree a fixture holds, decided in full before a byte is written.
import FSRescue

/// How a regular file's bytes are generated.
enum ContentStyle: String, Sendable, Codable {
    /// Lines of words (what a text extractor or carver sees in logs and sources).
    case text
    /// Uniform pseudo-random bytes (incompressible, like media or archives).
    case binary
}

/// A regular file's content: its size and the generator of each block. Block `n` of the file is a
/// pure function of (`seed`, `n`), so sparse files, hashing and writing never need the whole file.
struct FileContent: Sendable {
    var size: UInt64
    var style: ContentStyle
    var seed: UInt64
    /// Logical block ranges that hold data; `nil` means every block up to `size` (not sparse).
    var dataRanges: [Range<UInt64>]?
    /// Fixed bytes instead of generated ones (hostile files with a message in them).
    var literal: [UInt8]?
    /// Logical blocks allocated but never written (fallocate's unwritten extents, ext4 only): they
    /// read as zeros, while the blocks on disk hold stale bytes a careless reader would copy.
    var unwritten: [Range<UInt64>]?

    /// Whether logical block `block` lies in an unwritten range.
    func isUnwritten(_ block: UInt64) -> Bool {
        guard let unwritten else { return false }
        var lo = 0, hi = unwritten.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if unwritten[mid].upperBound <= block { lo = mid + 1 } else { hi = mid }
        }
        return lo < unwritten.count && unwritten[lo].contains(block)
    }
}

/// One name in a directory, as raw bytes: hostile names need not be UTF-8 and may hold `/`.
struct PlannedEntry: Sendable {
    var name: [UInt8]
    var inode: UInt32
}

/// What an inode is.
enum PlannedBody: Sendable {
    /// A directory: its entries other than the `.` and `..` every directory starts with.
    case directory(parent: UInt32, entries: [PlannedEntry])
    case file(FileContent)
    case symlink(target: [UInt8])
    case characterDevice(major: UInt32, minor: UInt32)
    case blockDevice(major: UInt32, minor: UInt32)
    case fifo
    case socket
}

/// An extended attribute (`user.` namespace).
struct PlannedXattr: Sendable {
    var name: String
    var value: [UInt8]
}

/// One inode to write.
struct PlannedInode: Sendable {
    var number: UInt32
    /// Permission bits, including setuid/setgid/sticky (the type comes from `body`).
    var permissions: UInt16
    var uid: UInt32 = 0
    var gid: UInt32 = 0
    var time: UInt32
    var body: PlannedBody
    var xattrs: [PlannedXattr] = []
    /// Names that point at the inode (hard links make it more than one; directories also count
    /// their `.` and each subdirectory's `..`, as `i_links_count` does).
    var links: UInt16 = 0

    var typeBits: UInt16 {
        switch body {
        case .directory: 0o040000
        case .file: 0o100000
        case .symlink: 0o120000
        case .characterDevice: 0o020000
        case .blockDevice: 0o060000
        case .fifo: 0o010000
        case .socket: 0o140000
        }
    }

    var mode: UInt16 { typeBits | permissions }

    /// The `EXT2_FT_*` code directory entries carry for this inode.
    var fileType: UInt8 { FileType(mode: typeBits).direntFileType }

    var typeName: String {
        switch body {
        case .file: "file"
        case .directory: "dir"
        case .characterDevice: "char-device"
        case .blockDevice: "block-device"
        case .fifo: "fifo"
        case .socket: "socket"
        case .symlink: "symlink"
        }
    }

    var isDirectory: Bool { if case .directory = body { true } else { false } }
}

/// A whole tree: inodes in the order they are written (ascending numbers), the root's entries
/// included (inode 2, whose entries keep mke2fs's lost+found).
struct TreePlan: Sendable {
    var inodes: [PlannedInode]
    /// Position of each inode number in `inodes`.
    var index: [UInt32: Int]

    init(inodes: [PlannedInode]) {
        self.inodes = inodes
        var index = [UInt32: Int](minimumCapacity: inodes.count)
        for (i, node) in inodes.enumerated() { index[node.number] = i }
        self.index = index
    }

    subscript(number: UInt32) -> PlannedInode? { index[number].map { inodes[$0] } }
}
