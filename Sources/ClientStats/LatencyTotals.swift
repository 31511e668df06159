/// The four latency windows of a broker, and how their units convert to seconds.
package enum LatencyKind: CaseIterable, Sendable {
    case roundTrip
    case internalLatency
    case outbufLatency
    case throttle

    func window(in broker: BrokerStatistics) -> LatencyWindow? {
        switch self {
        case .roundTrip: broker.roundTrip
        case .internalLatency: broker.internalLatency
        case .outbufLatency: broker.outbufLatency
        case .throttle: broker.throttle
        }
    }

    /// librdkafka reports `throttle` in milliseconds and the other windows in microseconds.
    var unitsPerSecond: Double {
        self == .throttle ? 1e3 : 1e6
    }
}

/// Sums and counts of a broker's latency windows added up over the documents received.
///
/// librdkafka resets its windows at every emission, so a window's `sum` and `cnt` cover one interval
/// only. A Prometheus summary's `_sum` and `_count` must be counters, so they are accumulated here,
/// from the client's first document on (a restarted client starts again from zero: a counter reset).
package struct LatencyTotals: Sendable, Equatable {
    package struct Total: Sendable, Equatable {
        /// In librdkafka's unit for the window.
        package var sum: Double
        package var count: Double

        package init(sum: Double = 0, count: Double = 0) {
            self.sum = sum
            self.count = count
        }
    }

    private var totals: [LatencyKind: Total] = [:]

    package init() {}

    package subscript(kind: LatencyKind) -> Total? {
        totals[kind]
    }

    mutating func add(_ broker: BrokerStatistics) {
        for kind in LatencyKind.allCases {
            guard let window = kind.window(in: broker), let sum = window.sum, let count = window.count else { continue }
            totals[kind, default: Total()].sum += sum
            totals[kind, default: Total()].count += count
        }
    }
}
