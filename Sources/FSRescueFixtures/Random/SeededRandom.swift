// The fixture factory's own PRNG: every byte, name and choice derives from the seed through it.

/// xoshiro256** seeded through splitmix64: fast, small, and the same on every platform and Swift
/// version (unlike `SystemRandomNumberGenerator`, or Swift's unspecified `Hasher`).
///
/// Streams are derived, never shared: ``derive(_:)`` gives an independent generator for a labelled
/// purpose (a file's content, a corruption kind), so adding a file or a kind never shifts the bytes
/// of the others.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// A generator whose whole output is a function of `seed`.
    public init(seed: UInt64) {
        var sm = seed
        s0 = SeededRandom.splitmix(&sm)
        s1 = SeededRandom.splitmix(&sm)
        s2 = SeededRandom.splitmix(&sm)
        s3 = SeededRandom.splitmix(&sm)
    }

    /// A generator for `seed` and a purpose: the same pair always gives the same stream.
    public init(seed: UInt64, stream: UInt64) {
        var mixed = seed ^ 0x9E37_79B9_7F4A_7C15
        mixed = SeededRandom.splitmix(&mixed) ^ stream
        self.init(seed: SeededRandom.splitmix(&mixed))
    }

    /// A generator for `seed` and a named purpose (FNV-1a of the label selects the stream).
    public init(seed: UInt64, label: String) {
        self.init(seed: seed, stream: SeededRandom.fnv1a(label))
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// An independent generator for a sub-purpose numbered `stream`.
    public mutating func derive(_ stream: UInt64) -> SeededRandom {
        SeededRandom(seed: next(), stream: stream)
    }

    /// A value in `0..<bound` (Lemire's multiply-shift; the tiny bias is irrelevant for fixtures
    /// and, unlike rejection sampling, consumes exactly one draw).
    @inline(__always)
    public mutating func below(_ bound: UInt64) -> UInt64 {
        precondition(bound > 0)
        return next().multipliedFullWidth(by: bound).high
    }

    /// A value in `range`.
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(below(UInt64(range.upperBound - range.lowerBound) + 1))
    }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// A uniform value in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// One element of a non-empty array.
    public mutating func pick<T>(_ items: [T]) -> T { items[Int(below(UInt64(items.count)))] }

    /// Fills `buffer` with pseudo-random bytes.
    public mutating func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        var i = 0
        let n = buffer.count
        while i + 8 <= n {
            buffer.storeBytes(of: next().littleEndian, toByteOffset: i, as: UInt64.self)
            i += 8
        }
        if i < n {
            var last = next()
            while i < n { buffer[i] = UInt8(truncatingIfNeeded: last); last >>= 8; i += 1 }
        }
    }

    static func splitmix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    static func fnv1a(_ label: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in label.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }
}
