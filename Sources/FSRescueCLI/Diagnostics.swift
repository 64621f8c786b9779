// Writing to stderr: diagnostics are one line each, prefixed with the program name.
import FSRescue
#if canImport(Glibc)
import Glibc
#endif

enum Diagnostics {
    /// Writes `fsrescue: <message>` and a newline to stderr.
    static func error(_ message: String) {
        let text = message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message
        writeStderr("fsrescue: \(text)\n")
    }

    /// Writes `fsrescue: note: <message>` and a newline to stderr: something the user should know, not a failure.
    static func note(_ message: String) {
        writeStderr("fsrescue: note: \(message)\n")
    }

    static func writeStderr(_ text: String) {
        var writer = FileDescriptorWriter(fd: 2)
        writer.write(text)
    }
}
