// `fsrescue fixture`: deterministic test images and named corruptions (the only writing commands).
import ArgumentParser
import FSRescue
import FSRescueFixtures

struct FixtureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fixture",
        abstract: "Make deterministic ext2/3/4 test images and corrupt copies of them, with ground truth.",
        discussion: """
            The only fsrescue commands that write images, and only images they create: `create` makes a new \
            image file, `corrupt` copies its input and damages the copy. Each writes IMG.truth.json \
            (schema fsrescue.truth/1) beside the image.
            """,
        subcommands: [FixtureCreateCommand.self, FixtureCorruptCommand.self, FixtureKindsCommand.self]
    )
}

/// `--size 64M` and friends as argument-parser values.
extension ByteSize: ExpressibleByArgument {
    public init?(argument: String) {
        guard let parsed = try? ByteSize(parsing: argument, option: "size") else { return nil }
        self = parsed
    }
}
