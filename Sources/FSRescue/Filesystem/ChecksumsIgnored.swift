// Reading damaged metadata: libext2fs's checksum checks suspended for one call, in memory only.
internal import CFSRescueExt2fs

/// Runs `body` with `EXT2_FLAG_IGNORE_CSUM_ERRORS` set on `handle`, restoring its flags after, so that
/// damaged metadata is still read (the one place the flag is toggled). The flag lives in memory
/// only; the handle is read-only either way.
func withChecksumsIgnored<T>(_ handle: ext2_filsys, _ body: () -> T) -> T {
    let saved = handle.pointee.flags
    handle.pointee.flags |= EXT2_FLAG_IGNORE_CSUM_ERRORS
    defer { handle.pointee.flags = saved }
    return body()
}

extension Filesystem {
    /// Runs `body` with checksum errors ignored on the handle (``withChecksumsIgnored(_:_:)``).
    func ignoringChecksums<T>(_ body: () -> T) -> T { withChecksumsIgnored(handle, body) }
}
