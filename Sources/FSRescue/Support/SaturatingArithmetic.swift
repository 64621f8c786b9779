// Sums and products of untrusted on-disk numbers that stop at the type's maximum instead of trapping.

extension UInt64 {
    /// `self + other`, or `UInt64.max` when the sum does not fit.
    func addingSaturating(_ other: UInt64) -> UInt64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }

    /// `self × other`, or `UInt64.max` when the product does not fit.
    func multipliedSaturating(by other: UInt64) -> UInt64 {
        let (product, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? .max : product
    }
}
