// The inodes whose inode-table block the disk never gave: neither in use nor free, unknown.

/// Sorted, disjoint-or-touching ranges of inode numbers lying in unread inode-table blocks.
struct UnreadInodeRanges {
    private(set) var ranges: [ClosedRange<UInt32>] = []

    /// The ranges of `ranges`, sorted.
    init(_ ranges: [ClosedRange<UInt32>] = []) { self.ranges = ranges.sorted { $0.lowerBound < $1.lowerBound } }

    var isEmpty: Bool { ranges.isEmpty }

    /// Whether `inode` lies in an unread block.
    func contains(_ inode: UInt32) -> Bool {
        guard !ranges.isEmpty else { return false }
        var low = 0, high = ranges.count
        while low < high {
            let mid = (low + high) / 2
            if ranges[mid].upperBound < inode { low = mid + 1 } else { high = mid }
        }
        return low < ranges.count && ranges[low].contains(inode)
    }

    /// Whether any inode of `first…last` lies in an unread block.
    func overlaps(_ first: UInt64, _ last: UInt64) -> Bool {
        ranges.contains { UInt64($0.upperBound) >= first && UInt64($0.lowerBound) <= last }
    }

    /// Bits of the 64 inodes from `first` that lie in unread blocks.
    func mask(from first: UInt64) -> UInt64 {
        guard !ranges.isEmpty else { return 0 }
        var mask: UInt64 = 0
        var low = 0, high = ranges.count
        while low < high {
            let mid = (low + high) / 2
            if UInt64(ranges[mid].upperBound) < first { low = mid + 1 } else { high = mid }
        }
        var i = low
        while i < ranges.count, UInt64(ranges[i].lowerBound) < first + 64 {
            let range = ranges[i]
            let lo = max(UInt64(range.lowerBound), first) - first, hi = min(UInt64(range.upperBound), first + 63) - first
            let width = hi - lo + 1
            mask |= (width >= 64 ? ~UInt64(0) : ((UInt64(1) << width) - 1)) << lo
            i += 1
        }
        return mask
    }
}
