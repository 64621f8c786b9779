// The versions of the C libraries fsrescue reads filesystems with, as they report themselves.
internal import CFSRescueExt2fs
internal import CFSRescueBlkid

/// libext2fs and libblkid as this binary runs them. The shipped build links both in
/// (scripts/release-build.sh), so `fsrescue --version` names them: what a security advisory about
/// either would ask.
public enum LibraryVersions {
    /// libext2fs's version (`ext2fs_get_library_version`), such as "1.47.0".
    public static var ext2fs: String {
        var version: UnsafePointer<CChar>?
        _ = ext2fs_get_library_version(&version, nil)
        return version.map { String(cString: $0) } ?? "unknown"
    }

    /// libblkid's version (`blkid_get_library_version`), such as "2.38.1".
    public static var blkid: String {
        var version: UnsafePointer<CChar>?
        _ = blkid_get_library_version(&version, nil)
        return version.map { String(cString: $0) } ?? "unknown"
    }
}
