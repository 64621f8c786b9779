// `fsrescue fixture create`: a new image holding a seeded tree.
import ArgumentParser
import FSRescue
import FSRescueFixtures

struct FixtureCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create an image holding a seeded random tree, and its ground truth.",
        discussion: """
            The same arguments always give a byte-identical image. The tree holds nested directories, \
            files of many sizes (empty, one byte, block boundaries, up to --max-file-size), text and binary \
            content, sparse files, fast and slow symlinks, hard links, 255-byte and non-ASCII names, and xattrs.
            """)

    @Option(help: ArgumentHelp("The image file to create (refused if it exists, unless --force).", valueName: "img"))
    var out: String

    @Option(help: "ext2, ext3 or ext4.")
    var type: String = "ext4"

    @Option(help: ArgumentHelp("Image size, with K/M/G suffixes (default: computed to fit the tree).", valueName: "size"))
    var size: ByteSize?

    @Option(name: .customLong("block-size"), help: "1024, 2048 or 4096.")
    var blockSize: UInt32 = 4096

    @Option(help: "Regular files in the tree (symlinks and hard links come on top).")
    var files: Int = 1000

    @Option(help: "Directories below the root (default: one per 24 files).")
    var dirs: Int?

    @Option(name: .customLong("max-file-size"), help: ArgumentHelp("The largest file, with K/M/G suffixes.", valueName: "size"))
    var maxFileSize: ByteSize = ByteSize(bytes: 4 << 20)

    @Option(help: "The seed every byte derives from.")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("Where to write the ground truth (default: IMG.truth.json).", valueName: "path"))
    var truth: String?

    @Flag(help: "Replace an existing output file.")
    var force = false

    func validate() throws {
        guard FixtureType(rawValue: type) != nil else { throw ValidationError("--type \(type) is not ext2, ext3 or ext4") }
    }

    func run() throws {
        let spec = FixtureSpec(type: FixtureType(rawValue: type)!, sizeBytes: size?.bytes, blockSize: blockSize, files: files,
                               dirs: dirs, maxFileSize: maxFileSize.bytes, seed: seed)
        let made = try FixtureGenerator.create(spec, imagePath: out, truthPath: truth, replace: force, keepingEntries: false)
        let t = made.truth
        let counts = made.counts
        print("created \(made.imagePath): \(t.filesystem.type), \(ByteSize(bytes: t.filesystem.imageBytes)), block size \(t.filesystem.blockSize), "
              + "\(counts["file", default: 0]) file names, \(counts["dir", default: 0]) directories, \(counts["symlink", default: 0]) symlinks, seed \(seed)")
        print("truth: \(made.truthPath)")
    }
}
