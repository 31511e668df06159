/// How long ago the oldest message a consumer group has not processed was produced.
package struct LagSeconds: Sendable, Equatable {
    package let seconds: Double
    /// The message is older than the partition's whole history: it was produced at least `seconds`
    /// ago, maybe much earlier.
    package let isLowerBound: Bool

    package init(seconds: Double, isLowerBound: Bool) { (self.seconds, self.isLowerBound) = (seconds, isLowerBound) }
}

extension ThinnedHistory where Value == Int64 {
    /// The lag in seconds of a group that committed `committed` on this partition, as of the newest
    /// point; nil until two points exist (after a restart nothing is known about the past).
    ///
    /// The message at offset `committed` was produced when the newest offset went past `committed`.
    /// Between the last point at or below `committed` and the first point above it, that moment is
    /// interpolated assuming a steady rate (kafka-lag-exporter's method); the true moment lies between
    /// the two points, so the error is at most their gap. A committed offset below the whole history
    /// gives the history's age, marked as a lower bound, instead of an extrapolation.
    func lag(committed: Int64) -> LagSeconds? {
        guard count >= 2, let now = times.last, let newest = values.last else { return nil }
        guard committed < newest else { return LagSeconds(seconds: 0, isLowerBound: false) }
        let upper = values.firstIndex(above: committed)
        guard upper > 0 else { return LagSeconds(seconds: now - times[0], isLowerBound: true) }
        let lower = upper - 1
        // Measured back from the upper point, in time differences: wall-clock seconds since 1970 carry
        // only about 1e-7 s of precision themselves.
        let messagesAfter = Double(values[upper] - committed - 1) / Double(values[upper] - values[lower])
        let seconds = (now - times[upper]) + messagesAfter * (times[upper] - times[lower])
        return LagSeconds(seconds: seconds, isLowerBound: false)
    }
}
