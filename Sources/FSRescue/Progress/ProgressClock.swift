// Where the progress engine gets its time: the monotonic clock, or a clock a test sets by hand.
import Dispatch

/// A source of monotonic time in seconds. Only differences between readings matter.
public protocol ProgressClock: Sendable {
    /// Seconds since an arbitrary fixed origin; never goes backwards.
    func now() -> Double
}

/// The system's monotonic clock (unaffected by changes to the wall-clock time).
public struct MonotonicClock: ProgressClock {
    /// The monotonic clock.
    public init() {}

    /// Seconds since boot (`DispatchTime.now().uptimeNanoseconds`).
    public func now() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1_000_000_000
    }
}
