/// Plain values describing a cluster as librdkafka reported it; no C pointers past this module.

package struct Broker: Sendable, Equatable {
    package let id: Int32
    package let host: String
    package let port: Int32

    package init(id: Int32, host: String, port: Int32) {
        (self.id, self.host, self.port) = (id, host, port)
    }

    package var address: String { "\(host):\(port)" }
}

package struct PartitionInfo: Sendable, Equatable {
    package let id: Int32
    /// Broker id of the leader, or -1 when the partition has none.
    package let leader: Int32
    package let replicas: [Int32]
    package let inSyncReplicas: [Int32]
    package let error: KafkaError?

    package init(id: Int32, leader: Int32, replicas: [Int32], inSyncReplicas: [Int32], error: KafkaError? = nil) {
        (self.id, self.leader, self.replicas, self.inSyncReplicas, self.error) = (id, leader, replicas, inSyncReplicas, error)
    }

    package var isUnderReplicated: Bool { inSyncReplicas.count < replicas.count }
    package var leaderIsPreferred: Bool { replicas.first == leader }
}

package struct TopicInfo: Sendable, Equatable {
    package let name: String
    package let partitions: [PartitionInfo]
    package let error: KafkaError?

    package init(name: String, partitions: [PartitionInfo], error: KafkaError? = nil) {
        (self.name, self.partitions, self.error) = (name, partitions, error)
    }
}

package struct ClusterMetadata: Sendable, Equatable {
    package let brokers: [Broker]
    package let topics: [TopicInfo]

    package init(brokers: [Broker], topics: [TopicInfo]) { (self.brokers, self.topics) = (brokers, topics) }
}

/// The oldest and newest offsets of a partition (low and high watermarks).
package struct Watermarks: Sendable, Equatable {
    package let oldest: Int64
    package let newest: Int64

    package init(oldest: Int64, newest: Int64) { (self.oldest, self.newest) = (oldest, newest) }
}

/// A consumer group's state as the coordinator reports it.
package enum GroupState: String, Sendable, CaseIterable {
    case unknown = "Unknown", preparingRebalance = "PreparingRebalance", completingRebalance = "CompletingRebalance"
    case stable = "Stable", dead = "Dead", empty = "Empty"
}

package struct GroupListing: Sendable, Equatable {
    package let groupID: String
    package let isSimple: Bool
    package let state: GroupState
}

package struct GroupMember: Sendable, Equatable {
    package let consumerID: String
    package let clientID: String
    package let host: String
    package let assignment: [TopicPartition]

    package init(consumerID: String, clientID: String, host: String, assignment: [TopicPartition]) {
        (self.consumerID, self.clientID, self.host, self.assignment) = (consumerID, clientID, host, assignment)
    }
}

package struct GroupDescription: Sendable, Equatable {
    package let groupID: String
    package let state: GroupState
    package let members: [GroupMember]
    package let coordinator: Int32?
    /// The assignment strategy the group's members agreed on (e.g. `range`, `cooperative-sticky`).
    package let partitionAssignor: String
    package let error: KafkaError?
}
