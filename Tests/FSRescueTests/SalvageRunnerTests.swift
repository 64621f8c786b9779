// Salvage into a sandbox: exact content and paths, links, specials recorded, manifest hashes, resume.
import Foundation
import Synchronization
import Testing
@testable import FSRescue
import FSRescueTestSupport

@Suite("Salvage runner", .serialized)
struct SalvageRunnerTests {
    static func manifestItems(_ path: String) throws -> [[String: Any]] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }.filter { $0["record"] as? String == "item" }
    }

    func makeImage(_ dir: TemporaryDirectory) throws -> String {
        let src = dir.file("src")
        try FileManager.default.createDirectory(atPath: "\(src)/docs/deep/deeper", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: "\(src)/docs/readme.txt", contents: Data("read me\n".utf8))
        _ = FileManager.default.createFile(atPath: "\(src)/docs/deep/deeper/data.bin", contents: Data((0..<300_000).map { UInt8($0 % 251) }))
        _ = FileManager.default.createFile(atPath: "\(src)/victim.txt", contents: Data("I will be unlinked\n".utf8))
        try FileManager.default.createSymbolicLink(atPath: "\(src)/docs/link", withDestinationPath: "readme.txt")
        try FileManager.default.createSymbolicLink(atPath: "\(src)/escape", withDestinationPath: "/etc/passwd")
        link("\(src)/docs/readme.txt", "\(src)/hardlink.txt")
        chmod("\(src)/docs/readme.txt", 0o4755)
        let img = dir.file("fs.img")
        try TestImages.make(img, type: "ext4", blockSize: 1024, sizeMiB: 16, extra: ["-d", src])
        try TestImages.debugfsWrite(img, ["mknod pipe p", "mknod null c 1 3"])
        return img
    }

    @Test("the attached tree and an orphan come back exactly; specials are recorded, not created")
    func fullRun() throws {
        let dir = TemporaryDirectory()
        let img = try makeImage(dir)
        let victim = try Filesystem.open(path: img).lookup(path: "/victim.txt")
        try TestImages.debugfsWrite(img, ["unlink /victim.txt"])
        let out = dir.file("out")
        let summary = try expectUnchanged(img) {
            let fs = try Filesystem.open(path: img)
            var plan = SalvagePlan(orphans: [SalvagePlan.Orphan(inode: victim, kind: "unattached")])
            plan.lister = fs
            return try SalvageRunner(filesystem: fs, plan: plan, output: out).run()
        }
        #expect(summary.completed)
        #expect(summary.partial == 0)
        let src = dir.file("src")
        for rel in ["docs/readme.txt", "docs/deep/deeper/data.bin", "hardlink.txt"] {
            #expect(FileManager.default.contents(atPath: "\(out)/root/\(rel)") == FileManager.default.contents(atPath: "\(src)/\(rel)"), "\(rel)")
        }
        #expect(FileManager.default.contents(atPath: "\(out)/lost+found/#\(victim)") == Data("I will be unlinked\n".utf8))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "\(out)/root/escape") == "/etc/passwd")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "\(out)/root/docs/link") == "readme.txt")
        var a = stat(), b = stat()
        stat("\(out)/root/docs/readme.txt", &a)
        stat("\(out)/root/hardlink.txt", &b)
        #expect(a.st_ino == b.st_ino, "hard link kept")
        #expect(a.st_mode & 0o7000 == 0, "setuid dropped")
        #expect(!FileManager.default.fileExists(atPath: "\(out)/root/pipe"))
        #expect(!FileManager.default.fileExists(atPath: "\(out)/root/null"))

        let items = try Self.manifestItems("\(out)/manifest.jsonl")
        let byPath = Dictionary(items.map { ($0["path"] as! String, $0) }, uniquingKeysWith: { $1 })
        #expect(byPath["root/pipe"]?["status"] as? String == "skipped")
        #expect(byPath["root/null"]?["type"] as? String == "char-device")
        let data = try #require(byPath["root/docs/deep/deeper/data.bin"])
        #expect(data["status"] as? String == "complete")
        #expect(data["image_path"] as? String == "/docs/deep/deeper/data.bin")
        #expect(data["sha256"] as? String == SHA256.hex(of: (0..<300_000).map { UInt8($0 % 251) }))
        let orphan = try #require(byPath["lost+found/#\(victim)"])
        #expect(orphan["name_source"] as? String == "none")
        #expect(orphan["bytes_recovered"] as? Int == 19)
        #expect(byPath["root/hardlink.txt"]?["hard_link_to"] as? String == "root/docs/readme.txt"
                || byPath["root/docs/readme.txt"]?["hard_link_to"] as? String == "root/hardlink.txt")
    }

    /// Salvages ``makeImage(_:)``'s tree into `dir/out`, lets `damage` spoil the output as a stop
    /// would leave it, and salvages again into the same folder.
    func salvageTwice(_ dir: TemporaryDirectory, damage: (String) throws -> Void) throws -> (first: SalvageSummary, second: SalvageSummary) {
        let img = try makeImage(dir)
        let out = dir.file("out")
        let fs = try Filesystem.open(path: img)
        let plan = SalvagePlan.attachedTree(listedBy: fs)
        let first = try SalvageRunner(filesystem: fs, plan: plan, output: out).run()
        try damage(out)
        return (first, try SalvageRunner(filesystem: fs, plan: plan, output: out).run())
    }

    @Test("a second run into the same folder resumes: complete items are left as they are")
    func resume() throws {
        let dir = TemporaryDirectory()
        let out = dir.file("out")
        var before = stat()
        let (first, second) = try salvageTwice(dir) { out in
            stat("\(out)/root/docs/deep/deeper/data.bin", &before)
            // Damage one output file as an interrupted run would leave it.
            truncate("\(out)/root/docs/readme.txt", 3)
            _ = try Tool.run("/bin/sh", ["-c", "grep -v 'docs/readme.txt' \"$0\" > \"$0.tmp\" && mv \"$0.tmp\" \"$0\"", "\(out)/manifest.jsonl"])
        }
        var after = stat()
        stat("\(out)/root/docs/deep/deeper/data.bin", &after)
        #expect(after.st_ino == before.st_ino && after.st_mtim.tv_nsec == before.st_mtim.tv_nsec)
        #expect(second.resumed >= 2)
        #expect(second.resumed < first.complete)
        #expect(FileManager.default.contents(atPath: "\(out)/root/docs/readme.txt") == Data("read me\n".utf8))
        #expect(!FileManager.default.fileExists(atPath: "\(out)/root/docs/readme~1.txt"))
    }

    @Test("resume copies again a complete item whose output was left short (a power cut after its manifest line)")
    func resumeChecksLength() throws {
        let dir = TemporaryDirectory()
        let out = dir.file("out")
        let path = "\(out)/root/docs/deep/deeper/data.bin"
        // Delayed allocation lost the data, the manifest line (written after it) survived.
        let (first, second) = try salvageTwice(dir) { _ in truncate(path, 0) }
        #expect(FileManager.default.contents(atPath: path) == Data((0..<300_000).map { UInt8($0 % 251) }))
        #expect(!FileManager.default.fileExists(atPath: "\(out)/root/docs/deep/deeper/data~1.bin"))
        // Every other complete regular file is kept; this one is recorded again.
        let lines = try Self.manifestItems("\(out)/manifest.jsonl").filter { $0["path"] as? String == "root/docs/deep/deeper/data.bin" }
        #expect(lines.count == 2)
        #expect(second.resumed > 0)
        #expect(second.complete == first.complete)
    }

    @Test("refuses a non-empty folder without a manifest")
    func refusesForeignFolder() throws {
        let dir = TemporaryDirectory()
        let img = try makeImage(dir)
        let out = dir.file("out")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: "\(out)/precious.doc", contents: Data("mine".utf8))
        let fs = try Filesystem.open(path: img)
        var thrown: FSRescueError?
        do throws(FSRescueError) { _ = try SalvageRunner(filesystem: fs, plan: SalvagePlan(), output: out) } catch { thrown = error }
        #expect(thrown?.code == .usage)
        #expect(thrown?.message.contains("not empty") == true)
    }

    @Test("a big file's bytes count as they are copied, not all at once when it is queued", arguments: [false, true])
    func progressWithinAFile(parallel: Bool) throws {
        let dir = TemporaryDirectory()
        let src = dir.file("src")
        try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
        let size = 24 << 20
        _ = FileManager.default.createFile(atPath: "\(src)/big.bin", contents: Data((0..<size).map { UInt8(truncatingIfNeeded: ($0 &* 31) >> 7) }))
        let img = dir.file("fs.img")
        try TestImages.make(img, type: "ext4", blockSize: 4096, sizeMiB: 64, extra: ["-d", src])
        let recorder = UpdateRecorder()
        var options = SalvageOptions()
        options.parallelCopy = parallel
        let (runner, summary) = try expectUnchanged(img) {
            let fs = try Filesystem.open(path: img)
            let runner = try SalvageRunner(filesystem: fs, plan: SalvagePlan.attachedTree(listedBy: fs), output: dir.file("out"),
                                           options: options, progress: recorder)
            return (runner, try runner.run())
        }
        #expect(summary.completed)
        let values = recorder.values.withLock { $0 }.sorted()
        let steps = zip(values.dropFirst(), values).map { $0 - $1 }
        // Reads are 4 MiB at most: no step may be the whole 24 MiB file.
        #expect((steps.max() ?? 0) <= UInt64(4 << 20) + SalvageRunner.unitsPerItem, "steps \(steps)")
        #expect(values.last == runner.unitsDone)
        #expect(runner.unitsDone >= UInt64(size))
    }

    @Test("the progress total counts what the copy counts: data, holes it hashes, not holes it leaves unhashed",
          arguments: [false, true])
    func estimateMatchesSparseCopy(parallel: Bool) throws {
        let dir = TemporaryDirectory()
        let src = dir.file("src")
        try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
        let block = Data((0..<4096).map { UInt8($0 % 253) })
        // 3 blocks of data in 8 MiB (hashed as zeros: 8 MiB less 12 KiB of holes), and one block in
        // 2 GiB (more than 1 GiB of holes: not hashed, so its holes cost nothing and count nothing).
        for (name, size, offsets) in [("sparse.bin", UInt64(8 << 20), [UInt64(0), 3 << 20, 6 << 20]),
                                      ("vast.bin", UInt64(2) << 30, [UInt64(0)])] {
            _ = FileManager.default.createFile(atPath: "\(src)/\(name)", contents: nil)
            let h = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(src)/\(name)"))
            for offset in offsets {
                try h.seek(toOffset: offset)
                h.write(block)
            }
            try h.truncate(atOffset: size)
            try h.close()
        }
        let img = dir.file("fs.img")
        try TestImages.make(img, type: "ext4", blockSize: 4096, sizeMiB: 32, extra: ["-d", src])
        let recorder = UpdateRecorder()
        var options = SalvageOptions()
        options.parallelCopy = parallel
        let (estimate, runner, summary) = try expectUnchanged(img) {
            let fs = try Filesystem.open(path: img)
            let plan = SalvagePlan.attachedTree(listedBy: fs)
            let estimate = SalvageRunner.estimate(plan, filesystem: fs, options: options)
            let runner = try SalvageRunner(filesystem: fs, plan: plan, output: dir.file("out"), options: options,
                                           estimatedBytes: estimate.dataBytes, progress: recorder)
            return (estimate, runner, try runner.run())
        }
        #expect(summary.completed)
        #expect(estimate.dataBytes == 4 * 4096)
        #expect(estimate.hashedHoleBytes == (8 << 20) - 3 * 4096)
        // Every update stays within the plan, and the run ends on it exactly: the bar neither stalls at
        // 100% while the copy goes on nor jumps at the end.
        #expect(runner.unitsDone == estimate.units, "done \(runner.unitsDone), planned \(estimate.units)")
        #expect((recorder.values.withLock { $0 }.max() ?? 0) <= estimate.units)
        let items = try Self.manifestItems(dir.file("out/manifest.jsonl"))
        let vast = try #require(items.first { ($0["path"] as? String)?.hasSuffix("vast.bin") == true })
        #expect(vast["sha256_omitted"] != nil)
        let sparse = try #require(items.first { ($0["path"] as? String)?.hasSuffix("sparse.bin") == true })
        #expect(sparse["sha256"] != nil)
    }

    /// Also with every small file copied by the main thread (as when the copy thread falls behind):
    /// its reads are dropped by the copy thread's copier, in plan order.
    @Test("copied image data and the written output leave the page cache, for a big file and many small ones",
          .enabled(if: PageCache.observable), arguments: [nil, 0] as [Int?])
    func copiesLeaveNoCache(shareAbove: Int?) throws {
        let dir = TemporaryDirectory()
        let src = dir.file("src")
        try FileManager.default.createDirectory(atPath: "\(src)/small", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: "\(src)/big.bin", contents: Data((0..<(24 << 20)).map { UInt8(truncatingIfNeeded: $0 >> 9) }))
        for i in 0..<300 {
            _ = FileManager.default.createFile(atPath: "\(src)/small/f\(i)", contents: Data((0..<12_000).map { UInt8(truncatingIfNeeded: $0 &+ i) }))
        }
        let img = dir.file("fs.img")
        try TestImages.make(img, type: "ext4", blockSize: 4096, sizeMiB: 64, extra: ["-d", src])
        let out = dir.file("out")
        let (big, small): (Double, Double) = try expectUnchanged(img) {
            let fs = try Filesystem.open(path: img)
            let bs = UInt64(fs.blockSize)
            func dataRanges(_ path: String) throws -> [Range<UInt64>] {
                fs.dataMap(of: try fs.readInode(try fs.lookup(path: path))).runs.map { $0.physical * bs ..< ($0.physical + $0.length) * bs }
            }
            let bigRanges = try dataRanges("/big.bin")
            let smallRanges = try (0..<300).flatMap { try dataRanges("/small/f\($0)") }
            var options = SalvageOptions()
            options.shareCopyingAbove = shareAbove
            _ = try SalvageRunner(filesystem: fs, plan: SalvagePlan.attachedTree(listedBy: fs), output: out, options: options).run()
            // The image was just read whole by the hash before the run: its pages were all cached.
            return (try PageCache.residentShare(of: img, byteRanges: bigRanges),
                    try PageCache.residentShare(of: img, byteRanges: smallRanges))
        }
        #expect(big < 0.1, "\(Int(big * 100))% of the big file's copied data still cached")
        #expect(small < 0.1, "\(Int(small * 100))% of the small files' copied data still cached")
        // Written behind: on the disk and dropped, not left as (dirty) page cache.
        let outputs = ["root/big.bin"] + (0..<300).map { "root/small/f\($0)" }
        let cached = try outputs.map { try PageCache.residentShare(of: "\(out)/\($0)", byteRanges: [0..<(UInt64(1) << 40)]) }
        let share = cached.reduce(0, +) / Double(cached.count)
        #expect(share < 0.1, "\(Int(share * 100))% of the output still cached")
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(out)/root/big.bin")) == Data(contentsOf: URL(fileURLWithPath: "\(src)/big.bin")))
        #expect(FileManager.default.contents(atPath: "\(out)/root/small/f299") == FileManager.default.contents(atPath: "\(src)/small/f299"))
    }

    @Test("the output limit stops the run cleanly with a manifest")
    func outputLimit() throws {
        let dir = TemporaryDirectory()
        let img = try makeImage(dir)
        let out = dir.file("out")
        let fs = try Filesystem.open(path: img)
        let plan = SalvagePlan.attachedTree(listedBy: fs)
        var options = SalvageOptions()
        options.maxOutputBytes = 1000
        let summary = try SalvageRunner(filesystem: fs, plan: plan, output: out, options: options).run()
        #expect(!summary.completed)
        #expect(summary.stopReason?.contains("--max-output-bytes") == true)
        #expect(summary.bytesWritten <= 1000)
        let text = try String(contentsOfFile: "\(out)/manifest.jsonl", encoding: .utf8)
        #expect(text.contains("\"record\":\"end\""))
    }

    /// Every entry under `root` with its type, size, permission bits, mtime, link count and content; or
    /// only its regular files, without mtime (the item a stop lands on keeps the time it was created).
    static func tree(_ root: String, filesOnly: Bool = false) -> [String] {
        let items = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
        return items.filter { $0 != "manifest.jsonl" }.sorted().compactMap { rel in
            var st = stat()
            lstat("\(root)/\(rel)", &st)
            if filesOnly && st.st_mode & S_IFMT != S_IFREG { return nil }
            let content = st.st_mode & S_IFMT == S_IFREG ? SHA256.hex(of: [UInt8](FileManager.default.contents(atPath: "\(root)/\(rel)") ?? Data())) : ""
            return "\(rel) \(st.st_mode) \(st.st_size) \(filesOnly ? 0 : st.st_mtim.tv_sec) \(st.st_nlink) \(content)"
        }
    }

    /// An ext4 image of `files` files `f<i>` of `(i * step) % maxSize` bytes, every `linkEvery`-th also linked as `l<i>`.
    static func manyFilesImage(_ dir: TemporaryDirectory, files: Int, step: Int, maxSize: Int, linkEvery: Int,
                               blockSize: Int, sizeMiB: Int) throws -> String {
        let src = dir.file("src-many")
        try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
        for i in 0..<files {
            _ = FileManager.default.createFile(atPath: "\(src)/f\(i)", contents: Data(repeating: UInt8(i % 251), count: (i * step) % maxSize))
            if i % linkEvery == 0 { link("\(src)/f\(i)", "\(src)/l\(i)") }
        }
        let image = dir.file("many.img")
        try TestImages.make(image, type: "ext4", blockSize: blockSize, sizeMiB: sizeMiB, extra: ["-d", src])
        return image
    }

    /// After a stop (the output limit here) the copy thread drops what was queued behind the failing
    /// item and removes its files and links, but folders and symlinks the walk made meanwhile stay
    /// (README, the manifest): then only the regular files are compared.
    /// The third run makes the main thread copy every small file itself (as it does when the copy
    /// thread falls behind), except under an output limit, where it never shares.
    @Test("copying on a second thread, alone or shared with the main thread, writes the same files and the same manifest lines, in the same order, as copying inline",
          arguments: [nil, 150_000] as [UInt64?])
    func parallelCopySameAsInline(limit: UInt64?) throws {
        let dir = TemporaryDirectory()
        let img = try makeImage(dir)
        let many = try Self.manyFilesImage(dir, files: 300, step: 977, maxSize: 20_000, linkEvery: 7, blockSize: 1024, sizeMiB: 32)
        try TestImages.debugfsWrite(many, ["sif /f10 size 0x40000000"])
        for image in [img, many] {
            var outputs: [(items: [String], tree: [String], summary: SalvageSummary)] = []
            for (parallel, share) in [(false, false), (true, false), (true, true)] {
                let out = dir.file("out-\(parallel)-\(outputs.count)-\((image as NSString).lastPathComponent)")
                let summary = try expectUnchanged(image) {
                    let fs = try Filesystem.open(path: image)
                    var options = SalvageOptions()
                    options.parallelCopy = parallel
                    options.maxOutputBytes = limit
                    if share { options.shareCopyingAbove = 0 }
                    let runner = try SalvageRunner(filesystem: fs, plan: SalvagePlan.attachedTree(listedBy: fs), output: out, options: options)
                    let summary = try runner.run()
                    if share { #expect((runner.pipeline.sharedCopies > 0) == (limit == nil)) }
                    return summary
                }
                let lines = try String(contentsOfFile: "\(out)/manifest.jsonl", encoding: .utf8).split(separator: "\n")
                outputs.append((lines.filter { $0.contains("\"record\":\"item\"") }.map(String.init),
                                 Self.tree(out, filesOnly: limit != nil), summary))
            }
            for other in outputs.dropFirst() {
                #expect(outputs[0].items == other.items)
                #expect(outputs[0].tree == other.tree)
                #expect(outputs[0].summary.items == other.summary.items)
                #expect(outputs[0].summary.complete == other.summary.complete)
                #expect(outputs[0].summary.skipped == other.summary.skipped)
                #expect(outputs[0].summary.bytesWritten == other.summary.bytesWritten)
                #expect(outputs[0].summary.completed == other.summary.completed)
                #expect(outputs[0].summary.stopReason == other.summary.stopReason)
                if limit != nil { #expect(!other.summary.completed) }
            }
        }
    }

    /// tmpfs has nothing to write back, so there salvage skips `sync_file_range`/`posix_fadvise` and
    /// closes each file at once: the files, the manifest lines and the counts stay the same.
    @Test("salvage into tmpfs (no writeback) writes the same files and manifest lines as into a disk folder")
    func memoryOutputSameAsDisk() throws {
        let shm = "/dev/shm"
        let mounts = (try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)) ?? ""
        guard mounts.split(separator: "\n").contains(where: { $0.hasPrefix("tmpfs \(shm) ") }) else { return }
        let dir = TemporaryDirectory()
        let memory = TemporaryDirectory("fsrescue-tmpfs", under: shm)
        let img = try Self.manyFilesImage(dir, files: 200, step: 4177, maxSize: 300_000, linkEvery: 9, blockSize: 4096, sizeMiB: 64)
        var results: [(items: [String], tree: [String], summary: SalvageSummary)] = []
        for out in [dir.file("out"), memory.file("out")] {
            let summary = try expectUnchanged(img) {
                let fs = try Filesystem.open(path: img)
                let runner = try SalvageRunner(filesystem: fs, plan: SalvagePlan.attachedTree(listedBy: fs), output: out, options: SalvageOptions())
                return try runner.run()
            }
            let lines = try String(contentsOfFile: "\(out)/manifest.jsonl", encoding: .utf8).split(separator: "\n")
            // Regular files only: a folder's st_size is the output filesystem's own.
            results.append((lines.filter { $0.contains("\"record\":\"item\"") }.map(String.init), Self.tree(out, filesOnly: true), summary))
        }
        #expect(try OutputSandbox(root: memory.file("out")).writesBack == false)
        #expect(results[0].items == results[1].items)
        #expect(results[0].tree == results[1].tree)
        #expect(results[1].summary.complete == results[0].summary.complete)
        #expect(results[1].summary.bytesWritten == results[0].summary.bytesWritten)
        #expect(results[1].summary.completed)
    }
}

/// Records every count a salvage reports, from whichever thread.
final class UpdateRecorder: FSRescue.ProgressReporting {
    let values = Mutex<[UInt64]>([])
    func start(plan: [PassPlan]) {}
    func beginPass(_ index: Int, units: UInt64) {}
    func update(done: UInt64) { values.withLock { $0.append(done) } }
    func endPass(_ index: Int) {}
    func finish(completed: Bool) {}
    var cancellationRequested: Bool { false }
}
