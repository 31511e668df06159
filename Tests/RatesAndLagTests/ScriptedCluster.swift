import Cluster
import RatesAndLag
import Exposition
import Foundation
@testable import Kafka
import TestSupport

/// A cluster described by offsets alone, turned into one `ClusterState` per cycle, and an
/// `OffsetInsights` fed with them: the unit tests of rates, lag in seconds and status need no Kafka.
struct ScriptedCluster {
    static let start = Date(timeIntervalSince1970: 1_700_000_000)

    /// Newest offset of each partition, by topic; nil for a partition whose offsets are unknown.
    var topics: [String: [Int64?]] = [:]
    /// Committed offsets by group.
    var commits: [String: [TopicPartition: Int64]] = [:]
    /// Members by group, each assigned the listed partitions; groups left out cannot be described.
    var members: [String: [[TopicPartition]]] = [:]
    /// Oldest offset of each partition, by topic; 0 where not listed.
    var oldest: [String: [Int64]] = [:]

    let insights: OffsetInsights

    init(statusWindow: Duration = .seconds(120), timestamps: (any LagTimestampSource)? = nil) {
        var settings = OffsetInsights.Settings()
        settings.statusWindow = statusWindow
        insights = OffsetInsights(settings: settings, timestamps: timestamps)
    }

    func state(at second: Double) -> ClusterState {
        ClusterState(
            collectedAt: Self.start.addingTimeInterval(second), brokers: [],
            topics: topics.keys.sorted().map { name in
                TopicState(name: name, partitions: topics[name]!.enumerated().map { id, newest in
                    PartitionState(
                        info: PartitionInfo(id: Int32(id), leader: 1, replicas: [1], inSyncReplicas: [1]),
                        watermarks: newest.map { Watermarks(oldest: oldest[name]?[id] ?? 0, newest: $0) })
                })
            },
            groups: commits.keys.sorted().map { id in
                ConsumerGroupState(
                    id: id, state: members[id].map { $0.isEmpty ? .empty : .stable },
                    members: members[id]?.enumerated().map { index, assignment in
                        GroupMember(consumerID: "\(id)-\(index)", clientID: id, host: "/127.0.0.1", assignment: assignment)
                    },
                    committedOffsets: commits[id]!)
            })
    }

    /// Feeds the cycle at `second` and returns what `/metrics` would show of it.
    @discardableResult
    func cycle(at second: Double) -> ExpositionSamples {
        let writer = ExpositionWriter(format: .text)
        return ExpositionSamples(insights.update(with: state(at: second)).map { writer.render($0).string }.joined())
    }
}

/// Equal up to floating-point rounding; false for a missing value.
func isClose(_ value: Double?, _ expected: Double) -> Bool {
    value.map { abs($0 - expected) <= 1e-9 * max(1, abs(expected)) } ?? false
}
