// One reading of a job's progress: how far it is and how long it has left.

/// How far a job is and how long it has left, at one moment.
public struct ETAEstimate: Sendable, Equatable {
    /// Seconds since the job started.
    public var elapsedSeconds: Double
    /// Seconds left, or nil while the estimate is still uncertain (the first seconds of a job, or of a
    /// pass that nothing measured so far can predict).
    public var etaSeconds: Double?
    /// Share of the whole job done, 0…1; never decreases; 1 only when the job completed.
    public var fraction: Double
    /// Share of the current pass done, 0…1 (1 between passes).
    public var passFraction: Double
    /// The current pass's measured units per second, when measured.
    public var unitsPerSecond: Double?

    /// An estimate as the ETA estimator computes it.
    public init(elapsedSeconds: Double, etaSeconds: Double?, fraction: Double, passFraction: Double, unitsPerSecond: Double?) {
        self.elapsedSeconds = elapsedSeconds
        self.etaSeconds = etaSeconds
        self.fraction = fraction
        self.passFraction = passFraction
        self.unitsPerSecond = unitsPerSecond
    }

    /// True while no remaining time is given.
    public var isUncertain: Bool { etaSeconds == nil }
}
