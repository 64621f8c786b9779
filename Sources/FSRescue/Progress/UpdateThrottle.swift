// How often a renderer is given update events.

/// Decides when an update is worth rendering: not sooner than `minimumInterval` after the last one,
/// and then only if work was done, unless `heartbeatInterval` has passed (so a stalled pass still
/// shows its clock moving). Boundary events are always rendered and count as renders.
public struct UpdateThrottle: Sendable, Equatable {
    /// Least seconds between two renders.
    public let minimumInterval: Double
    /// Seconds after which an update is rendered even when no work was done (nil: never).
    public let heartbeatInterval: Double?
    private var lastTime: Double?
    private var lastDone: UInt64?

    /// A throttle that lets an update through at most every `minimumInterval` seconds, and at least every `heartbeatInterval`.
    public init(minimumInterval: Double, heartbeatInterval: Double?) {
        self.minimumInterval = minimumInterval
        self.heartbeatInterval = heartbeatInterval
    }

    /// Whether an update with `done` units at `time` should be rendered now.
    public func shouldRender(done: UInt64, at time: Double) -> Bool {
        guard let lastTime else { return true }
        let since = time - lastTime
        guard since >= minimumInterval else { return false }
        if done != lastDone { return true }
        return heartbeatInterval.map { since >= $0 } ?? false
    }

    /// Records that an event with `done` units was rendered at `time`.
    public mutating func rendered(done: UInt64, at time: Double) {
        lastTime = time
        lastDone = done
    }
}
