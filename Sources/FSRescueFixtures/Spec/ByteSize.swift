// Sizes as people type them: 4096, 64K, 512M, 2G.
import FSRescue

/// A byte count parsed from `N`, `NK`, `NM`, `NG` or `NT` (binary multiples, case-insensitive,
/// an optional trailing `B` or `iB`: `64M`, `64MiB`, `64mb`).
public struct ByteSize: Sendable, Hashable, CustomStringConvertible {
    public let bytes: UInt64

    public init(bytes: UInt64) { self.bytes = bytes }

    /// Parses `text`; throws a usage error naming `option` when it is not a size.
    public init(parsing text: String, option: String) throws(FSRescueError) {
        var digits = Substring(text.trimmingWhitespace())
        for suffix in ["ib", "b"] where digits.lowercased().hasSuffix(suffix) && digits.count > suffix.count {
            digits = digits.dropLast(suffix.count)
            break
        }
        let shift: UInt64
        switch digits.last.map({ Character($0.lowercased()) }) {
        case "k": shift = 10
        case "m": shift = 20
        case "g": shift = 30
        case "t": shift = 40
        default: shift = 0
        }
        if shift != 0 { digits = digits.dropLast() }
        guard let value = UInt64(digits), value <= UInt64.max >> shift else {
            throw FSRescueError(.usage, "\(option) \(text) is not a size; write bytes or a number with K, M, G or T (for example 64M).")
        }
        bytes = value << shift
    }

    /// The shortest exact spelling: `64M` rather than `67108864`.
    public var description: String {
        for (shift, unit) in [(40, "T"), (30, "G"), (20, "M"), (10, "K")] as [(UInt64, String)]
        where bytes != 0 && bytes & ((1 << shift) - 1) == 0 {
            return "\(bytes >> shift)\(unit)"
        }
        return "\(bytes)"
    }
}

extension String {
    func trimmingWhitespace() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
