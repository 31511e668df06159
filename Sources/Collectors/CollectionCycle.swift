import Kafka

/// The steps of a collection cycle, as counted in `kafka_exporter_collect_errors_total{stage}`.
public enum CollectionStage: String, Sendable, CaseIterable {
    case metadata
    case watermarks
    case listGroups = "list_groups"
    case describeGroups = "describe_groups"
    case groupOffsets = "group_offsets"
}

/// The outcome of one collection cycle.
public struct CollectionCycle: Sendable {
    /// What was read; nil when the cluster could not be read at all (the last good data stays served).
    public let state: ClusterState?
    /// Errors per stage during this cycle; a stage may fail for some objects and succeed for others.
    public let errors: [CollectionStage: Int]
    public let duration: Duration
    /// Why `state` is nil.
    public let failure: KafkaError?

    public var succeeded: Bool { state != nil }
}
