// The finding-code table (docs/findings.md, linked from the README) is generated from FindingCode.all; this keeps the two equal.
import Testing
import FSRescue
import FSRescueTestSupport

@Suite("README finding codes")
struct ReadmeFindingCodesTests {
    /// The table as the README shows it, one row per code in `FindingCode.all` order.
    static var table: String {
        var rows = ["| code | pass | severity | meaning |", "|---|---|---|---|"]
        for code in FindingCode.all {
            rows.append("| `\(code.id)` | \(code.pass.name) | \(code.severity.rawValue) | \(code.summary.replacingOccurrences(of: "|", with: "\\|")) |")
        }
        return rows.joined(separator: "\n") + "\n"
    }

    @Test("docs/findings.md's finding-code table equals FindingCode.all (make readme rewrites it)")
    func tableMatches() throws {
        #expect(try ReadmeBlock.matches("finding-codes", expected: Self.table, in: "docs/findings.md"),
                "docs/findings.md's finding-code table is stale; run `make readme`")
    }

    @Test("codes are unique")
    func unique() {
        #expect(Set(FindingCode.all.map(\.id)).count == FindingCode.all.count)
    }
}
