// Reading inodes by number, and an inode record from raw bytes, through libext2fs's inode structure.
internal import CFSRescueExt2fs

extension InodeRecord {
    /// The record of inode `number` as libext2fs's structure holds it.
    init(number: UInt32, _ inode: ext2_inode_large) {
        self.number = number
        mode = inode.i_mode
        uid = UInt32(inode.i_uid) | UInt32(inode.osd2.linux2.l_i_uid_high) << 16
        gid = UInt32(inode.i_gid) | UInt32(inode.osd2.linux2.l_i_gid_high) << 16
        size = UInt64(inode.i_size) | UInt64(inode.i_size_high) << 32
        linksCount = inode.i_links_count
        accessTime = Int64(Int32(bitPattern: inode.i_atime))
        changeTime = Int64(Int32(bitPattern: inode.i_ctime))
        modificationTime = Int64(Int32(bitPattern: inode.i_mtime))
        deletionTime = inode.i_dtime
        flags = inode.i_flags
        blockCount = UInt64(inode.i_blocks) | UInt64(inode.osd2.linux2.l_i_blocks_hi) << 32
        xattrBlock = UInt64(inode.i_file_acl) | UInt64(inode.osd2.linux2.l_i_file_acl_high) << 32
        generation = inode.i_generation
        blockWords = inode.i_block
    }
}

extension Filesystem {
    /// Reads inode `number` with `ext2fs_read_inode2` (`READ_INODE_NOCSUM`: a bad checksum does not
    /// hide what is there; checking checksums is the scan's job).
    public func readInode(_ number: UInt32) throws(Ext2Error) -> InodeRecord {
        var raw = try readRawInode(number)
        return withUnsafePointer(to: &raw) { InodeRecord(number: number, $0.pointee) }
    }

    func readRawInode(_ number: UInt32) throws(Ext2Error) -> ext2_inode_large {
        // Past the groups' tables libext2fs would look up a descriptor the image does not have.
        guard number >= 1 && number <= readableInodesCount else { throw .badInodeNumber }
        var raw = ext2_inode_large()
        let rc = withUnsafeMutablePointer(to: &raw) { p in
            p.withMemoryRebound(to: ext2_inode.self, capacity: 1) { small in
                ext2fs_read_inode2(handle, number, small, Int32(MemoryLayout<ext2_inode_large>.size), Int32(READ_INODE_NOCSUM))
            }
        }
        try ext2Check(rc)
        return raw
    }

    /// An inode as its raw on-disk bytes hold it (an inode-table block's copy from the journal),
    /// read through libext2fs's own inode structure so it has the one inode reader's meaning.
    func inodeRecord(number: UInt32, raw: UnsafeRawBufferPointer) -> InodeRecord {
        var inode = ext2_inode_large()
        withUnsafeMutableBytes(of: &inode) { dst in
            dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[0..<min(raw.count, dst.count)]))
        }
        if raw.count < MemoryLayout<ext2_inode_large>.size {
            // A 128-byte inode has no extra fields: none of the copied bytes may be read as them.
            inode.i_extra_isize = 0
        }
        return InodeRecord(number: number, inode)
    }

    /// Reads inode `number` into `buffer` as ``readInode(_:)`` does (`ext2fs_read_inode2`,
    /// `READ_INODE_NOCSUM`); nil when read.
    func readInodeIgnoringChecksum(_ number: InodeNumber, into buffer: InodeBuffer) -> Ext2Error? {
        guard number.rawValue >= 1 && number.rawValue <= readableInodesCount else { return .badInodeNumber }
        let rc = ext2fs_read_inode2(handle, number.rawValue, buffer.inode, Int32(MemoryLayout<ext2_inode_large>.size), Int32(READ_INODE_NOCSUM))
        return ext2Error(rc)
    }

    /// Inline data (`ext2fs_inline_data_size` / `ext2fs_inline_data_get`), bounded by the inode's
    /// size; with `whole`, all of it (a directory's entries are read as far as libext2fs stores them,
    /// as pass 2 reads them, whatever `i_size` says).
    func inlineData(of inode: InodeRecord, problems: inout [String], whole: Bool = false) -> [UInt8]? {
        ignoringChecksums { () -> [UInt8]? in
            var size = 0
            var rc = ext2fs_inline_data_size(handle, inode.number, &size)
            guard rc == 0, size <= Int(fsr_inode_size(handle)) + 60 else {
                problems.append("inline data unreadable: \(rc == 0 ? "size \(size)" : Ext2Error.text(of: rc))")
                return nil
            }
            var buffer = [UInt8](repeating: 0, count: max(size, 60) + Int(fsr_inode_size(handle)))
            var raw: ext2_inode_large
            do throws(Ext2Error) { raw = try readRawInode(inode.number) } catch {
                problems.append("inode unreadable: \(error.message)")
                return nil
            }
            rc = withUnsafeMutablePointer(to: &raw) { p in
                p.withMemoryRebound(to: ext2_inode.self, capacity: 1) { small in
                    buffer.withUnsafeMutableBytes { ext2fs_inline_data_get(handle, inode.number, small, $0.baseAddress, &size) }
                }
            }
            guard rc == 0 else {
                problems.append("inline data unreadable: \(Ext2Error.text(of: rc))")
                return nil
            }
            return Array(buffer.prefix(whole ? size : min(size, Int(clamping: inode.size))))
        }
    }
}
