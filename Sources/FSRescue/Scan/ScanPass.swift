// The seven passes of a scan, each declared once.

/// A pass of `fsrescue scan`, in the order they run: its place in the progress plan (the raw value),
/// its machine name (progress events, timings), its title, its number as e2fsck's passes are
/// numbered (1B and 2B included), and the stage its findings carry.
enum ScanPass: Int, CaseIterable, Sendable {
    case inodes, sharedBlocks, directories, ownerlessBlocks, connectivity, references, summary

    /// The machine name: `inodes`, `shared-blocks`, … (progress JSON and the timings line).
    var name: String {
        switch self {
        case .inodes: "inodes"
        case .sharedBlocks: "shared-blocks"
        case .directories: "directories"
        case .ownerlessBlocks: "ownerless-blocks"
        case .connectivity: "connectivity"
        case .references: "references"
        case .summary: "summary"
        }
    }

    /// Its number: 1, 1B, 2, 2B, 3, 4, 5.
    var number: String {
        switch self {
        case .inodes: "1"
        case .sharedBlocks: "1B"
        case .directories: "2"
        case .ownerlessBlocks: "2B"
        case .connectivity: "3"
        case .references: "4"
        case .summary: "5"
        }
    }

    /// The title progress shows.
    var title: String {
        let what = switch self {
        case .inodes: "inodes"
        case .sharedBlocks: "multiply-claimed blocks"
        case .directories: "directories"
        case .ownerlessBlocks: "ownerless directory blocks and journal copies"
        case .connectivity: "connectivity"
        case .references: "references"
        case .summary: "bitmaps and counts"
        }
        return "Pass \(number): \(what)"
    }

    /// The stage its findings carry (1B's are pass 1's, 2B's pass 2's, as e2fsck numbers its problems).
    var findingPass: Pass {
        switch self {
        case .inodes, .sharedBlocks: .inodes
        case .directories, .ownerlessBlocks: .directories
        case .connectivity: .connectivity
        case .references: .references
        case .summary: .summary
        }
    }

    /// The pass in the plan: `units` of work, each reading about `bytesPerUnit` bytes and parsing
    /// `entriesPerUnit` entries (the progress prior).
    func plan(units: UInt64, bytesPerUnit: Double, entriesPerUnit: Double) -> PassPlan {
        PassPlan(name: name, title: title, units: units, bytesPerUnit: bytesPerUnit, entriesPerUnit: entriesPerUnit)
    }
}

extension Array where Element == PassPlan {
    /// The plan of a scan's `pass` (``Filesystem/scanPlan`` lists them in ``ScanPass`` order).
    subscript(pass: ScanPass) -> PassPlan { self[pass.rawValue] }
}
