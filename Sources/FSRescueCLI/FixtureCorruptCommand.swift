// `fsrescue fixture corrupt`: a damaged copy of a fixture image.
import ArgumentParser
import FSRescue
import FSRescueFixtures

struct FixtureCorruptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corrupt",
        abstract: "Copy a fixture image and apply named corruptions to the copy, with ground truth.",
        discussion: """
            The input is only read; the copy is damaged. --kind may repeat: kinds compose, applied in the \
            order 'fixture kinds' lists them. OUT.truth.json holds the input's truth, what each corruption \
            touched, and what a perfect recovery could still bring back.
            """)

    @Option(help: ArgumentHelp("The fixture image to copy (never modified).", valueName: "img"))
    var `in`: String

    @Option(help: ArgumentHelp("The damaged copy to create (refused if it exists, unless --force).", valueName: "img"))
    var out: String

    @Option(help: ArgumentHelp("A corruption kind (see 'fsrescue fixture kinds'); repeat to combine.", valueName: "kind"))
    var kind: [String] = []

    @Option(help: "The seed the choice of targets and the noise derive from.")
    var seed: UInt64 = 1

    @Option(help: "How many targets each kind takes, where that applies.")
    var count: Int = 1

    @Option(name: .customLong("in-truth"), help: ArgumentHelp("The input's ground truth (default: IMG.truth.json).", valueName: "path"))
    var inTruth: String?

    @Option(help: ArgumentHelp("Where to write the copy's ground truth (default: OUT.truth.json).", valueName: "path"))
    var truth: String?

    @Flag(help: "Replace an existing output file.")
    var force = false

    func validate() throws {
        guard !kind.isEmpty else { throw ValidationError("give at least one --kind (see 'fsrescue fixture kinds')") }
        for k in kind where CorruptionKind(rawValue: k) == nil {
            throw ValidationError("--kind \(k) is not a corruption kind; 'fsrescue fixture kinds' lists them")
        }
        guard (1...1000).contains(count) else { throw ValidationError("--count \(count) is out of range; use 1 to 1000") }
    }

    func run() throws {
        let kinds = kind.compactMap(CorruptionKind.init(rawValue:))
        let made = try FixtureCorruptor.corrupt(input: `in`, output: out, kinds: kinds, seed: seed, count: count,
                                                inputTruth: inTruth, outputTruth: truth, replace: force)
        for c in made.truth.corruptions { print("\(c.kind): \(c.summary)") }
        print("truth: \(made.truthPath)")
    }
}
