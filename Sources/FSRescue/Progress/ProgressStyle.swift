// The three ways to show progress, and the engine each one makes.
#if canImport(Glibc)
import Glibc
#endif

/// How a command shows its progress (`--progress bar|json|none`).
public enum ProgressStyle: String, Sendable, CaseIterable {
    /// A bar on stderr, drawn only when stderr is a terminal.
    case bar
    /// NDJSON events (schema `fsrescue.progress/1`) on stderr or another descriptor.
    case json
    /// Nothing (SIGUSR1 still prints a status line).
    case none

    /// The default: a bar when stderr is a terminal, nothing otherwise.
    public static func automatic(standardErrorIsTerminal: Bool = isatty(2) != 0) -> ProgressStyle {
        standardErrorIsTerminal ? .bar : .none
    }
}

extension ProgressEngine {
    /// An engine showing progress in `style`: the bar on stderr (only if stderr is a terminal),
    /// NDJSON events on `eventFD` (stderr unless told otherwise), or nothing.
    public convenience init(style: ProgressStyle, eventFD: Int32 = 2) {
        let renderers: [any ProgressRenderer] = switch style {
        case .bar: isatty(2) != 0 ? [TerminalProgressBar(fd: 2)] : []
        case .json: [NDJSONProgressRenderer(fd: eventFD)]
        case .none: []
        }
        self.init(renderers: renderers)
    }
}
