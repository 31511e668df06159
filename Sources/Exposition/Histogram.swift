/// Observations counted into fixed upper bounds, for a classic Prometheus histogram series.
package struct Histogram: Sendable, Equatable {
    /// Ascending finite upper bounds; `+Inf` is implied.
    package let bounds: [Double]
    /// Observations per bound, not cumulative (the last slot is above every bound).
    private var counts: [UInt64]
    package private(set) var sum: Double = 0
    package private(set) var count: UInt64 = 0

    package init(bounds: [Double]) {
        precondition(!bounds.isEmpty && zip(bounds, bounds.dropFirst()).allSatisfy { $0 < $1 } && bounds.allSatisfy(\.isFinite),
                     "histogram bounds must be finite and ascending")
        self.bounds = bounds
        counts = Array(repeating: 0, count: bounds.count + 1)
    }

    package mutating func observe(_ value: Double) {
        var low = 0
        var high = bounds.count
        while low < high {
            let middle = (low + high) / 2
            if value <= bounds[middle] { high = middle } else { low = middle + 1 }
        }
        counts[low] += 1
        sum += value
        count += 1
    }

    /// Cumulative counts per finite bound, as the exposition writes them.
    package var cumulativeBuckets: [(le: Double, count: Double)] {
        var running: UInt64 = 0
        return bounds.indices.map { index in
            running += counts[index]
            return (bounds[index], Double(running))
        }
    }
}

extension MetricFamily {
    /// Appends `histogram` as one series with these labels.
    package mutating func add(_ labelValues: [String], _ histogram: Histogram) {
        addHistogram(labelValues, buckets: histogram.cumulativeBuckets, sum: histogram.sum, count: Double(histogram.count))
    }
}
