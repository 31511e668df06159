/// How long ago the oldest message a consumer group has not processed was produced.
package struct LagSeconds: Sendable, Equatable {
    package let seconds: Double
    /// The message is older than the partition's whole history: it was produced at least `seconds`
    /// ago, maybe much earlier.
    package let isLowerBound: Bool
    /// How far `seconds` may be from the truth: the gap between the kept points an interpolation lies
    /// between; infinite for a lower bound, 0 for a value read from the record's timestamp.
    package let maxError: Double
    /// Taken from the timestamp of the record at the committed offset rather than interpolated.
    package let wasRead: Bool

    package init(seconds: Double, isLowerBound: Bool, maxError: Double = 0, wasRead: Bool = false) {
        (self.seconds, self.isLowerBound) = (seconds, isLowerBound)
        (self.maxError, self.wasRead) = (isLowerBound ? .infinity : maxError, wasRead)
    }

    /// Lag read from a record written at `writtenAt` (seconds since 1970), as of `now`; never negative
    /// (a producer's clock ahead of the exporter's). `isLowerBound` where the record read is younger
    /// than the oldest unconsumed one (a later offset, or the oldest left after retention).
    package static func read(writtenAt: Double, now: Double, isLowerBound: Bool) -> LagSeconds {
        LagSeconds(seconds: max(0, now - writtenAt), isLowerBound: isLowerBound, wasRead: true)
    }

    /// The better of a read and an interpolation: a read unless it is only a lower bound below the
    /// interpolated value.
    package static func best(read: LagSeconds?, interpolated: LagSeconds?) -> LagSeconds? {
        guard let read else { return interpolated }
        guard read.isLowerBound, let interpolated, interpolated.seconds > read.seconds else { return read }
        return interpolated
    }

    /// Whether reading the record's timestamp would improve this estimate: there is none, it is a lower
    /// bound, or its error is over both one collection interval and 1 % of the lag.
    package static func needsRead(_ estimate: LagSeconds?, interval: Double) -> Bool {
        guard let estimate else { return true }
        return estimate.maxError > max(interval, estimate.seconds * readTolerance)
    }

    /// The share of the lag an interpolation may be off before the timestamp is read instead.
    package static let readTolerance = 0.01
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
        return LagSeconds(seconds: seconds, isLowerBound: false, maxError: times[upper] - times[lower])
    }
}
