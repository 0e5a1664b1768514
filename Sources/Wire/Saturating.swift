/// Arithmetic that clamps at the type's bounds instead of trapping, for values that come from input
/// (capture timestamps, sysctls from a host profile or `--set`) and are scaled or added to the clock.
/// The kernel's own modular arithmetic (sequence numbers, checksums) uses `&+` and stays modular.
extension FixedWidthInteger {
    /// `self + other`, or the nearest bound when the sum does not fit.
    @inlinable
    public func clampedAdding(_ other: Self) -> Self {
        let (sum, overflow) = addingReportingOverflow(other)
        guard overflow else { return sum }
        return other < 0 ? .min : .max
    }

    /// `self - other`, or the nearest bound when the difference does not fit.
    @inlinable
    public func clampedSubtracting(_ other: Self) -> Self {
        let (difference, overflow) = subtractingReportingOverflow(other)
        guard overflow else { return difference }
        return other < 0 ? .max : .min
    }

    /// `self × other`, or the nearest bound when the product does not fit.
    @inlinable
    public func clampedMultiplied(by other: Self) -> Self {
        let (product, overflow) = multipliedReportingOverflow(by: other)
        guard overflow else { return product }
        return (self < 0) != (other < 0) ? .min : .max
    }
}
