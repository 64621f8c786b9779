// `--as-of TIME`: a moment in UTC, for limiting the journal's history to what was committed by then.
import ArgumentParser
import FSRescue

/// A time given on the command line (``UTCTime/parse(_:)``), in seconds since 1970.
struct AsOfTime: ExpressibleByArgument {
    let seconds: UInt64

    init?(argument: String) {
        guard let s = UTCTime.parse(argument), s >= 0 else { return nil }
        seconds = UInt64(s)
    }
}
