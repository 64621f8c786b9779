// The kind of file an inode's mode says it is.

/// What an inode is, from the format bits of its mode (`i_mode & 0xF000`).
public enum FileType: String, Sendable, Codable, CaseIterable {
    case regular = "file"
    case directory = "directory"
    case symlink = "symlink"
    case characterDevice = "char-device"
    case blockDevice = "block-device"
    case fifo = "fifo"
    case socket = "socket"
    /// Format bits that name no file type: a damaged or never-used inode.
    case unknown = "unknown"

    public init(mode: UInt16) {
        switch mode & 0xF000 {
        case 0x8000: self = .regular
        case 0x4000: self = .directory
        case 0xA000: self = .symlink
        case 0x2000: self = .characterDevice
        case 0x6000: self = .blockDevice
        case 0x1000: self = .fifo
        case 0xC000: self = .socket
        default: self = .unknown
        }
    }

    /// The directory-entry file type code (`EXT2_FT_*`) this type is recorded with, 0 for unknown.
    public var directoryEntryCode: UInt8 {
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
}
