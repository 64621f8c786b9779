// The renderer side of the progress engine.

/// Shows progress events somewhere: a terminal bar, an NDJSON stream, or anything else.
///
/// The engine calls a renderer under its lock, from the job's thread (boundary events) or its
/// sampling timer (updates), never from two threads at once; updates arrive no more often than the
/// renderer's ``throttle`` allows.
public protocol ProgressRenderer: Sendable {
    /// How often this renderer wants update events.
    var throttle: UpdateThrottle { get }
    /// Shows `event`.
    mutating func render(_ event: ProgressEvent)
}

/// NDJSON events, schema `fsrescue.progress/1`: one JSON object a line, at most 10 updates a second
/// (and one a second while a pass is stalled), plus every start, pass boundary and the end.
public struct NDJSONProgressRenderer: ProgressRenderer {
    private var writer: FileDescriptorWriter
    /// At most 10 updates a second, and one a second while a pass is stalled.
    public let throttle = UpdateThrottle(minimumInterval: 0.1, heartbeatInterval: 1)

    /// Events go to `fd` (stderr by default), which stays open and belongs to the caller.
    public init(fd: Int32 = 2) {
        writer = FileDescriptorWriter(fd: fd)
    }

    /// Writes `event` as one JSON line.
    public mutating func render(_ event: ProgressEvent) {
        writer.write(event.jsonLine + "\n")
    }
}
