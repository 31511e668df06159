import Foundation

/// What the offset history says after one cycle: message rates per topic, and per consumer group its
/// status, consumption and lag in seconds. Also the body of `/api/v1/groups`.
public struct OffsetInsightsReport: Sendable, Equatable, Codable {
    public var collectedAt: Date
    /// The status window, in seconds.
    public var statusWindowSeconds: Double
    public var topics: [TopicRates]
    public var groups: [GroupInsight]
}

public struct TopicRates: Sendable, Equatable, Codable {
    public var topic: String
    /// `kafka_topic_messages_in_total`.
    public var messagesInTotal: Double
    /// Nil until two cycles were seen.
    public var messagesInPerSecond: Double?
    public var messagesInPerMinute: Double?
}

public struct GroupInsight: Sendable, Equatable, Codable {
    public var name: String
    public var status: ConsumerStatus
    /// The largest lag in seconds of the group's partitions that have one; nil when none has.
    public var maxLagSeconds: Double?
    public var topics: [ConsumedTopic]
    public var partitions: [PartitionInsight]
}

public struct ConsumedTopic: Sendable, Equatable, Codable {
    public var topic: String
    /// `kafka_consumergroup_messages_consumed_total`.
    public var messagesConsumedTotal: Double
    /// Nil until two cycles were seen.
    public var messagesConsumedPerMinute: Double?
}

/// One partition the group committed to. Fields other than the committed offset are nil when the
/// partition's newest offset is unknown (or, for lag seconds, before two cycles of history).
public struct PartitionInsight: Sendable, Equatable, Codable {
    public var topic: String
    public var partition: Int32
    public var status: ConsumerStatus?
    public var committedOffset: Int64
    public var newestOffset: Int64?
    public var lag: Int64?
    public var lagSeconds: Double?
    public var lagSecondsIsLowerBound: Bool?
}
