/// How exact a ratio derived from counts must be before the exporter publishes it: the pipeline
/// amplification ratio and the duplicate ratio appear once their error bound is at most `publishedWithin`,
/// whatever the time or traffic it took to get there (docs/pipelines.md shows the arithmetic).
package enum RatioPrecision {
    package static let publishedWithin = 0.1

    /// The standard normal quantile of a two-sided 95 % interval.
    static let z95 = 1.959_963_984_540_054

    /// The 95 % error bound of a share estimated from `samples` records of which `share` had a property:
    /// the larger distance from `share` to the ends of its Wilson score interval (unlike the normal
    /// approximation, it does not claim certainty for a share of 0 or 1 from a few samples). Infinite
    /// without samples.
    package static func shareBound(_ share: Double, samples: Double) -> Double {
        guard samples > 0 else { return .infinity }
        let z2 = z95 * z95
        let center = (share + z2 / (2 * samples)) / (1 + z2 / samples)
        let halfWidth = z95 / (1 + z2 / samples) * (share * (1 - share) / samples + z2 / (4 * samples * samples)).squareRoot()
        return max(abs(center + halfWidth - share), abs(share - (center - halfWidth)))
    }

    /// The bound of `out / in` where `in` records were counted exactly and the count of what they became
    /// may be off by what `uncertain` of them became (records the counts cannot place on either side):
    /// with r the true ratio, the measured ratio is r (1 + ε) with |ε| ≤ uncertain / in, so the true one
    /// is within measured · uncertain / (in − uncertain). Infinite while `uncertain` ≥ `in`.
    package static func countRatioBound(_ ratio: Double, counted: Double, uncertain: Double) -> Double {
        guard counted > uncertain else { return .infinity }
        return ratio * uncertain / (counted - uncertain)
    }
}
