// Pass 2 and the name lookups after it follow one rule for which directory entries name an inode.
import Foundation
import Testing
import FSRescue
import FSRescueTestSupport

@Suite("one rule for which entries name an inode")
struct EntryNamingTests {
    /// Pass 2 records, for every inode an entry names, the directory holding the first such entry;
    /// the name is found again later by re-reading that directory with the same rule
    /// (`InodeTable.namedPosition`). Were the two to differ, a damaged directory (out-of-place `.` and
    /// `..`, reserved inodes, entries naming free inodes) would leave an inode with a parent but no name.
    @Test("on every damaged corpus image, each inode pass 2 gave a parent gets its name back from that parent")
    func everyParentedInodeHasItsName() throws {
        let images = Corpus.images
        try #require(!images.isEmpty, "the e2fsprogs corpus was not found (../shared/corpus/e2fsprogs)")
        let dir = TemporaryDirectory()
        var checked = 0
        for image in images {
            guard let img = try? image.decompress(into: dir.path), let fs = try? Filesystem.open(path: img) else { continue }
            // The scan and every name read again after it leave the image as it was.
            try expectUnchanged(img) {
                let report = fs.scan()
                for i in report.inodes.indices {
                    let facts = report.inodes[i]
                    guard facts.parent != nil else { continue }
                    checked += 1
                    #expect(facts.name != nil, "\(image.name): inode \(facts.inode) has parent \(facts.parent ?? 0) but no name found there")
                }
            }
            try? FileManager.default.removeItem(atPath: img)
        }
        #expect(checked > 1000, "too few named inodes checked: \(checked)")
    }
}
