// Inline data, and the checksums of directory blocks and the MMP block, as libext2fs reads and checks them.
internal import CFSRescueExt2fs

extension Filesystem {
    /// The size of inode `number`'s inline data (`ext2fs_inline_data_size`).
    func inlineDataSize(of number: InodeNumber) throws(Ext2Error) -> Int {
        var size = 0
        try ext2Check(ext2fs_inline_data_size(handle, number.rawValue, &size))
        return size
    }

    /// Reads inode `number`'s inline data into `buffer` (`ext2fs_inline_data_get`), when it holds
    /// at least `minimum` and at most `capacity` bytes; returns its size, nil when it cannot be read.
    func readInlineData(of number: InodeNumber, into buffer: UnsafeMutableRawPointer, minimum: Int, capacity: Int) -> Int? {
        var size = 0
        guard ext2fs_inline_data_size(handle, number.rawValue, &size) == 0, size >= minimum, size <= capacity,
              ext2fs_inline_data_get(handle, number.rawValue, nil, buffer, &size) == 0 else { return nil }
        return size
    }

    /// Whether a directory block of inode `directory` carries a matching checksum
    /// (`ext2fs_dir_block_csum_verify`: its tail, or its htree node's tail).
    func directoryBlockChecksumMatches(_ directory: InodeNumber, _ bytes: UnsafeRawBufferPointer) -> Bool {
        ext2fs_dir_block_csum_verify(handle, directory.rawValue,
                                     UnsafeMutableRawPointer(mutating: bytes.baseAddress!).assumingMemoryBound(to: ext2_dir_entry.self)) != 0
    }
}

extension Filesystem {
    /// Whether the MMP block read into `block` matches its checksum (`ext2fs_mmp_csum_verify`).
    func mmpChecksumMatches(_ block: UnsafeMutableRawPointer) -> Bool {
        ext2fs_mmp_csum_verify(handle, block.assumingMemoryBound(to: mmp_struct.self)) != 0
    }
}
