// The cost model that predicts passes not yet run: seconds per byte read and per entry parsed.

/// Seconds per byte read and per entry parsed, as measured by the passes run so far.
///
/// A pass's predicted duration is `units × (bytesPerUnit × secondsPerByte + entriesPerUnit × secondsPerEntry)`,
/// from the hints in its ``PassPlan``. There is no weight table: the two coefficients are fitted to the
/// time each measured pass took, so a pass that reads much and parses little and one that parses
/// much and reads little are each predicted from what this run, on this disk, has shown.
public struct CostModel: Sendable, Equatable {
    /// Seconds to read one byte of the image (cold cache, as measured).
    public var secondsPerByte: Double
    /// Seconds to parse one entry (inode, directory entry, extent).
    public var secondsPerEntry: Double

    /// A model with these two costs.
    public init(secondsPerByte: Double, secondsPerEntry: Double) {
        self.secondsPerByte = secondsPerByte
        self.secondsPerEntry = secondsPerEntry
    }

    /// What is assumed before anything is measured: 1 GB/s of scattered blocks read ahead in
    /// physical order, and 4 million entries a second. Only the ratio of the two matters once one pass
    /// has been timed (the fit scales both), and it is what predicts a scan's pass 2 from its pass 1.
    /// Measured cold on four shapes (bench/eta-bench.sh): pass 1 costs 0.3–0.45 µs an inode, its
    /// tables read ahead; pass 2 costs 6–13 µs a block plus ~0.1 µs an entry. A prior that prices
    /// blocks too high against entries predicts a large scan's pass 2 at a fraction of its length.
    public static let prior = CostModel(secondsPerByte: 1 / 1e9, secondsPerEntry: 1 / 4e6)

    /// Predicted seconds for `units` units of work with these per-unit hints.
    public func seconds(units: Double, bytesPerUnit: Double, entriesPerUnit: Double) -> Double {
        units * (bytesPerUnit * secondsPerByte + entriesPerUnit * secondsPerEntry)
    }

    /// Predicted seconds for `units` units of `pass`.
    public func seconds(units: Double, of pass: PassPlan) -> Double {
        seconds(units: units, bytesPerUnit: pass.bytesPerUnit, entriesPerUnit: pass.entriesPerUnit)
    }

    /// One measured stretch of work: what it read and parsed, and how long it took.
    public struct Observation: Sendable, Equatable {
        /// Bytes read.
        public var bytes: Double
        /// Entries parsed.
        public var entries: Double
        /// Seconds it took.
        public var seconds: Double

        /// An observation of `bytes` read and `entries` parsed in `seconds`.
        public init(bytes: Double, entries: Double, seconds: Double) {
            (self.bytes, self.entries, self.seconds) = (bytes, entries, seconds)
        }
    }

    /// The model that best explains `observations`, or nil when they hold no work or no time.
    ///
    /// First the prior is scaled so that it predicts the total measured time exactly (one pass
    /// measured: that is all the data can say). Then a least-squares fit, held towards the scaled
    /// prior by a ridge term of relative weight `ridge`, splits the time between bytes and entries;
    /// with passes of different mixes it learns, for example, that this disk reads slowly but
    /// parsing is cheap. Longer observations weigh more, as they should.
    public static func fitted(to observations: [Observation], prior: CostModel = .prior, ridge: Double = 0.05) -> CostModel? {
        let usable = observations.filter { $0.seconds > 0 && ($0.bytes > 0 || $0.entries > 0) }
        let measured = usable.reduce(0) { $0 + $1.seconds }
        let predicted = usable.reduce(0) { $0 + $1.bytes * prior.secondsPerByte + $1.entries * prior.secondsPerEntry }
        guard measured > 0, predicted > 0 else { return nil }
        let scale = measured / predicted
        // Seconds each observation spends on bytes (a) and on entries (c) under the scaled prior;
        // solve for the factors x and y on them: minimise Σ(t − a·x − c·y)² + λ·(Σa²·(x−1)² + Σc²·(y−1)²).
        var saa = 0.0, scc = 0.0, sac = 0.0, sat = 0.0, sct = 0.0
        for o in usable {
            let a = o.bytes * prior.secondsPerByte * scale
            let c = o.entries * prior.secondsPerEntry * scale
            saa += a * a; scc += c * c; sac += a * c
            sat += a * o.seconds; sct += c * o.seconds
        }
        // The ridge is relative to what the data says about each factor, so it only decides what the
        // data cannot (one pass, or passes of the same mix) and never outweighs clear evidence.
        let m11 = saa * (1 + ridge), m22 = scc * (1 + ridge), m12 = sac
        let r1 = sat + ridge * saa, r2 = sct + ridge * scc
        var x = 1.0, y = 1.0
        let det = m11 * m22 - m12 * m12
        if saa > 0, scc > 0, det > 1e-12 * m11 * m22 {
            x = (r1 * m22 - m12 * r2) / det
            y = (m11 * r2 - m12 * r1) / det
        } else if saa > 0 {
            x = r1 / m11
        } else if scc > 0 {
            y = r2 / m22
        }
        // A factor far from 1 means the hints, not the disk, are off; keep both positive and sane.
        x = min(max(x, 0.02), 50)
        y = min(max(y, 0.02), 50)
        return CostModel(secondsPerByte: prior.secondsPerByte * scale * x,
                         secondsPerEntry: prior.secondsPerEntry * scale * y)
    }
}
