// Quota files against what the files use, as e2fsck compares them at its end
// (quota_compare_and_update: "[QUOTA WARNING] Usage inconsistent", "Update quota info? no", exit 4).

/// The usage pass 1 counts per quota ID, for the quota types whose files the superblock names.
struct QuotaTally {
    /// The quota file of each type checked (`s_usr_quota_inum`, `s_grp_quota_inum`, `s_prj_quota_inum`).
    let files: [(type: QuotaType, inode: UInt32)]
    /// Per type (``QuotaType/rawValue``), per ID.
    var usage: [[UInt32: QuotaUsage]] = [[:], [:], [:]]
    /// Extended attribute blocks of files that may keep values in EA inodes: each such value counts
    /// one more inode for the file's IDs, charged once pass 1 has read each block.
    var attributeBlocks: [(block: UInt64, ids: [UInt32])] = []
    let projectIDsKept: Bool

    /// The tally to keep, or nil: only with the quota feature, for the types whose inodes are set.
    init?(_ sb: Superblock, features: Features) {
        guard features.contains(.quota) else { return nil }
        let inodes = sb.quotaInodes
        files = QuotaType.allCases.compactMap { t in inodes[t.rawValue] == 0 ? nil : (t, inodes[t.rawValue]) }
        guard !files.isEmpty else { return nil }
        projectIDsKept = sb.inodeSize >= Self.projectIDEnd
    }

    static let extraIsizeOffset = 128   // i_extra_isize in ext2_inode_large
    static let projectIDOffset = 156    // i_projid
    static let projectIDEnd = 160

    /// The user, group and project IDs of an inode: 32-bit IDs from their low and high halves, the
    /// project ID only where the inode's extra space covers `i_projid` (else 0, as e2fsck's get_qid).
    func ids(of raw: RawInode, bytes: UnsafeRawPointer) -> [UInt32] {
        let uid = raw.uid, gid = raw.gid
        var project: UInt32 = 0
        if projectIDsKept, Self.extraIsizeOffset + Int(bytes.loadUnaligned(fromByteOffset: Self.extraIsizeOffset, as: UInt16.self)) >= Self.projectIDEnd {
            project = bytes.loadUnaligned(fromByteOffset: Self.projectIDOffset, as: UInt32.self)
        }
        return [uid, gid, project]
    }

    mutating func charge(_ ids: [UInt32], space: UInt64, inodes: UInt64) {
        for t in 0..<3 {
            usage[t][ids[t], default: QuotaUsage()].space += space
            usage[t][ids[t], default: QuotaUsage()].inodes += inodes
        }
    }
}

extension InodePass {
    /// Charges an in-use inode to its IDs as e2fsck's pass 1 does: the root and every inode from
    /// `s_first_ino` with links, but not the project quota file, the orphan file or EA inodes; its
    /// i_blocks in bytes (the blocks e2fsck counts, when i_blocks is right; when it is not, pass 1
    /// says so), one inode, and one more per attribute value kept in an EA inode.
    mutating func chargeQuota(_ ino: UInt32, _ buffer: InodeBuffer, eaValuesInInode: Int) {
        guard var tally = quota else { return }
        let raw = buffer.view
        guard raw.links > 0, ino == Self.rootInode || ino >= firstInode, !raw.flags.contains(.attributeValue),
              ino != settings.projectQuotaInode, ino != settings.orphanFileInode else { return }
        quota = nil  // no copy-on-write of the tally while it changes
        let ids = tally.ids(of: raw, bytes: UnsafeRawPointer(buffer.raw))
        tally.charge(ids, space: raw.statBlocks * 512, inodes: 1 + UInt64(eaValuesInInode))
        if hasEAInode, raw.xattrBlock != 0 { tally.attributeBlocks.append((raw.xattrBlock, ids)) }
        quota = tally
    }

    /// Charges each file with an attribute block one more inode per value that block keeps in an EA
    /// inode; `valuesInBlock` is counted where pass 1 reads each block once (``checkXattrBlocks()``).
    mutating func chargeAttributeBlockValues(_ valuesInBlock: [UInt64: Int]) {
        guard var tally = quota, !tally.attributeBlocks.isEmpty else { return }
        quota = nil  // no copy-on-write of the tally while it changes
        for (block, ids) in tally.attributeBlocks {
            if let count = valuesInBlock[block], count > 0 { tally.charge(ids, space: 0, inodes: UInt64(count)) }
        }
        tally.attributeBlocks = []
        quota = tally
    }
}

extension ScanRun {
    static let quotaFindingLimit = 32
    /// A quota file larger than this is not read, as e2fsck refuses it (2 GiB).
    static let quotaFileLimit: UInt64 = 1 << 31

    /// Compares each quota file with the usage pass 1 counted: every record must match its ID's usage
    /// (an ID with no files uses nothing), and every ID that owns files must have a record.
    func checkQuotas() {
        guard let tally = quota else { return }
        for (type, ino) in tally.files {
            let what = "The \(type.idName) quota file (inode \(ino))"
            let file: QuotaFile
            do {
                let (bytes, size) = try quotaFileBytes(ino)
                file = try QuotaFile(bytes, fileSize: size, type: type)
            } catch {
                add(Finding(.quotaUnreadable, "\(what) cannot be read: \(error.reason); \(type.idName) quotas were not checked.", inode: ino))
                continue
            }
            var counted = tally.usage[type.rawValue]
            var wrong: [String] = []
            var wrongCount = 0
            func note(_ text: String) {
                wrongCount += 1
                if wrong.count < Self.quotaFindingLimit { wrong.append(text) }
            }
            var recorded = Set<UInt32>()
            for (id, usage) in file.records {
                recorded.insert(id)
                let actual = counted[id] ?? QuotaUsage()
                if actual != usage {
                    note("ID \(id) is recorded as \(usage), but its files use \(actual)")
                }
            }
            for id in recorded { counted[id] = nil }
            for (id, usage) in counted.sorted(by: { $0.key < $1.key }) {
                note("ID \(id) has no record, but its files use \(usage)")
            }
            for text in wrong {
                add(Finding(.quotaUsage, "\(what): \(type.idName) \(text).", inode: ino))
            }
            if wrongCount > wrong.count {
                add(Finding(.quotaUsage, "\(what): \(wrongCount - wrong.count) more \(type.idName) IDs disagree with their files' usage.", inode: ino))
            }
        }
    }

    /// The quota inode's contents up to its last mapped block (holes and unwritten blocks read as
    /// zeros), and its size: memory follows the blocks the file has, whatever `i_size` claims.
    private func quotaFileBytes(_ ino: UInt32) throws(QuotaFileError) -> (bytes: [UInt8], size: UInt64) {
        let inode: InodeRecord
        do { inode = try filesystem.readInode(ino) } catch { throw QuotaFileError("its inode cannot be read (\(error.message))") }
        guard inode.size <= Self.quotaFileLimit else { throw QuotaFileError("it is \(inode.size) bytes long, more than is checked") }
        let map = filesystem.dataMap(of: inode)
        if let lost = map.lost.first { throw QuotaFileError("logical block \(lost.logical) cannot be located (\(lost.reason))") }
        let bs = UInt64(blockSize)
        let mappedEnd = map.runs.last.map { ($0.logical + $0.length) * bs } ?? 0
        var bytes = [UInt8](repeating: 0, count: Int(min(inode.size, mappedEnd)))
        for run in map.runs where !run.unwritten {
            for k in 0..<run.length {
                let offset = (run.logical + k) * bs
                guard offset < UInt64(bytes.count) else { break }
                let block: [UInt8]
                do { block = try filesystem.readBlock(run.physical + k) } catch { throw QuotaFileError("block \(run.physical + k) cannot be read (\(error.message))") }
                let n = Int(min(bs, UInt64(bytes.count) - offset))
                bytes.replaceSubrange(Int(offset)..<(Int(offset) + n), with: block.prefix(n))
            }
        }
        return (bytes, inode.size)
    }
}
