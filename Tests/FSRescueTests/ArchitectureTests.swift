// The wall around libext2fs, checked on the sources: only the Filesystem layer talks to the C library.
import Foundation
import Testing
import FSRescueTestSupport

@Suite("architecture")
struct ArchitectureTests {
    /// The library's Swift files, as paths relative to the package root.
    static func librarySources() throws -> [String] {
        let base = PackageFiles.path("Sources/FSRescue")
        let files = FileManager.default.enumerator(atPath: base)?.compactMap { $0 as? String } ?? []
        return files.filter { $0.hasSuffix(".swift") }.sorted().map { "Sources/FSRescue/" + $0 }
    }

    /// Files that name the libext2fs module. The wall is `Sources/FSRescue/Filesystem/`, plus the
    /// one helper that turns a return code into an error.
    static func filesImportingExt2fs() throws -> [String] {
        try librarySources().filter { try PackageFiles.read($0).contains("import CFSRescueExt2fs") }
    }

    @Test("only the Filesystem layer (and Ext2Error, the return-code helper) imports libext2fs")
    func onlyTheWallImportsLibext2fs() throws {
        let importing = try Self.filesImportingExt2fs()
        #expect(!importing.isEmpty, "the sources were not found at \(PackageFiles.path("Sources/FSRescue"))")
        let outside = importing.filter { !$0.hasPrefix("Sources/FSRescue/Filesystem/") && $0 != "Sources/FSRescue/Errors/Ext2Error.swift" }
        #expect(outside.isEmpty, "outside the wall: \(outside)")
    }

    @Test("no pass, reader, salvage or report builds a libext2fs error by hand")
    func returnCodesBecomeErrorsInOnePlace() throws {
        let outside = try Self.librarySources().filter { path in
            guard !path.hasPrefix("Sources/FSRescue/Filesystem/"), !path.hasSuffix("Errors/Ext2Error.swift") else { return false }
            return try PackageFiles.read(path).contains("Ext2Error(code:")
        }
        #expect(outside.isEmpty, "Ext2Error(code:) outside the wall: \(outside)")
    }
}
