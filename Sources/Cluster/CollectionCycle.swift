import Kafka

/// The steps of a collection cycle, as counted in `kafka_exporter_collect_errors_total{stage}`.
package enum CollectionStage: String, Sendable, CaseIterable {
    case metadata
    case watermarks
    case listGroups = "list_groups"
    case describeGroups = "describe_groups"
    case groupOffsets = "group_offsets"
}

/// The outcome of one collection cycle.
package struct CollectionCycle: Sendable {
    /// What was read; nil when the cluster could not be read at all (the last good data stays served).
    package let state: ClusterState?
    /// Errors per stage during this cycle; a stage may fail for some objects and succeed for others.
    package let errors: [CollectionStage: Int]
    package let duration: Duration
    /// Why `state` is nil.
    package let failure: KafkaError?
    /// Admin handles replaced since start because they stopped answering.
    package let adminHandleReplacements: Int

    package init(
        state: ClusterState?, errors: [CollectionStage: Int], duration: Duration, failure: KafkaError?, adminHandleReplacements: Int = 0
    ) {
        self.state = state
        self.errors = errors
        self.duration = duration
        self.failure = failure
        self.adminHandleReplacements = adminHandleReplacements
    }

    package var succeeded: Bool { state != nil }
}
