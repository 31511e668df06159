/// The Prometheus type of a metric family.
public enum MetricType: Sendable, Equatable {
    case counter
    case gauge
    case summary
    case untyped
}

/// One sample of a family: its label values (in the family's label-name order), and what it measures.
public struct Sample: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case value
        case quantile(Double)
        case sum
        case count
    }

    public var labelValues: [String]
    public var value: Double
    public var kind: Kind

    public init(labelValues: [String], value: Double, kind: Kind = .value) {
        self.labelValues = labelValues
        self.value = value
        self.kind = kind
    }
}

/// A named group of samples sharing HELP, TYPE and label names.
///
/// Counter names carry their `_total` suffix (as in the text format); the OpenMetrics writer strips it
/// from the metadata lines.
public struct MetricFamily: Sendable, Equatable {
    public let name: String
    public let help: String
    public let type: MetricType
    public let labelNames: [String]
    public private(set) var samples: [Sample] = []

    /// `capacity` reserves room for that many samples, for large families.
    public init(name: String, help: String, type: MetricType, labelNames: [String] = [], capacity: Int = 0) {
        precondition(type != .counter || name.hasSuffix("_total"), "counter \(name) must end in _total")
        self.name = name
        self.help = help
        self.type = type
        self.labelNames = labelNames
        samples.reserveCapacity(capacity)
    }

    public mutating func add(_ labelValues: [String], _ value: Double) {
        precondition(labelValues.count == labelNames.count, "\(name): label count mismatch")
        samples.append(Sample(labelValues: labelValues, value: value))
    }

    public mutating func add(_ value: Double) {
        add([], value)
    }

    /// Appends one summary series: its quantiles, `_sum` and `_count`.
    public mutating func addSummary(_ labelValues: [String], quantiles: [(Double, Double)], sum: Double, count: Double) {
        precondition(type == .summary, "\(name) is not a summary")
        precondition(labelValues.count == labelNames.count, "\(name): label count mismatch")
        for (quantile, value) in quantiles {
            samples.append(Sample(labelValues: labelValues, value: value, kind: .quantile(quantile)))
        }
        samples.append(Sample(labelValues: labelValues, value: sum, kind: .sum))
        samples.append(Sample(labelValues: labelValues, value: count, kind: .count))
    }

    public var isEmpty: Bool { samples.isEmpty }
}
