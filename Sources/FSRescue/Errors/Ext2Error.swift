// A libext2fs (com_err) result code with its message.
internal import CFSRescueExt2fs

/// An error returned by libext2fs: the `errcode_t` and the message `error_message()` gives for it.
///
/// Catch a specific code with pattern matching: `catch Ext2Error.badMagic { … }`.
public struct Ext2Error: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The raw `errcode_t` value (a com_err code, or an errno for system errors).
    public let code: Int
    /// The com_err message for `code`, as `error_message()` returns it.
    public let message: String

    /// Wraps a libext2fs result code, looking up its message with `error_message()`.
    public init(code: Int) {
        fsr_initialize_ext2_error_table()
        self.code = code
        self.message = String(cString: error_message(errcode_t(code)))
    }

    /// The com_err message.
    public var description: String { message }

    /// The message for a libext2fs return code, for a finding or a sentence (`error_message()`).
    static func text(of code: errcode_t) -> String { Ext2Error(code: Int(code)).message }

    /// `EXT2_ET_BAD_MAGIC`: no ext2/3/4 magic where a superblock should be.
    public static let badMagic = Ext2Error(code: Int(EXT2_ET_BAD_MAGIC))
    /// `EXT2_ET_SB_CSUM_INVALID`: the superblock checksum does not match.
    public static let superblockChecksumInvalid = Ext2Error(code: Int(EXT2_ET_SB_CSUM_INVALID))
    /// `EXT2_ET_UNSUPP_FEATURE`: an incompatible feature this libext2fs does not know.
    public static let unsupportedFeature = Ext2Error(code: Int(EXT2_ET_UNSUPP_FEATURE))
    /// `EXT2_ET_SHORT_READ`: the image ended before the block being read.
    public static let shortRead = Ext2Error(code: Int(EXT2_ET_SHORT_READ))
    /// `EXT2_ET_EXTENT_NO_NEXT`: no entry there (an empty extent tree, the end of a node).
    static let extentNoNext = Ext2Error(code: Int(EXT2_ET_EXTENT_NO_NEXT))
    /// `EXT2_ET_EXTENT_CSUM_INVALID`: an extent node read, its checksum not matching.
    static let extentChecksumInvalid = Ext2Error(code: Int(EXT2_ET_EXTENT_CSUM_INVALID))
    /// `EXT2_ET_BAD_INODE_NUM`: an inode number outside the inode tables.
    static let badInodeNumber = Ext2Error(code: Int(EXT2_ET_BAD_INODE_NUM))

    /// The read itself failed (a short read, or an errno from the I/O), rather than what was read being invalid.
    var isReadFailure: Bool { code == Int(EXT2_ET_SHORT_READ) || code < 1000 }

    /// `EXT2_ET_NO_MEMORY`: libext2fs could not allocate.
    static let noMemory = Ext2Error(code: Int(EXT2_ET_NO_MEMORY))

    /// `EXT2_ET_BAD_BLOCK_NUM`: a block number outside the filesystem.
    static let badBlockNumber = Ext2Error(code: Int(EXT2_ET_BAD_BLOCK_NUM))

    /// Lets callers `catch Ext2Error.badMagic`.
    public static func ~= (pattern: Ext2Error, error: any Error) -> Bool {
        (error as? Ext2Error)?.code == pattern.code
    }

    public static func == (lhs: Ext2Error, rhs: Ext2Error) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

/// The one place that turns a libext2fs return code into an error: nil for 0 (success).
@inline(__always)
func ext2Error(_ code: errcode_t) -> Ext2Error? {
    code == 0 ? nil : Ext2Error(code: Int(code))
}

/// Throws the error a libext2fs return code stands for (``ext2Error(_:)``).
@inline(__always)
func ext2Check(_ code: errcode_t) throws(Ext2Error) {
    if let error = ext2Error(code) { throw error }
}
