/// Plain values describing a cluster as librdkafka reported it; no C pointers past this module.

public struct Broker: Sendable, Equatable {
    public let id: Int32
    public let host: String
    public let port: Int32

    public init(id: Int32, host: String, port: Int32) {
        self.id = id
        self.host = host
        self.port = port
    }

    public var address: String { "\(host):\(port)" }
}

public struct PartitionInfo: Sendable, Equatable {
    public let id: Int32
    /// Broker id of the leader, or -1 when the partition has none.
    public let leader: Int32
    public let replicas: [Int32]
    public let inSyncReplicas: [Int32]
    public let error: KafkaError?

    public init(id: Int32, leader: Int32, replicas: [Int32], inSyncReplicas: [Int32], error: KafkaError? = nil) {
        self.id = id
        self.leader = leader
        self.replicas = replicas
        self.inSyncReplicas = inSyncReplicas
        self.error = error
    }

    public var isUnderReplicated: Bool { inSyncReplicas.count < replicas.count }
    public var leaderIsPreferred: Bool { replicas.first == leader }
}

public struct TopicInfo: Sendable, Equatable {
    public let name: String
    public let partitions: [PartitionInfo]
    public let error: KafkaError?

    public init(name: String, partitions: [PartitionInfo], error: KafkaError? = nil) {
        self.name = name
        self.partitions = partitions
        self.error = error
    }
}

public struct ClusterMetadata: Sendable, Equatable {
    public let brokers: [Broker]
    public let topics: [TopicInfo]

    public init(brokers: [Broker], topics: [TopicInfo]) {
        self.brokers = brokers
        self.topics = topics
    }
}

/// The oldest and newest offsets of a partition (low and high watermarks).
public struct Watermarks: Sendable, Equatable {
    public let oldest: Int64
    public let newest: Int64

    public init(oldest: Int64, newest: Int64) {
        self.oldest = oldest
        self.newest = newest
    }
}

/// A consumer group's state as the coordinator reports it.
public enum GroupState: String, Sendable, CaseIterable {
    case unknown = "Unknown"
    case preparingRebalance = "PreparingRebalance"
    case completingRebalance = "CompletingRebalance"
    case stable = "Stable"
    case dead = "Dead"
    case empty = "Empty"
}

public struct GroupListing: Sendable, Equatable {
    public let groupID: String
    public let isSimple: Bool
    public let state: GroupState
}

public struct GroupMember: Sendable, Equatable {
    public let consumerID: String
    public let clientID: String
    public let host: String
    public let assignment: [TopicPartition]
}

public struct GroupDescription: Sendable, Equatable {
    public let groupID: String
    public let state: GroupState
    public let members: [GroupMember]
    public let coordinator: Int32?
    public let error: KafkaError?
}
