// The current pass's own throughput, measured over a window that grows with the pass.

/// Units per second of one pass, over the most recent part of it.
///
/// The window is the last `windowFraction` of the pass so far (at least `minimumWindow` seconds): long
/// enough that the rate is steady, short enough that it follows a pass whose speed changes (cache
/// warming up, a region of the disk with more in it, a copy slowing once the first seconds' reads and
/// writes no longer land in cache). Samples are thinned as the pass grows, so memory stays bounded.
public struct PassRateWindow: Sendable {
    private var samples: [(time: Double, done: Double)] = []
    private let start: Double
    /// Shortest window, in seconds.
    public let minimumWindow: Double
    /// The window's share of the pass so far.
    public let windowFraction: Double

    private static let sampleLimit = 128

    /// A window for a pass that started at `start` with nothing done.
    public init(start: Double, minimumWindow: Double = 2, windowFraction: Double = 0.25) {
        self.start = start
        self.minimumWindow = minimumWindow
        self.windowFraction = windowFraction
        samples.append((start, 0))
    }

    /// Records that `done` units were done at `time`.
    public mutating func add(done: UInt64, at time: Double) {
        let last = samples[samples.count - 1]
        let spacing = max(0.1, (time - start) / Double(Self.sampleLimit / 2))
        guard time - last.time >= spacing else { return }
        samples.append((time, Double(done)))
        // Keep one sample at or before the window's start; older ones are never needed again.
        let cutoff = time - window(at: time)
        while samples.count > 2 && samples[1].time <= cutoff { samples.removeFirst() }
        if samples.count > Self.sampleLimit { samples.removeFirst(samples.count - Self.sampleLimit) }
    }

    /// Units per second over the window ending at `time` with `done` units done; nil until there is
    /// a measured interval.
    public func rate(done: UInt64, at time: Double) -> Double? {
        let cutoff = time - window(at: time)
        let from = samples.last { $0.time <= cutoff } ?? samples[0]
        let seconds = time - from.time
        guard seconds > 0.05 else { return nil }
        return max(0, Double(done) - from.done) / seconds
    }

    private func window(at time: Double) -> Double {
        max(minimumWindow, (time - start) * windowFraction)
    }
}
