// The NDJSON form of a progress event, schema `fsrescue.progress/1`, written by hand so that key
// order is fixed and encoding costs nothing worth measuring.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension ProgressEvent {
    /// The schema name every event carries.
    public static let schema = "fsrescue.progress/1"

    /// The event as one line of JSON (no trailing newline). `pass_index` counts from 1, as passes
    /// are numbered for people (`Pass 1: inodes`); `fraction` is the whole job's.
    public var jsonLine: String {
        var fields: [(String, String)] = [
            ("schema", Self.quoted(Self.schema)),
            ("event", Self.quoted(kind.rawValue)),
            ("pass", pass.map { Self.quoted($0.name) } ?? "null"),
            ("pass_title", pass.map { Self.quoted($0.title) } ?? "null"),
            ("pass_index", passIndex.map { String($0 + 1) } ?? "null"),
            ("pass_count", String(passCount)),
            ("done", String(done)),
            ("total", String(total)),
            ("pass_fraction", Self.number(estimate.passFraction, decimals: 6)),
            ("fraction", Self.number(estimate.fraction, decimals: 6)),
            ("elapsed_seconds", Self.number(estimate.elapsedSeconds, decimals: 3)),
            ("eta_seconds", estimate.etaSeconds.map { Self.number($0, decimals: 1) } ?? "null"),
            ("eta_uncertain", estimate.isUncertain ? "true" : "false"),
            ("units_per_second", estimate.unitsPerSecond.map { Self.number($0, decimals: 1) } ?? "null"),
        ]
        if let completed { fields.append(("completed", completed ? "true" : "false")) }
        if let plan {
            let passes = plan.map { p in
                "{\"name\":\(Self.quoted(p.name)),\"title\":\(Self.quoted(p.title)),\"units\":\(p.units),"
                    + "\"bytes_per_unit\":\(Self.number(p.bytesPerUnit, decimals: 3)),"
                    + "\"entries_per_unit\":\(Self.number(p.entriesPerUnit, decimals: 3))}"
            }
            fields.append(("passes", "[" + passes.joined(separator: ",") + "]"))
        }
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    static func number(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "null" }
        return cFormat("%.\(decimals)f", value)
    }

    static func quoted(_ text: String) -> String { JSONText.quoted(text) }
}
