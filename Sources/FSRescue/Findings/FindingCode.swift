// The table of finding codes. Codes are stable: never renumber or reuse one.

/// A stable finding code, like e2fsck's problem codes: an identifier, its pass, its default
/// severity and a one-line summary (the README's table is generated from ``all``).
public struct FindingCode: Sendable, Hashable, CustomStringConvertible {
    /// The stable identifier, `<area>.<what>`, for example `superblock.primary-unusable`.
    public let id: String
    public let pass: Pass
    public let severity: Severity
    public let summary: String

    public var description: String { id }
    public static func == (a: FindingCode, b: FindingCode) -> Bool { a.id == b.id }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }

    // MARK: Opening (pass 0)
    public static let primarySuperblockUnusable = FindingCode(id: "superblock.primary-unusable", pass: .open, severity: .error,
        summary: "The primary superblock is unreadable or invalid; a backup superblock was used.")
    public static let checksumErrors = FindingCode(id: "superblock.checksum", pass: .open, severity: .error,
        summary: "Superblock or group descriptor checksums do not match; opened ignoring checksums.")
    public static let groupDescriptorErrors = FindingCode(id: "superblock.descriptors", pass: .open, severity: .error,
        summary: "Group descriptors are inconsistent (bitmaps or inode table out of range); opened ignoring them.")
    public static let unsupportedFeatures = FindingCode(id: "superblock.unsupported-feature", pass: .open, severity: .warning,
        summary: "Incompatible features unknown to libext2fs; opened anyway, results may be incomplete.")
    public static let imageTruncated = FindingCode(id: "image.truncated", pass: .open, severity: .error,
        summary: "The image file is shorter than the filesystem it holds; the missing tail is unreadable.")
    public static let errorFlagSet = FindingCode(id: "state.errors", pass: .open, severity: .warning,
        summary: "The kernel recorded filesystem errors (EXT2_ERROR_FS in s_state, or s_error_count).")
    public static let notCleanlyUnmounted = FindingCode(id: "state.not-clean", pass: .open, severity: .info,
        summary: "The filesystem was not cleanly unmounted (EXT2_VALID_FS clear).")
    public static let journalNeedsRecovery = FindingCode(id: "journal.needs-recovery", pass: .open, severity: .info,
        summary: "The journal holds transactions not yet replayed; fsrescue reads the image as it is, without replay.")

    /// Every code, in table order.
    public static let all: [FindingCode] = [
        primarySuperblockUnusable, checksumErrors, groupDescriptorErrors, unsupportedFeatures, imageTruncated,
        errorFlagSet, notCleanlyUnmounted, journalNeedsRecovery,
    ]
}
