// The `fsrescue.scan/1` JSON document, built from a `ScanReport`.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import FSRescue

/// The scan report as JSON: filesystem facts, verdict, findings, orphans with name evidence, timings.
struct ScanDocument: Encodable {
    struct Evidence: Encodable {
        /// The name when its bytes are valid UTF-8.
        let name: String?
        /// The name bytes in base64 when they are not valid UTF-8.
        let nameBase64: String?
        let source: NameSource
        /// 0–1, see ``NameEvidence/confidence``.
        let confidence: Double
        let directory: UInt32
        let block: UInt64
        let offset: UInt32
        let fileType: UInt8

        init(_ e: NameEvidence) {
            let text = String(validating: e.name, as: UTF8.self)
            name = e.source == .dotdot ? nil : text
            nameBase64 = text == nil ? Data(e.name).base64EncodedString() : nil
            source = e.source
            confidence = e.confidence
            directory = e.directory
            block = e.block
            offset = e.offset
            fileType = e.fileType
        }
    }

    struct OrphanItem: Encodable {
        let inode: UInt32
        let kind: OrphanKind
        let type: FileType
        let size: UInt64
        let linksCount: UInt16
        let subtreeInodes: Int?
        let worthSalvaging: Bool
        let nameEvidence: [Evidence]
        /// Where salvage puts it under lost+found/ (`#<inode>` for unnamed components).
        let recoveredPath: String?
        /// The path runs from the root with every component named: its original path.
        let originalPath: Bool
    }

    struct LostDirectoryItem: Encodable {
        let inode: UInt32
        let dotdot: UInt32?
        let blocks: [UInt64]
        let recoveredPath: String?
        let children: [Evidence]
        let nameEvidence: [Evidence]
    }

    struct DeletedItem: Encodable {
        let inode: UInt32
        let type: FileType
        let size: UInt64
        let dtime: Date
        let nameEvidence: [Evidence]
    }

    let filesystem: FilesystemInfo
    let verdict: Verdict
    let completed: Bool
    let counts: ScanCounts
    let findings: [Finding]
    let orphans: [OrphanItem]
    let deletedInodes: [DeletedItem]
    let lostDirectories: [LostDirectoryItem]
    let sharedBlocks: [SharedBlocks]
    let timings: [PassTiming]
    /// What the journal's history can bring back (`--deleted`).
    var history: HistoryDocument?

    init(_ report: ScanReport) {
        filesystem = report.info
        verdict = report.verdict
        completed = report.completed
        counts = report.counts
        findings = report.findings
        let paths = report.recoveredPaths
        orphans = report.orphans.map {
            OrphanItem(inode: $0.inode, kind: $0.kind, type: $0.type, size: $0.size, linksCount: $0.linksCount,
                       subtreeInodes: $0.subtreeInodes, worthSalvaging: $0.worthSalvaging, nameEvidence: $0.nameEvidence.map(Evidence.init),
                       recoveredPath: paths[$0.inode]?.text, originalPath: paths[$0.inode].map { $0.anchored && $0.fullyNamed } ?? false)
        }
        lostDirectories = report.lostDirectories.map {
            LostDirectoryItem(inode: $0.inode, dotdot: $0.dotdot, blocks: $0.blocks, recoveredPath: paths[$0.inode]?.text,
                              children: $0.children.map(Evidence.init), nameEvidence: $0.nameEvidence.map(Evidence.init))
        }
        deletedInodes = report.deletedInodes.map {
            DeletedItem(inode: $0.inode, type: $0.type, size: $0.size, dtime: Date(timeIntervalSince1970: TimeInterval($0.dtime)),
                        nameEvidence: $0.nameEvidence.map(Evidence.init))
        }
        sharedBlocks = report.sharedBlocks
        timings = report.timings
    }
}
