// Scan scored against fixture ground truth: every corruption kind reported with the right codes, inodes and blocks.
import Foundation
import Testing
import FSRescue
import FSRescueFixtures
import FSRescueTestSupport

@Suite("scan scored against fixture truth", .serialized)
struct ScanFixtureScoringTests {
    @Test("a fresh fixture is clean: no problem, no orphan", arguments: [FixtureType.ext4, .ext3, .ext2])
    func fresh(type: FixtureType) throws {
        let dir = TemporaryDirectory()
        var spec = ScoringFixtures.spec
        spec.type = type
        let f = try ScoringFixtures.make(nil, in: dir, spec: spec)
        let report = try expectUnchanged(f.path) { try Filesystem.open(path: f.path).scan() }
        #expect(report.completed)
        #expect(report.verdict == .clean, "\(report.findings.filter { $0.severity >= .warning }.map(\.message))")
        #expect(report.orphans.isEmpty)
        #expect(report.inodes.filter { !$0.isSystem && !$0.reachable }.isEmpty)
        ScanScore(report: report, fixture: f).namesAgree()
    }

    @Test("each corruption is reported with its codes and the truth's inodes and blocks",
          arguments: CorruptionKind.allCases, [FixtureType.ext4, .ext3, .ext2])
    func kind(_ kind: CorruptionKind, type: FixtureType) throws {
        let dir = TemporaryDirectory()
        var spec = ScoringFixtures.spec
        spec.type = type
        let f = try ScoringFixtures.make(kind, in: dir, spec: spec)
        let report = try expectUnchanged(f.path) { try Filesystem.open(path: f.path).scan() }
        let c = try #require(f.corruption)
        #expect(report.completed)
        #expect(report.verdict == .damaged)
        let score = ScanScore(report: report, fixture: f)
        switch kind {
        case .hostileNames:
            score.hostileNames(c)
            score.namesAgree(also: c.addedEntries ?? [])
        case .unlinkFile: score.unlinked(c, as: .unattached, code: .inodeUnattached)
        case .unlinkDir: score.unlinkedDirectories(c)
        case .orphanList: score.unlinked(c, as: .orphanList, code: .orphanListEntry)
        case .directoryLoop: score.directoryLoop(c)
        case .clearInode: score.clearedDirectories(c)
        case .linkCount: score.linkCounts(c)
        case .duplicateBlocks: score.duplicateBlocks(c)
        case .bitmapFlip: score.bitmapFlips(c)
        case .dirBlockNoise: score.directoryNoise(c)
        case .inodeTableNoise: score.inodeTableNoise(c)
        case .zeroSuperblock: score.zeroSuperblock(c)
        case .truncate: score.truncated(c)
        }
        score.orphansAreAffected()
        score.reachabilityAgrees()
    }

    @Test("a small directory's link count lowered to 1 is reported, as e2fsck -fn reports it")
    func directoryLinkCountOne() throws {
        let dir = TemporaryDirectory()
        // Seed 17 lowers a directory without subdirectories from 2 links to 1 (checked below, so the case stays covered).
        let f = try ScoringFixtures.make(.linkCount, in: dir, seed: 17)
        let c = try #require(f.corruption)
        let lowered = c.details.filter { key, value in f.entries[UInt32(key) ?? 0]?.first?.type == "dir" && value.hasSuffix("-> 1") }
        try #require(!lowered.isEmpty, "seed 17 no longer lowers a directory to 1 link: \(c.details)")
        let report = try expectUnchanged(f.path) { try Filesystem.open(path: f.path).scan() }
        ScanScore(report: report, fixture: f).linkCounts(c)
    }
}

/// The report of one scan against the truth of the fixture it scanned.
struct ScanScore {
    let report: ScanReport
    let fixture: ScoredFixture
    let orphans: [UInt32: Orphan]

    init(report: ScanReport, fixture: ScoredFixture) {
        self.report = report
        self.fixture = fixture
        orphans = Dictionary(report.orphans.map { ($0.inode, $0) }, uniquingKeysWith: { a, _ in a })
    }

    func findings(_ code: FindingCode) -> [Finding] { report.findings.filter { $0.code == code } }
    func codes(inode: UInt32) -> Set<String> { Set(report.findings.filter { $0.inode == inode }.map(\.code.id)) }

    /// Every orphan the scan lists is an inode the truth says a corruption touched (no invented orphans).
    func orphansAreAffected() {
        for orphan in report.orphans {
            #expect(fixture.affected[orphan.inode] != nil, "orphan \(orphan.inode) (\(orphan.kind)) is not affected in the truth")
        }
    }

    /// What the truth says is reachable from the root the scan finds reachable, and what survives
    /// unreachable is an orphan or lies in the subtree of one, so salvage places it.
    func reachabilityAgrees() {
        for fate in fixture.affected.values.sorted(by: { $0.inode < $1.inode }) {
            guard let facts = report.inodes[inode: fate.inode] else { continue }
            // An entry named '.' or '..' names nothing a path can reach (the truth counts it; lookups do not).
            let oddlyNamed = fixture.entries[fate.inode]?.contains { $0.name == "." || $0.name == ".." } ?? false
            if fate.reachable && !oddlyNamed {
                #expect(facts.reachable, "inode \(fate.inode) (\(fate.paths.first ?? "")) is reachable in the truth")
            } else if !fate.reachable && fate.content != "lost" {
                #expect(!facts.reachable, "inode \(fate.inode) is unreachable in the truth")
                #expect(placedByAnOrphan(fate.inode), "unreachable inode \(fate.inode) (\(fate.paths.first ?? "")) is neither an orphan nor under one")
            }
        }
    }

    /// The inode is an orphan, or its chain of first parents reaches one.
    func placedByAnOrphan(_ inode: UInt32) -> Bool {
        var current = inode
        for _ in 0..<64 {
            if orphans[current] != nil { return true }
            guard let parent = report.inodes[inode: current]?.parent else { return false }
            current = parent
        }
        return false
    }

    func expectEvidence(_ orphan: Orphan?, matches location: NameLocation) {
        let wanted = ScoringFixtures.nameBytes(location)
        let evidence = orphan?.nameEvidence.first { $0.name == wanted && $0.source == .slack }
        #expect(evidence != nil, "no slack evidence '\(location.name)' for inode \(location.inode): \(orphan?.nameEvidence.map { String(decoding: $0.name, as: UTF8.self) } ?? [])")
        #expect(evidence?.directory == location.dirInode)
        #expect(evidence?.block == location.block)
        #expect(evidence.map { Int($0.offset) } == location.offset)
    }

    // MARK: Kinds

    func hostileNames(_ c: AppliedCorruption) {
        let added = c.addedEntries ?? []
        guard let hostile = added.first(where: { $0.type == "dir" && $0.parentInode == 2 }) else {
            Issue.record("the truth has no hostile directory")
            return
        }
        // '.', '..' and the two names holding '/' are invalid names; each is reported at its block.
        let invalid = added.filter { $0.parentInode == hostile.inode && ($0.name == "." || $0.name == ".." || ScoringFixtures.nameBytes($0).contains(0x2F)) }
        #expect(invalid.count == 4)
        let badNames = findings(.dirBadName).filter { $0.inode == hostile.inode }
        #expect(badNames.count == invalid.count, "\(badNames.map(\.message))")
        // Two entries named 'shadow' (a symlink and a directory) in one block are a duplicate.
        let shadows = added.filter { $0.parentInode == hostile.inode && $0.name == "shadow" }
        #expect(shadows.count == 2)
        #expect(findings(.dirDuplicateName).contains { $0.inode == hostile.inode }, "the second 'shadow' is not reported")
        // Nothing else in the hostile tree is damaged: devices, FIFO, socket, setuid, mode 000, sparse are all legal.
        let hostileInodes = Set(added.map(\.inode))
        let others = report.findings.filter { $0.inode.map(hostileInodes.contains) ?? false }
            .filter { ![FindingCode.dirBadName, .dirDuplicateName, .inodeUnattached].contains($0.code) }
        #expect(others.isEmpty, "\(others.map(\.message))")
    }

    /// The first name of every named inode, which the table does not keep but finds again in its
    /// parent directory, is a name the truth gives it in that directory; a lookup by number gives
    /// the same facts as the walk in table order.
    func namesAgree(also added: [FixtureTruth.Entry] = []) {
        var truth: [UInt32: [(parent: UInt32, name: [UInt8])]] = [:]
        for e in fixture.entries.values.joined() + added { truth[e.inode, default: []].append((e.parentInode, ScoringFixtures.nameBytes(e))) }
        var checked = 0
        for facts in report.inodes where !facts.isSystem {
            #expect(report.inodes[inode: facts.inode] == facts, "inode \(facts.inode) looked up by number differs")
            guard let parent = facts.parent, let names = truth[facts.inode] else { continue }
            let name = facts.name ?? []
            #expect(names.contains { $0.parent == parent && $0.name == name },
                    "inode \(facts.inode): first name '\(String(decoding: name, as: UTF8.self))' in directory \(parent) is not the truth's")
            checked += 1
        }
        #expect(checked > 100)
    }

    /// unlink-file and orphan-list: exactly the truth's inodes are orphans of `kind`, each with its finding
    /// and its old name found in slack where the truth says it lies.
    func unlinked(_ c: AppliedCorruption, as kind: OrphanKind, code: FindingCode) {
        #expect(Set(report.orphans.filter { $0.kind == kind }.map(\.inode)) == Set(c.inodes))
        #expect(report.orphans.count == c.inodes.count)
        #expect(Set(findings(code).compactMap(\.inode)) == Set(c.inodes))
        for location in c.names {
            let orphan = orphans[location.inode]
            #expect(orphan?.type == .regular)
            #expect(orphan?.worthSalvaging == (fixture.entries[location.inode]?.first?.size ?? 0 > 0))
            expectEvidence(orphan, matches: location)
        }
        #expect(findings(.inodeLinkCount).isEmpty, "\(findings(.inodeLinkCount).map(\.message))")
    }

    func unlinkedDirectories(_ c: AppliedCorruption) {
        #expect(Set(report.orphans.map(\.inode)) == Set(c.inodes))
        #expect(Set(findings(.dirDisconnected).compactMap(\.inode)) == Set(c.inodes))
        for location in c.names {
            let orphan = orphans[location.inode]
            #expect(orphan?.kind == .disconnectedDirectory)
            expectEvidence(orphan, matches: location)
            // '..' still names the parent it was removed from.
            #expect(orphan?.nameEvidence.contains { $0.source == .dotdot && $0.directory == location.dirInode } == true)
            // The subtree keeps its internal names: every inode under the old path counts.
            guard let path = fixture.entries[location.inode]?.first?.path else { continue }
            let under = Set(fixture.truth.entries.filter { $0.path.hasPrefix(path + "/") }.map(\.inode))
            #expect(orphan?.subtreeInodes == under.count + 1)
        }
        // The fixture lowered the parents' link counts as rmdir would, but each lost directory's '..' still
        // names its parent: exactly those parents are counted more entries than links.
        #expect(Set(findings(.inodeLinkCount).compactMap(\.inode)) == Set(c.names.map(\.dirInode)), "\(findings(.inodeLinkCount).map(\.message))")
    }

    func directoryLoop(_ c: AppliedCorruption) {
        let looped = c.inodes[0], inside = c.inodes[1]
        let link = c.names[0]
        #expect(link.dirInode == inside)
        let hardLink = findings(.dirHardLink).filter { $0.inode == looped }
        #expect(hardLink.count == 1, "\(report.findings.map(\.message))")
        #expect(hardLink.first?.block == link.block)
        // The directory is still reached by its own entry: no loop cut off from the root, no orphan.
        #expect(report.orphans.isEmpty)
        #expect(findings(.dirDisconnected).isEmpty)
        #expect(report.inodes[inode: looped]?.reachable == true)
        #expect(report.inodes[inode: looped]?.parent == fixture.entries[looped]?.first?.parentInode)
    }

    func clearedDirectories(_ c: AppliedCorruption) {
        for cleared in c.inodes {
            #expect(report.inodes[inode: cleared] == nil, "cleared inode \(cleared) is still taken as live")
            // Its entry in its parent now names an unused inode (when the parent is live: a name in a
            // cleared parent's blocks lies in blocks nothing maps, which the scan does not read today).
            let names = fixture.affected[cleared]?.names ?? []
            #expect(!names.isEmpty)
            for name in names where name.state == "live" {
                let unused = findings(.dirUnusedInode).filter { $0.inode == name.dirInode && $0.block == name.block }
                #expect(unused.count == 1 && unused[0].message.contains("inode \(cleared)"), "\(findings(.dirUnusedInode).map(\.message))")
            }
            // Its children lost their parent: files unattached, directories disconnected with '..' naming it.
            for child in fixture.truth.entries where child.parentInode == cleared && !c.inodes.contains(child.inode) {
                let orphan = orphans[child.inode]
                switch child.type {
                case "dir":
                    #expect(orphan?.kind == .disconnectedDirectory, "child directory \(child.path)")
                    #expect(orphan?.nameEvidence.contains { $0.source == .dotdot && $0.directory == cleared } == true)
                case _ where child.links == 1:
                    #expect(orphan?.kind == .unattached, "child \(child.type) \(child.path)")
                    #expect(codes(inode: child.inode).contains("inode.unattached"))
                default:
                    break  // a hard link keeps its other names
                }
            }
        }
    }

    func linkCounts(_ c: AppliedCorruption) {
        let reported = findings(.inodeLinkCount)
        #expect(Set(reported.compactMap(\.inode)) == Set(c.inodes), "\(reported.map(\.message)); truth \(c.details)")
        #expect(reported.count == c.inodes.count)
        #expect(report.orphans.isEmpty)
    }

    func duplicateBlocks(_ c: AppliedCorruption) {
        let pairs = stride(from: 0, to: c.inodes.count - 1, by: 2).map { (owner: c.inodes[$0], claimant: c.inodes[$0 + 1]) }
        #expect(pairs.count == ScoringFixtures.count)
        let shared = Dictionary(report.sharedBlocks.map { ($0.inode, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(Set(shared.keys) == Set(c.inodes))
        for (owner, claimant) in pairs {
            let blocks = UInt64(fixture.entries[claimant]?.first?.extents?.first?[2] ?? 0)
            #expect(shared[owner]?.sharedWith == [claimant])
            #expect(shared[claimant]?.sharedWith == [owner])
            #expect(shared[owner]?.blockCount == blocks)
            #expect(shared[claimant]?.blockCount == blocks)
            for ino in [owner, claimant] {
                let finding = findings(.blockMultiplyClaimed).filter { $0.inode == ino }
                #expect(finding.count == 1 && finding[0].message.contains("inode \(ino == owner ? claimant : owner)"))
            }
        }
        #expect(report.orphans.isEmpty)
    }

    /// Every flipped bit shows in a bitmap difference of the right direction: used blocks marked free
    /// are errors (a writer could overwrite them), free ones marked used warnings.
    func bitmapFlips(_ c: AppliedCorruption) {
        for (_, text) in c.details.sorted(by: { $0.key < $1.key }) {
            let words = text.split(separator: " ")
            guard words.count == 5, let number = UInt64(words[1]) else { continue }
            let usedToFree = words[2] == "used"
            let code: FindingCode = words[0] == "block" ? .blockBitmapDifferences : .inodeBitmapDifferences
            let hits = findings(code).filter { ($0.severity == .error) == usedToFree && Self.listed(in: $0.message).contains { $0.contains(number) } }
            #expect(hits.count == 1, "\(text) not reported: \(findings(code).map(\.message))")
        }
        #expect(c.blocks.count + c.inodes.count == c.details.count)
    }

    /// The block or inode ranges a bitmap finding lists after its last colon ("3, 7–9, …").
    static func listed(in message: String) -> [ClosedRange<UInt64>] {
        guard let colon = message.lastIndex(of: ":") else { return [] }
        return message[message.index(after: colon)...].split(separator: ",").compactMap { part in
            let bounds = part.trimmingCharacters(in: CharacterSet(charactersIn: " .…")).split(separator: "–").compactMap { UInt64($0) }
            guard let low = bounds.first, let high = bounds.last, low <= high else { return nil }
            return low...high
        }
    }

    func directoryNoise(_ c: AppliedCorruption) {
        for (dir, block) in zip(c.inodes, c.blocks) {
            let hits = report.findings.filter { $0.inode == dir && $0.block == block }
            #expect(!hits.isEmpty, "noise over block \(block) of directory \(dir) is not reported")
            if fixture.truth.filesystem.metadataChecksums {
                #expect(hits.contains { $0.code == .dirChecksum })
            }
        }
        // Each name the noise destroyed leaves its inode unnamed (unless it has another name).
        for name in c.names where (fixture.entries[name.inode]?.count ?? 0) == 1 {
            #expect(placedByAnOrphan(name.inode), "inode \(name.inode) lost its only name '\(name.name)'")
        }
    }

    func inodeTableNoise(_ c: AppliedCorruption) {
        for ino in c.inodes {
            // Noise never passes for a live inode: each is reported, and none is taken as a file.
            #expect(!codes(inode: ino).isEmpty, "destroyed inode \(ino) is not reported")
            if fixture.truth.filesystem.metadataChecksums {
                #expect(codes(inode: ino).contains("inode.checksum"))
            }
            #expect(orphans[ino] == nil)
            // Its names now point at an inode that is not in use.
            for entry in fixture.entries[ino] ?? [] where !c.inodes.contains(entry.parentInode) {
                #expect(findings(.dirUnusedInode).contains { $0.inode == entry.parentInode && $0.message.contains("inode \(ino)") },
                        "entry \(entry.path) is not reported as naming an unused inode")
            }
        }
    }

    func zeroSuperblock(_ c: AppliedCorruption) {
        let backups = fixture.truth.filesystem.backupSuperblocks
        #expect(!backups.isEmpty)
        #expect(findings(.primarySuperblockUnusable).count == 1)
        #expect(report.info.superblock.isBackup)
        #expect(backups.contains(report.info.superblock.block))
        // Opened from a backup, the tree is as it was: every inode reachable, nothing orphaned. The backup's
        // group descriptors are as old as mke2fs, so only pass 5 may differ (as it does for e2fsck -fn).
        let problems = report.findings.filter { $0.severity >= .warning && $0.code != .primarySuperblockUnusable }
        #expect(problems.allSatisfy { $0.pass == .summary } && !problems.contains { $0.code == .bitmapUnreadable },
                "\(problems.map(\.message))")
        #expect(report.orphans.isEmpty)
        for inode in fixture.entries.keys {
            #expect(report.inodes[inode: inode]?.reachable == true, "inode \(inode) is not reachable from the backup")
        }
    }

    func truncated(_ c: AppliedCorruption) {
        let cut = c.blocks[0]
        #expect(findings(.imageTruncated).count == 1)
        #expect(report.info.truncation.isShort)
        // Every directory block past the cut is reported unreadable, for its directory.
        for dirs in fixture.entries.values where dirs[0].type == "dir" && report.inodes[inode: dirs[0].inode] != nil {
            for e in dirs[0].extents ?? [] {
                for b in e[1]..<(e[1] + e[2]) where b >= cut {
                    #expect(findings(.dirUnreadableBlock).contains { $0.inode == dirs[0].inode && $0.block == b },
                            "block \(b) of directory \(dirs[0].path) lies past the cut")
                }
            }
        }
    }
}
