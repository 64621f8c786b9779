// `fsrescue info`: what is in an image, without checking every inode.
import ArgumentParser
import FSRescue

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show what an image holds: partitions, filesystem type and features, superblock used, state.",
        discussion: """
            Opens the image read-only, finds the ext filesystem (whole image, the one ext partition of a disk \
            image, or a backup superblock when the primary is damaged) and prints its facts. \
            Exit status: 0 when opening met no problem, 4 when it did (a backup superblock was needed, \
            checksums fail, the image is shorter than the filesystem, the kernel recorded errors), 8 when \
            there is no usable ext filesystem.
            """)

    @OptionGroup var imageOptions: ImageOptions

    @Flag(help: "Print a JSON document (schema fsrescue.info/1) instead of text.")
    var json = false

    func run() throws {
        let fs = try imageOptions.openFilesystem()
        let info = fs.info
        if json {
            try JSONOutput.print(info, schema: "fsrescue.info/1")
        } else {
            print(InfoReport.text(info), terminator: "")
        }
        try imageOptions.finish(fs)
        if !info.isClean || !fs.source.readErrors.all.isEmpty { throw ExitCode(ExitStatus.problemsFound.rawValue) }
    }
}
