import FoundationEssentials
import Kafka

/// What one collection cycle saw of the cluster, after the topic and group filters.
/// Plain values: everything derived from it (lag, rates, status) is a pure function of a sequence of these.
package struct ClusterState: Sendable, Equatable {
    /// Wall-clock time at which the cycle's offsets were read.
    package let collectedAt: Date
    package let brokers: [Broker]
    /// Topics that passed the filters, sorted by name.
    package let topics: [TopicState]
    /// Groups that passed the filters, sorted by id.
    package let groups: [ConsumerGroupState]
    /// Newest offsets (high watermarks), built once: every view derived from a cycle (lag, rates,
    /// lag in seconds, pipelines) reads them.
    package let newestOffsets: NewestOffsets
    /// The part of the cluster this replica reports: `groups` holds only its own; sources publish
    /// the families of `brokers` and `topics` only where `shard.ownsClusterWide`.
    package let shard: Shard

    package init(collectedAt: Date, brokers: [Broker], topics: [TopicState], groups: [ConsumerGroupState], shard: Shard = .whole) {
        self.collectedAt = collectedAt
        self.shard = shard
        self.brokers = brokers
        self.topics = topics
        self.groups = groups
        newestOffsets = NewestOffsets(topics)
    }
}

package struct TopicState: Sendable, Equatable {
    package var name: String
    package var partitions: [PartitionState]

    package init(name: String, partitions: [PartitionState]) { (self.name, self.partitions) = (name, partitions) }
}

package struct PartitionState: Sendable, Equatable {
    package var info: PartitionInfo
    /// Nil when the offsets were never read (the partition then has no offset series).
    package var watermarks: Watermarks?
    /// True when this cycle could not read the watermarks: `watermarks` are the last ones read.
    package var watermarksAreStale: Bool

    package init(info: PartitionInfo, watermarks: Watermarks?, watermarksAreStale: Bool = false) {
        (self.info, self.watermarks, self.watermarksAreStale) = (info, watermarks, watermarksAreStale)
    }
}

package struct ConsumerGroupState: Sendable, Equatable {
    package var id: String
    /// Nil where the broker cannot describe groups (e.g. librdkafka's mock cluster).
    package var state: GroupState?
    /// Nil where the broker cannot describe groups.
    package var members: [GroupMember]?
    /// Committed offsets (the next offset the group will read); partitions without a commit are absent.
    package var committedOffsets: [TopicPartition: Int64]
    /// The broker coordinating the group; nil where the broker cannot describe groups.
    package var coordinator: Int32?
    /// The assignment strategy of the group's members (empty when the broker does not say).
    package var partitionAssignor: String?

    package init(
        id: String, state: GroupState?, members: [GroupMember]?, committedOffsets: [TopicPartition: Int64],
        coordinator: Int32? = nil, partitionAssignor: String? = nil
    ) {
        (self.id, self.state, self.members, self.committedOffsets) = (id, state, members, committedOffsets)
        (self.coordinator, self.partitionAssignor) = (coordinator, partitionAssignor)
    }
}
