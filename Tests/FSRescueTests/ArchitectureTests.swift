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

    @Test("every pass of the scan is a value: each Pass file declares a struct, and the scan keeps no @exclusivity(unchecked) state")
    func passesAreValues() throws {
        let scan = try Self.librarySources().filter { $0.hasPrefix("Sources/FSRescue/Scan/") }
        let passFiles = scan.filter { ($0 as NSString).lastPathComponent.hasPrefix("Pass") }
        #expect(passFiles.count == 7, "one file per pass (1, 1B, 2, 2B, 3, 4, 5): \(passFiles)")
        for path in passFiles {
            let text = try PackageFiles.read(path)
            #expect(text.range(of: #"struct \w+Pass\b"#, options: .regularExpression) != nil, "\(path) declares no pass struct")
            // A pass body on the scan's shared class would be `func pass…() -> UInt64` doing the work
            // itself; the run's adapters only build the value and merge what it returns.
            #expect(text.contains("mutating func run(shouldStop:"), "\(path): the pass is not run as a value")
        }
        let unchecked = try scan.filter { try PackageFiles.read($0).contains("@exclusivity(unchecked)") }
        #expect(unchecked.isEmpty, "scan state opting out of exclusivity checks: \(unchecked)")
    }
}
