/// The Prometheus type of a metric family.
package enum MetricType: Sendable, Equatable {
    case counter
    case gauge
    case summary
    case histogram
    case untyped
}

/// One sample of a family: its label values (in the family's label-name order), and what it measures.
package struct Sample: Sendable, Equatable {
    package enum Kind: Sendable, Equatable {
        case value
        case quantile(Double)
        /// A histogram bucket: the count of observations at most `le` (cumulative).
        case bucket(le: Double)
        case sum
        case count
    }

    package var labelValues: [String]
    package var value: Double
    package var kind: Kind

    package init(labelValues: [String], value: Double, kind: Kind = .value) {
        (self.labelValues, self.value, self.kind) = (labelValues, value, kind)
    }
}

/// A named group of samples sharing HELP, TYPE and label names.
///
/// Counter names carry their `_total` suffix (as in the text format); the OpenMetrics writer strips it
/// from the metadata lines. Samples are stored column-wise (label values flattened, values, kinds only
/// for summaries and histograms) so that a 100k-series family costs a few allocations, not one per sample.
package struct MetricFamily: Sendable, Equatable {
    package let name: String
    package let help: String
    package let type: MetricType
    package let labelNames: [String]
    private var labelValues: [String] = []
    private var values: [Double] = []
    private var kinds: [Sample.Kind]?

    /// `capacity` reserves room for that many samples, for large families.
    package init(name: String, help: String, type: MetricType, labelNames: [String] = [], capacity: Int = 0) {
        precondition(type != .counter || name.hasSuffix("_total"), "counter \(name) must end in _total")
        self.name = name
        self.help = help
        self.type = type
        self.labelNames = labelNames
        reserveCapacity(capacity)
        if type == .summary || type == .histogram { kinds = [] }
    }

    /// The family without its samples: how its source declares it.
    package var declaration: MetricFamily {
        MetricFamily(name: name, help: help, type: type, labelNames: labelNames)
    }

    /// Room for `count` samples, for a large family filled from its declaration.
    package mutating func reserveCapacity(_ count: Int) {
        labelValues.reserveCapacity(count * labelNames.count)
        values.reserveCapacity(count)
    }

    package mutating func add(_ labelValues: [String], _ value: Double) {
        append(labelValues, value, .value)
    }

    package mutating func add(_ value: Double) {
        append([], value, .value)
    }

    // Positional forms for the hot paths: no label array is allocated per sample.

    package mutating func add(_ label: String, _ value: Double) {
        precondition(labelNames.count == 1, "\(name): label count mismatch")
        labelValues.append(label)
        values.append(value)
        kinds?.append(.value)
    }

    package mutating func add(_ first: String, _ second: String, _ value: Double) {
        precondition(labelNames.count == 2, "\(name): label count mismatch")
        labelValues.append(first)
        labelValues.append(second)
        values.append(value)
        kinds?.append(.value)
    }

    package mutating func add(_ first: String, _ second: String, _ third: String, _ value: Double) {
        precondition(labelNames.count == 3, "\(name): label count mismatch")
        labelValues.append(first)
        labelValues.append(second)
        labelValues.append(third)
        values.append(value)
        kinds?.append(.value)
    }

    /// Appends one summary series: its quantiles, `_sum` and `_count`.
    package mutating func addSummary(_ labelValues: [String], quantiles: [(Double, Double)], sum: Double, count: Double) {
        precondition(type == .summary, "\(name) is not a summary")
        for (quantile, value) in quantiles {
            append(labelValues, value, .quantile(quantile))
        }
        append(labelValues, sum, .sum)
        append(labelValues, count, .count)
    }

    /// Appends one classic histogram series: cumulative counts per upper bound (ascending), then the
    /// `+Inf` bucket (equal to `count`), `_sum` and `_count`.
    package mutating func addHistogram(_ labelValues: [String], buckets: [(le: Double, count: Double)], sum: Double, count: Double) {
        precondition(type == .histogram, "\(name) is not a histogram")
        precondition(zip(buckets, buckets.dropFirst()).allSatisfy { $0.le < $1.le && $0.count <= $1.count }, "\(name): buckets out of order")
        for bucket in buckets where bucket.le.isFinite {
            append(labelValues, bucket.count, .bucket(le: bucket.le))
        }
        append(labelValues, count, .bucket(le: .infinity))
        append(labelValues, sum, .sum)
        append(labelValues, count, .count)
    }

    private mutating func append(_ sampleLabels: [String], _ value: Double, _ kind: Sample.Kind) {
        precondition(sampleLabels.count == labelNames.count, "\(name): label count mismatch")
        labelValues.append(contentsOf: sampleLabels)
        values.append(value)
        kinds?.append(kind)
    }

    package var isEmpty: Bool { values.isEmpty }
    package var count: Int { values.count }

    package var samples: [Sample] {
        values.indices.map { index in
            Sample(
                labelValues: Array(labelValues[index * labelNames.count..<(index + 1) * labelNames.count]),
                value: values[index], kind: kinds?[index] ?? .value)
        }
    }

    func withStorage<Result>(_ body: ([String], [Double], [Sample.Kind]?) -> Result) -> Result {
        body(labelValues, values, kinds)
    }
}
