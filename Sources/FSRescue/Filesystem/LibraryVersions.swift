// The versions of the C libraries fsrescue reads filesystems with, as they report themselves.
internal import CFSRescueExt2fs
internal import CFSRescueBlkid

/// libext2fs and libblkid as this binary runs them: the system's shared libraries
/// (scripts/release-build.sh), so `fsrescue --version` names the versions loaded, what a security
/// advisory about either would ask.
public enum LibraryVersions {
    /// libext2fs's version (`ext2fs_get_library_version`), such as "1.47.0".
    public static var ext2fs: String { reported(by: ext2fs_get_library_version) }

    /// libblkid's version (`blkid_get_library_version`), such as "2.38.1".
    public static var blkid: String { reported(by: blkid_get_library_version) }

    /// The version string a `*_get_library_version(&version, &date)` function points at.
    private static func reported(
        by get: (UnsafeMutablePointer<UnsafePointer<CChar>?>?, UnsafeMutablePointer<UnsafePointer<CChar>?>?) -> Int32
    ) -> String {
        var version: UnsafePointer<CChar>?
        _ = get(&version, nil)
        return version.map { String(cString: $0) } ?? "unknown"
    }
}
