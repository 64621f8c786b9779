// fsck-compatible exit statuses.

/// Exit statuses, following fsck(8). fsrescue never fixes anything, so 1 and 2 are never used.
public enum ExitStatus: Int32, Sendable, CaseIterable {
    /// No problems found.
    case clean = 0
    /// Problems found (and left as they are: fsrescue never writes to the source).
    case problemsFound = 4
    /// Operational error: the image could not be read or the output could not be written.
    case operationalError = 8
    /// Usage or syntax error.
    case usage = 16
    /// Cancelled by the user (SIGINT or SIGTERM).
    case cancelled = 32
}
