// What `fixture create` makes: type, geometry, tree shape and seed.
import FSRescue

/// The ext variant of a fixture image and the mke2fs feature set it gets.
public enum FixtureType: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case ext2, ext3, ext4
    public var description: String { rawValue }
    /// Whether files are mapped by extents (ext4) rather than block maps (ext2, ext3).
    var usesExtents: Bool { self == .ext4 }
}

/// Everything that determines a fixture image: the same spec always gives the same bytes.
public struct FixtureSpec: Sendable, Hashable, Codable {
    /// Block sizes the generator accepts (mke2fs allows up to 64K, but the kernel mounts at most the page size).
    public static let blockSizes: [UInt32] = [1024, 2048, 4096]

    public var type: FixtureType
    /// Image size in bytes; `nil` sizes the image to fit the tree with room to spare.
    public var sizeBytes: UInt64?
    public var blockSize: UInt32
    /// Regular files (inodes), not counting symlinks, hard-link names and directories.
    public var files: Int
    /// Directories below the root (lost+found not counted); `nil` means one per 24 files.
    public var dirs: Int?
    /// The largest regular file; the tree holds one file of exactly this size.
    public var maxFileSize: UInt64
    public var seed: UInt64

    public init(type: FixtureType = .ext4, sizeBytes: UInt64? = nil, blockSize: UInt32 = 4096, files: Int = 1000,
                dirs: Int? = nil, maxFileSize: UInt64 = 4 << 20, seed: UInt64 = 1) {
        self.type = type
        self.sizeBytes = sizeBytes
        self.blockSize = blockSize
        self.files = files
        self.dirs = dirs
        self.maxFileSize = maxFileSize
        self.seed = seed
    }

    /// The directory count actually used.
    public var resolvedDirs: Int { dirs ?? (files / 24 + 1) }

    /// Checks the values a user can get wrong, with a sentence saying what to use instead.
    public func validate() throws(FSRescueError) {
        guard FixtureSpec.blockSizes.contains(blockSize) else {
            throw FSRescueError(.usage, "--block-size \(blockSize) is not supported; use 1024, 2048 or 4096.")
        }
        guard files >= 0, files <= 50_000_000 else {
            throw FSRescueError(.usage, "--files \(files) is out of range; use 0 to 50000000.")
        }
        guard resolvedDirs >= 0, resolvedDirs <= 5_000_000 else {
            throw FSRescueError(.usage, "--dirs \(resolvedDirs) is out of range; use 0 to 5000000.")
        }
        guard maxFileSize >= UInt64(blockSize) * 2, maxFileSize <= 1 << 34 else {
            throw FSRescueError(.usage, "--max-file-size \(ByteSize(bytes: maxFileSize)) is out of range; use at least two blocks (\(blockSize * 2)) and at most 16G.")
        }
    }
}
