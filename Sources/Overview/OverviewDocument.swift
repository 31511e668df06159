import FoundationEssentials

/// Everything the overview shows, as the page draws it and `/api/v1/overview` serves it: the page
/// and scripts read the same data.
package struct OverviewDocument: Sendable, Equatable, Codable {
    package var generatedAt: Date
    /// How far back the charts reach at most.
    package var historySeconds: Double
    package var cluster: ClusterSummary
    /// Empty when nothing is wrong: the page then shows no banner.
    package var problems: [Problem]
    package var charts: [Chart]
    /// Every topic, group, stage and client (the charts and the page's tables show the top ones).
    package var topics: [TopicRow]
    package var groups: [GroupRow]
    package var stages: [StageRow]
    package var clients: [ClientRow]
}

extension OverviewDocument {
    /// Compact, keys sorted, dates in ISO 8601.
    package func json() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
        // Cannot fail: strings, numbers (non-finite ones as strings), booleans and dates only.
        return Array(try! encoder.encode(self)) + [UInt8(ascii: "\n")]
    }
}

package struct ClusterSummary: Sendable, Equatable, Codable {
    /// Nil before the first collection cycle.
    package var up: Bool?
    package var brokers: Int?
    package var topics: Int
    package var partitions: Int
    package var groups: Int
    package var underReplicatedPartitions: Int
    package var lastCollectedAt: Date?
}

/// A sentence with names in it; the page sets the names apart (and escapes them like all text).
package struct Phrase: Sendable, Equatable, Codable, ExpressibleByStringInterpolation {
    package enum Part: Sendable, Equatable {
        case text(String)
        case name(String)
    }

    package var parts: [Part]

    package init(stringLiteral text: String) {
        parts = [.text(text)]
    }

    package init(stringInterpolation: Interpolation) {
        parts = stringInterpolation.parts
    }

    package struct Interpolation: StringInterpolationProtocol {
        var parts: [Part] = []
        package init(literalCapacity: Int, interpolationCount: Int) {}
        package mutating func appendLiteral(_ text: String) { if !text.isEmpty { parts.append(.text(text)) } }
        /// A topic, group, stage or client name.
        package mutating func appendInterpolation(name: String) { parts.append(.name(name)) }
        package mutating func appendInterpolation(_ text: String) { parts.append(.text(text)) }
        package mutating func appendInterpolation(_ phrase: Phrase) { parts += phrase.parts }
    }

    /// The sentence as plain text (what the JSON holds).
    package var text: String {
        parts.map { part in
            switch part {
            case .text(let text), .name(let text): text
            }
        }.joined()
    }

    package init(from decoder: any Decoder) throws {
        parts = [.text(try decoder.singleValueContainer().decode(String.self))]
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}

/// Something wrong, in plain words, and what to check first.
package struct Problem: Sendable, Equatable, Codable {
    package enum Severity: String, Sendable, Codable { case critical, warning }

    /// What the banner checks, named after the alert of dashboards/kafka-exporter.rules.yml with the same condition.
    package enum Rule: String, Sendable, CaseIterable {
        case clusterDown = "KafkaExporterClusterUnreachable"
        case amplification = "PipelineAmplification"
        case duplicates = "TopicDuplicates"
        case groupStopped = "KafkaConsumerGroupStopped"
        case groupStalled = "KafkaConsumerGroupStalled"
        case queueFull = "KafkaProducerQueueNearFull"
        case retries = "KafkaProducerRetriesSustained"
        case underReplicated = "KafkaTopicUnderReplicatedPartitions"
        case lagGrowing = "KafkaConsumerGroupLagGrowing"

        /// The alert's severity.
        var severity: Severity {
            switch self {
            case .clusterDown, .amplification, .groupStopped: .critical
            default: .warning
            }
        }

        /// The anchor of the runbook entry (docs/runbook.md).
        var runbook: String {
            switch self {
            case .clusterDown: "runbook-cluster-down"
            case .amplification: "runbook-amplification"
            case .duplicates: "runbook-duplicates"
            case .groupStopped: "runbook-group-stopped"
            case .groupStalled: "runbook-group-stalled"
            case .queueFull: "runbook-queue-full"
            case .retries: "runbook-retries"
            case .underReplicated: "runbook-under-replicated"
            case .lagGrowing: "runbook-lag-growing"
            }
        }
    }

    /// The alert of the same condition.
    package var kind: String
    package var severity: Severity
    package var message: Phrase
    package var check: Phrase
    /// The anchor of the runbook entry (docs/runbook.md).
    package var runbook: String

    init(_ rule: Rule, message: Phrase, check: Phrase) {
        (kind, severity, runbook) = (rule.rawValue, rule.severity, rule.runbook)
        self.message = message
        self.check = check
    }
}

package struct Chart: Sendable, Equatable, Codable {
    package var id: String
    package var title: String
    package var unit: String
    /// Unix times of the points, oldest first; every series has one value (or null) per time.
    package var times: [Double]
    /// The largest by current value, at most `--overview.top`.
    package var series: [ChartSeries]
    /// How many keys the chart could show; the difference to `series.count` is hidden.
    package var total: Int
    /// The alert threshold drawn as a dashed line, where dashboards/kafka-exporter.rules.yml has one.
    package var threshold: Double?
    /// What the chart shows when it has no data.
    package var emptyNote: String
}

package struct ChartSeries: Sendable, Equatable, Codable {
    package var name: String
    package var current: Double?
    package var values: [Double?]
}

package struct TopicRow: Sendable, Equatable, Codable {
    package var topic: String
    package var partitions: Int?
    package var messagesInPerSecond: Double?
    package var messagesInPerMinute: Double?
    package var duplicateRatio: Measured?
    package var underReplicatedPartitions: Int
}

package struct GroupRow: Sendable, Equatable, Codable {
    package var group: String
    /// OK, WARN, ERR or NOTFOUND.
    package var status: String
    package var reason: Phrase
    package var lag: Double?
    package var maxLagSeconds: Double?
    package var consumedPerMinute: Double?
}

package struct StageRow: Sendable, Equatable, Codable {
    package var stage: String
    package var inPerSecond: Double?
    package var outPerSecond: Double?
    package var amplificationRatio: Measured?
}

/// A ratio the exporter published with the bound it is exact to and the count of records behind it.
package struct Measured: Sendable, Equatable, Codable {
    package var value: Double
    package var bound: Double?
    package var records: Double?
}

package struct ClientRow: Sendable, Equatable, Codable {
    package var clientID: String
    package var type: String
    package var retries: Double?
    /// Retries within the last 10 minutes of the overview's history.
    package var recentRetries: Double?
    /// Transmission and receive errors and request timeouts, summed over brokers.
    package var errors: Double?
    /// The fuller of the message and byte queues, 0...1 (producers with a limit only).
    package var queueFill: Double?
}
