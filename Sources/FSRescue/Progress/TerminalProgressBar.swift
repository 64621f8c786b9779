// The bar on a terminal: one line redrawn in place, cleared when the job ends.
#if canImport(Glibc)
import Glibc
#endif

/// A one-line bar on a terminal, at most 4 redraws a second:
/// `[2/5] Pass 2: directories [=====>     ] 42.1%  job 63.0%  1.2k/s  0:42  ETA 1:10`.
/// The line is cleared when the job ends, so the report that follows starts on a clean line.
/// The factory only uses it when stderr is a terminal.
public struct TerminalProgressBar: ProgressRenderer {
    private var writer: FileDescriptorWriter
    /// At most 4 redraws a second (the elapsed time keeps moving while a pass is stalled).
    public let throttle = UpdateThrottle(minimumInterval: 0.25, heartbeatInterval: 0.25)

    /// Clears to the end of the line.
    static let clearToEnd = "\u{1B}[K"

    /// A bar drawn on `fd` (stderr by default), which must be a terminal.
    public init(fd: Int32 = 2) {
        writer = FileDescriptorWriter(fd: fd)
    }

    /// Redraws the bar in place (carriage return, no newline), or clears it when the job ends.
    public mutating func render(_ event: ProgressEvent) {
        switch event.kind {
        case .start:
            return
        case .done:
            writer.write("\r" + Self.clearToEnd)
        case .passStart, .update, .passEnd:
            writer.write("\r" + Self.line(for: event, columns: Self.columns(of: writer.fd)) + Self.clearToEnd)
        }
    }

    /// The bar's text for `event` on a terminal `columns` wide (never wider than `columns − 1`, so the
    /// cursor never wraps). The graphical bar shrinks first, then the rate and elapsed time go.
    public static func line(for event: ProgressEvent, columns: Int) -> String {
        let e = event.estimate
        let label = ProgressFormat.passLabel(event)
        let pass = ProgressFormat.percent(e.passFraction)
        let tail = ["job " + ProgressFormat.percent(e.fraction), ProgressFormat.rate(e.unitsPerSecond),
                    ProgressFormat.duration(e.elapsedSeconds), ProgressFormat.eta(e)]
        let limit = max(20, columns - 1)
        let text = ([label, pass] + tail).joined(separator: "  ")
        let barWidth = min(30, limit - text.count - 4)
        if barWidth >= 8 {
            let filled = Int((e.passFraction * Double(barWidth)).rounded(.down))
            let bar = "[" + String(repeating: "=", count: filled)
                + (filled < barWidth ? ">" + String(repeating: " ", count: barWidth - filled - 1) : "") + "]"
            return ([label, bar + " " + pass] + tail).joined(separator: "  ")
        }
        let short = ([label, pass, tail[0], tail[3]]).joined(separator: "  ")
        return text.count <= limit ? text : String(short.prefix(limit))
    }

    /// The width of the terminal on `fd`, or 80 when it cannot be told.
    static func columns(of fd: Int32) -> Int {
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }
}
