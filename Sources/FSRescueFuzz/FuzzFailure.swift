// Stopping the process loudly, so libFuzzer (or a replay) records the input as a finding.
import Foundation

enum FuzzFailure {
    /// Prints `message` on stderr and aborts: libFuzzer saves the input as `crash-…`.
    static func stop(_ message: String) -> Never {
        say(message)
        abort()
    }

    /// One line on stderr, prefixed `FSRescueFuzz:`.
    static func say(_ message: String) {
        FileHandle.standardError.write(Data("FSRescueFuzz: \(message)\n".utf8))
    }
}
