import Foundation
import Kafka

/// What one collection cycle saw of the cluster, after the topic and group filters.
/// Plain values: everything derived from it (lag, rates, status) is a pure function of a sequence of these.
public struct ClusterState: Sendable, Equatable {
    /// Wall-clock time at which the cycle's offsets were read.
    public let collectedAt: Date
    public let brokers: [Broker]
    /// Topics that passed the filters, sorted by name.
    public let topics: [TopicState]
    /// Groups that passed the filters, sorted by id.
    public let groups: [ConsumerGroupState]
    /// Newest offsets (high watermarks) by partition, for lag arithmetic; built once, since every
    /// view derived from a cycle (rates, lag in seconds, pipelines) reads them.
    public let newestOffsets: [TopicPartition: Int64]

    public init(collectedAt: Date, brokers: [Broker], topics: [TopicState], groups: [ConsumerGroupState]) {
        self.collectedAt = collectedAt
        self.brokers = brokers
        self.topics = topics
        self.groups = groups
        var offsets: [TopicPartition: Int64] = [:]
        offsets.reserveCapacity(topics.reduce(0) { $0 + $1.partitions.count })
        for topic in topics {
            for partition in topic.partitions {
                if let watermarks = partition.watermarks {
                    offsets[TopicPartition(topic.name, partition.info.id)] = watermarks.newest
                }
            }
        }
        newestOffsets = offsets
    }
}

public struct TopicState: Sendable, Equatable {
    public var name: String
    public var partitions: [PartitionState]

    public init(name: String, partitions: [PartitionState]) {
        self.name = name
        self.partitions = partitions
    }
}

public struct PartitionState: Sendable, Equatable {
    public var info: PartitionInfo
    /// Nil when the offsets could not be read this cycle (the partition then has no offset series).
    public var watermarks: Watermarks?

    public init(info: PartitionInfo, watermarks: Watermarks?) {
        self.info = info
        self.watermarks = watermarks
    }
}

public struct ConsumerGroupState: Sendable, Equatable {
    public var id: String
    /// Nil where the broker cannot describe groups (e.g. librdkafka's mock cluster).
    public var state: GroupState?
    /// Nil where the broker cannot describe groups.
    public var members: [GroupMember]?
    /// Committed offsets (the next offset the group will read); partitions without a commit are absent.
    public var committedOffsets: [TopicPartition: Int64]

    public init(id: String, state: GroupState?, members: [GroupMember]?, committedOffsets: [TopicPartition: Int64]) {
        self.id = id
        self.state = state
        self.members = members
        self.committedOffsets = committedOffsets
    }
}
