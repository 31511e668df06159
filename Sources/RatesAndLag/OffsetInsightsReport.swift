import FoundationEssentials
import Cluster

/// What the offset history says after one cycle: message rates per topic, and per consumer group its
/// status, consumption and lag in seconds. Also the body of `/api/v1/groups`.
package struct OffsetInsightsReport: Sendable, Equatable, Codable {
    package var collectedAt: Date
    /// The status window, in seconds.
    package var statusWindowSeconds: Double
    package var topics: [TopicRates]
    package var groups: [GroupInsight]
}

package struct TopicRates: Sendable, Equatable, Codable {
    package var topic: String
    /// `kafka_topic_messages_in_total`.
    package var messagesInTotal: Double
    /// Nil until two cycles were seen.
    package var messagesInPerSecond: Double?
    package var messagesInPerMinute: Double?
}

package struct GroupInsight: Sendable, Equatable, Codable {
    package var name: String
    package var status: ConsumerStatus
    /// The largest lag in seconds of the group's partitions that have one; nil when none has.
    package var maxLagSeconds: Double?
    package var topics: [ConsumedTopic]
    package var partitions: [PartitionInsight]
}

package struct ConsumedTopic: Sendable, Equatable, Codable {
    package var topic: String
    /// `kafka_consumergroup_messages_consumed_total`.
    package var messagesConsumedTotal: Double
    /// Nil until two cycles were seen.
    package var messagesConsumedPerMinute: Double?
}

/// One partition the group committed to. Fields other than the committed offset are nil when the
/// partition's newest offset is unknown (or, for lag seconds, before two cycles of history).
package struct PartitionInsight: Sendable, Equatable, Codable {
    package var topic: String
    package var partition: Int32
    package var status: ConsumerStatus?
    package var committedOffset: Int64
    package var newestOffset: Int64?
    package var lag: Int64?
    package var lagSeconds: Double?
    package var lagSecondsIsLowerBound: Bool?
    /// Whether `lagSeconds` comes from the timestamp of the record at the committed offset.
    package var lagSecondsWasRead: Bool?
    /// Messages the group never consumed that retention deleted (committed offset below the oldest).
    package var lostMessages: Int64?
}
