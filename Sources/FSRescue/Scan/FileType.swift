// The kind of object an inode is, from the type bits of its mode.

/// What an inode is, decoded from the `S_IFMT` bits of `i_mode` (`LINUX_S_IFREG` …).
public enum FileType: String, Sendable, Codable, CaseIterable {
    case regular = "file"
    case directory
    case symlink
    case characterDevice = "char-device"
    case blockDevice = "block-device"
    case fifo
    case socket
    /// The type bits match no known type (a damaged mode).
    case unknown

    /// Decodes the type bits of an ext2 `i_mode`.
    public init(mode: UInt16) {
        switch mode & 0o170000 {
        case 0o100000: self = .regular
        case 0o040000: self = .directory
        case 0o120000: self = .symlink
        case 0o020000: self = .characterDevice
        case 0o060000: self = .blockDevice
        case 0o010000: self = .fifo
        case 0o140000: self = .socket
        default: self = .unknown
        }
    }

    /// The directory-entry file type (`EXT2_FT_*`) an entry naming such an inode should carry.
    public var direntFileType: UInt8 {
        switch self {
        case .regular: 1
        case .directory: 2
        case .characterDevice: 3
        case .blockDevice: 4
        case .fifo: 5
        case .socket: 6
        case .symlink: 7
        case .unknown: 0
        }
    }

    /// Decodes a directory entry's `EXT2_FT_*` file type (nil for 0 or out of range).
    init?(direntFileType: UInt8) {
        switch direntFileType {
        case 1: self = .regular
        case 2: self = .directory
        case 3: self = .characterDevice
        case 4: self = .blockDevice
        case 5: self = .fifo
        case 6: self = .socket
        case 7: self = .symlink
        default: return nil
        }
    }
}
