// `fsrescue fixture kinds`: the corruption kinds, one line each.
import ArgumentParser
import FSRescueFixtures

struct FixtureKindsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kinds",
        abstract: "List the corruption kinds fixture corrupt applies, one per line.")

    func run() {
        let width = CorruptionKind.allCases.map(\.rawValue.count).max() ?? 0
        for kind in CorruptionKind.allCases {
            print(kind.rawValue.padded(to: width) + "  " + kind.summary)
        }
    }
}
