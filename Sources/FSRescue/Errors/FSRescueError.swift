// The toolkit's own error: a code, one sentence for the user, the path, and the cause.

/// An error the toolkit reports to its user: what went wrong in one sentence (with what to try),
/// the path concerned, and the underlying cause (a libext2fs or system error) when there is one.
public struct FSRescueError: Error, Sendable, CustomStringConvertible {
    /// A stable error code. New codes can be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case notFound = "not-found"
            case permissionDenied = "permission-denied"
            case isDirectory = "is-directory"
            case unsupportedFileType = "unsupported-file-type"
            case emptyImage = "empty-image"
            case notExtFilesystem = "not-ext"
            case partitionChoiceNeeded = "partition-choice-needed"
            case noSuchPartition = "no-such-partition"
            case noExtPartition = "no-ext-partition"
            case openFailed = "open-failed"
            case readFailed = "read-failed"
            case usage = "usage"
            case cancelled = "cancelled"
            case outputFailed = "output-failed"
            case outputLimit = "output-limit"
            case ioFailed = "io-failed"
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The image path does not exist.
        public static let notFound = Code(.notFound)
        /// The image (or output) could not be opened for lack of permission.
        public static let permissionDenied = Code(.permissionDenied)
        /// A directory was given where an image was expected.
        public static let isDirectory = Code(.isDirectory)
        /// A FIFO, socket or character device was given where an image was expected.
        public static let unsupportedFileType = Code(.unsupportedFileType)
        /// The image file is empty.
        public static let emptyImage = Code(.emptyImage)
        /// No ext2/3/4 filesystem was found (blkid may name what is there instead).
        public static let notExtFilesystem = Code(.notExtFilesystem)
        /// A disk image holds several ext partitions and none was chosen.
        public static let partitionChoiceNeeded = Code(.partitionChoiceNeeded)
        /// `--partition N` names a partition the table does not have.
        public static let noSuchPartition = Code(.noSuchPartition)
        /// A partition table with no ext2/3/4 partition in it.
        public static let noExtPartition = Code(.noExtPartition)
        /// libext2fs could not open the filesystem from any superblock.
        public static let openFailed = Code(.openFailed)
        /// Reading the image failed.
        public static let readFailed = Code(.readFailed)
        /// The command line was wrong.
        public static let usage = Code(.usage)
        /// The run was stopped by a signal.
        public static let cancelled = Code(.cancelled)
        /// Writing output failed.
        public static let outputFailed = Code(.outputFailed)
        /// The output is full or `--max-output-bytes` is reached: no later item can be written either.
        public static let outputLimit = Code(.outputLimit)
        /// A system call on an input failed.
        public static let ioFailed = Code(.ioFailed)

        /// The code's name (`not-found`, `usage`, …).
        public var description: String { value.rawValue }
    }

    /// What kind of failure it is; `catch FSRescueError.Code.notFound` matches one.
    public let code: Code
    /// One sentence for the user: what happened and what to try.
    public let message: String
    /// The path the error concerns, if any.
    public let path: String?
    /// The underlying error (an ``Ext2Error`` or ``SystemError``), if any.
    public let cause: (any Error & Sendable)?

    /// An error of `code` with one sentence for the user.
    public init(_ code: Code, _ message: String, path: String? = nil, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.cause = cause
    }

    /// The fsck-style exit status this error ends a run with: 16 usage, 32 cancelled, 8 otherwise.
    public var exitStatus: ExitStatus {
        switch code {
        case .usage: .usage
        case .cancelled: .cancelled
        default: .operationalError
        }
    }

    /// The sentence for the user.
    public var description: String { message }
}

extension FSRescueError.Code {
    /// Lets callers `catch FSRescueError.Code.notFound`.
    public static func ~= (pattern: FSRescueError.Code, error: any Error) -> Bool {
        (error as? FSRescueError)?.code == pattern
    }
}

/// An errno from a failed system call, with `strerror`'s text.
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The `errno` value.
    public let errno: Int32
    /// The system call that failed (`open`, `pread`, …).
    public let function: String
    /// The failure of `function` with `errno`.
    public init(errno: Int32, function: String) {
        self.errno = errno
        self.function = function
    }
    /// `function: strerror(errno)`.
    public var description: String { "\(function): \(String(cString: strerror(errno)))" }
}

#if canImport(Glibc)
import Glibc
#endif
