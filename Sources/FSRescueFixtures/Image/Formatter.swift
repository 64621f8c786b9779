// Formatting a new image: mke2fs with every source of variation pinned.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import FSRescue
import Glibc

/// Runs `mke2fs` on an image the generator just created.
///
/// Why mke2fs and not `ext2fs_initialize` plus the mke2fs steps in Swift: the format step is a
/// few milliseconds whatever the image size, while a faithful re-implementation (flex_bg placement,
/// reserved GDT blocks for resize_inode, the journal, backup superblocks, uninit_bg flags, checksum
/// seeds) is the bulk of mke2fs.c, and any deviation would make fixtures unlike the filesystems
/// users actually have. The tree — where all the time goes — is then built through libext2fs
/// directly. Determinism comes from pinning every input mke2fs reads:
/// - `MKE2FS_CONFIG` points at ``configuration`` (the upstream defaults, written out), so
///   `/etc/mke2fs.conf` on the host changes nothing;
/// - `-U` and `-E hash_seed=` come from the seed, `E2FSPROGS_FAKE_TIME` gives every timestamp;
/// - `-N`, `-b`, `-I 256`, `-m 0`, `-T fixture` fix the geometry; `nodiscard` and
///   `lazy_itable_init=1` stop the result depending on what the host filesystem supports.
enum Formatter {
    /// The mke2fs.conf the generator uses: e2fsprogs 1.47's defaults, plus the `fixture` usage type.
    static let configuration = """
        [defaults]
        \tbase_features = sparse_super,large_file,filetype,resize_inode,dir_index,ext_attr
        \tdefault_mntopts = acl,user_xattr
        \tenable_periodic_fsck = 0
        \tblocksize = 4096
        \tinode_size = 256
        \tinode_ratio = 16384
        [fs_types]
        \text3 = {
        \t\tfeatures = has_journal
        \t}
        \text4 = {
        \t\tfeatures = has_journal,extent,huge_file,flex_bg,metadata_csum,64bit,dir_nlink,extra_isize
        \t}
        \tfixture = {
        \t\tinode_ratio = 16384
        \t}

        """

    static func format(_ image: CreatedImageFile, type: FixtureType, blockSize: UInt32, inodes: UInt64,
                       uuid: String, time: UInt32) throws(FSRescueError) {
        let configPath = temporaryDirectory() + "/fsrescue-mke2fs-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).conf"
        do {
            try configuration.write(toFile: configPath, atomically: false, encoding: .utf8)
        } catch {
            throw FSRescueError(.outputFailed, "cannot write a temporary mke2fs.conf in \(temporaryDirectory()); check TMPDIR is writable.")
        }
        defer { unlink(configPath) }
        let arguments = ["-q", "-F", "-t", type.rawValue, "-T", "fixture", "-b", "\(blockSize)", "-I", "256", "-m", "0",
                         "-N", "\(inodes)", "-U", uuid,
                         "-E", "hash_seed=\(uuid),root_owner=0:0,nodiscard,lazy_itable_init=1,lazy_journal_init=1",
                         image.path]
        var environment = Subprocess.currentEnvironment
        environment["MKE2FS_CONFIG"] = configPath
        environment["E2FSPROGS_FAKE_TIME"] = "\(time)"
        environment["MKE2FS_SYNC"] = nil
        environment["MKE2FS_FIRST_META_BG"] = nil
        environment["MKE2FS_DEVICE_SECTSIZE"] = nil
        environment["MKE2FS_DEVICE_PHYS_SECTSIZE"] = nil
        let outcome: Subprocess.Outcome
        switch Subprocess(executable: mke2fsPath(), arguments: arguments, environment: environment).run() {
        case .success(let o): outcome = o
        case .failure(let e):
            let advice = ShortageAdvice.forErrno(e.code) ?? "install e2fsprogs"
            throw FSRescueError(.outputFailed, "cannot run mke2fs (\(e.message)); \(advice).")
        }
        guard outcome.status == 0 else {
            let text = String(decoding: outcome.standardError, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? "no message"
            throw FSRescueError(.outputFailed, "mke2fs failed on \(image.path) (\(text)); check --size, --type and --block-size.", path: image.path)
        }
    }

    /// `$TMPDIR` (with a trailing slash), else `/tmp/`, as Foundation's `NSTemporaryDirectory()`.
    private static func temporaryDirectory() -> String {
        guard let dir = getenv("TMPDIR").map({ String(cString: $0) }), !dir.isEmpty else { return "/tmp/" }
        return dir.hasSuffix("/") ? dir : dir + "/"
    }

    private static func mke2fsPath() -> String {
        for dir in ["/sbin", "/usr/sbin", "/usr/local/sbin", "/bin", "/usr/bin"] where access("\(dir)/mke2fs", X_OK) == 0 {
            return "\(dir)/mke2fs"
        }
        return "/sbin/mke2fs"
    }
}
