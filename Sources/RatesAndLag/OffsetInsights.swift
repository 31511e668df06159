import Cluster
import Exposition
import FoundationEssentials
import Kafka
import Support

/// Message rates, lag in seconds and Burrow-style consumer-group status, derived from the history of
/// the offsets seen in each collection cycle (docs/rates-and-lag.md, docs/group-status.md).
///
/// Call `update(with:)` once per successful cycle, in order; the JSON accessors may be called from any
/// thread. Topics, partitions, groups and commits missing from a cycle are forgotten.
package final class OffsetInsights: Sendable {
    package struct Settings: Sendable {
        /// How long a partition must show a problem before it is reported (`--group.status-window`).
        package var statusWindow: Duration = .seconds(120)

        package init() {}
    }

    /// The window of `kafka_topic_messages_in_per_second`.
    package static let perSecondWindow = 60.0
    /// The window of the `..._per_minute` gauges.
    package static let perMinuteWindow = MessageCounter.longestWindow
    /// Points kept per partition for lag in seconds; enough for days of history (see ThinnedHistory).
    static let lagHistoryCapacity = 256

    private struct GroupTopic: Hashable {
        let group: String
        let topic: String
    }

    private struct GroupPartition: Hashable {
        let group: String
        let partition: TopicPartition
    }

    /// Everything remembered between cycles. Each cycle rebuilds the maps from what it saw, so whatever
    /// left the cluster (or the filters) is dropped.
    private struct State {
        var newestOffsets: [TopicPartition: ThinnedHistory<Int64>] = [:]
        var produced: [String: MessageCounter] = [:]
        var consumed: [GroupTopic: MessageCounter] = [:]
        var trackers: [GroupPartition: PartitionStatusTracker] = [:]
        var report: OffsetInsightsReport?
    }

    /// What one cycle is judged against.
    private struct Cycle {
        let now: Double
        let newest: NewestOffsets
        let statusWindow: Double
    }

    package let settings: Settings
    private let state = Locked(State())

    package init(settings: Settings = Settings()) {
        precondition(settings.statusWindow > .zero, "the status window must be positive")
        self.settings = settings
    }

    /// Adds a cycle and returns the families it gives.
    package func update(with cluster: ClusterState) -> [MetricFamily] {
        let report = state.withLock { state in
            let report = Self.advance(&state, with: cluster, statusWindow: settings.statusWindow.seconds)
            state.report = report
            return report
        }
        return OffsetInsightsFamilies.build(report, topics: cluster.shard.ownsClusterWide)
    }

    /// The latest report; nil before the first cycle.
    package var report: OffsetInsightsReport? {
        state.withLock { $0.report }
    }

    private static func advance(_ state: inout State, with cluster: ClusterState, statusWindow: Double) -> OffsetInsightsReport {
        let cycle = Cycle(now: cluster.collectedAt.timeIntervalSince1970, newest: cluster.newestOffsets, statusWindow: statusWindow)
        recordNewestOffsets(&state, cluster: cluster, cycle: cycle)
        let topics = topicRates(&state, cluster: cluster, cycle: cycle)
        var consumed: [GroupTopic: MessageCounter] = [:]
        var trackers: [GroupPartition: PartitionStatusTracker] = [:]
        let groups = cluster.groups.map { group in
            groupInsight(group, state: state, cycle: cycle, consumed: &consumed, trackers: &trackers)
        }
        state.consumed = consumed
        state.trackers = trackers
        return OffsetInsightsReport(
            collectedAt: cluster.collectedAt, statusWindowSeconds: statusWindow, topics: topics, groups: groups)
    }

    /// A partition listed without offsets this cycle keeps its history; one no longer listed loses it.
    private static func recordNewestOffsets(_ state: inout State, cluster: ClusterState, cycle: Cycle) {
        let listed = Set(cluster.topics.flatMap { topic in topic.partitions.map { TopicPartition(topic.name, $0.info.id) } })
        state.newestOffsets = state.newestOffsets.filter { listed.contains($0.key) }
        for (partition, offset) in cycle.newest.all {
            state.newestOffsets[partition, default: ThinnedHistory(capacity: lagHistoryCapacity)].record(offset, at: cycle.now)
        }
    }

    private static func topicRates(_ state: inout State, cluster: ClusterState, cycle: Cycle) -> [TopicRates] {
        var rates: [TopicRates] = []
        var produced: [String: MessageCounter] = [:]
        for topic in cluster.topics {
            let offsets = Dictionary(uniqueKeysWithValues: topic.partitions.compactMap { partition in
                partition.watermarks.map { (TopicPartition(topic.name, partition.info.id), $0.newest) }
            })
            guard !offsets.isEmpty else { continue }
            let counter = advanced(state.produced[topic.name], to: offsets, at: cycle.now)
            produced[topic.name] = counter
            rates.append(TopicRates(
                topic: topic.name, messagesInTotal: counter.total,
                messagesInPerSecond: counter.perSecond(over: perSecondWindow),
                messagesInPerMinute: counter.perSecond(over: perMinuteWindow).map { $0 * 60 }))
        }
        state.produced = produced
        return rates
    }

    private static func groupInsight(
        _ group: ConsumerGroupState, state: State, cycle: Cycle,
        consumed: inout [GroupTopic: MessageCounter], trackers: inout [GroupPartition: PartitionStatusTracker]
    ) -> GroupInsight {
        let assigned = group.members.map { members in Set(members.flatMap(\.assignment)) }
        let byTopic = Dictionary(grouping: group.committedOffsets, by: \.key.topic)
        var topics: [ConsumedTopic] = []
        var partitions: [PartitionInsight] = []
        for topic in byTopic.keys.sorted() {
            let offsets = Dictionary(uniqueKeysWithValues: byTopic[topic]!.map { ($0.key, $0.value) })
            let key = GroupTopic(group: group.id, topic: topic)
            let counter = advanced(state.consumed[key], to: offsets, at: cycle.now)
            consumed[key] = counter
            topics.append(ConsumedTopic(
                topic: topic, messagesConsumedTotal: counter.total,
                messagesConsumedPerMinute: counter.perSecond(over: perMinuteWindow).map { $0 * 60 }))
            for (partition, committed) in offsets.sorted(by: { $0.key < $1.key }) {
                let key = GroupPartition(group: group.id, partition: partition)
                var insight = PartitionInsight(topic: topic, partition: partition.partition, committedOffset: committed)
                guard let newest = cycle.newest[partition] else {
                    trackers[key] = state.trackers[key]
                    partitions.append(insight)
                    continue
                }
                let lag = ConsumerLag.messages(committed: committed, newest: newest)
                let tracker = state.trackers[key].map { previous in
                    var tracker = previous
                    tracker.observe(committed: committed, lag: lag, at: cycle.now)
                    return tracker
                } ?? PartitionStatusTracker(committed: committed, lag: lag, at: cycle.now)
                trackers[key] = tracker
                insight.newestOffset = newest
                insight.lag = lag
                insight.status = tracker.status(window: cycle.statusWindow, owned: assigned.map { $0.contains(partition) })
                if let lagSeconds = state.newestOffsets[partition]?.lag(committed: committed) {
                    insight.lagSeconds = lagSeconds.seconds
                    insight.lagSecondsIsLowerBound = lagSeconds.isLowerBound
                }
                partitions.append(insight)
            }
        }
        return GroupInsight(
            name: group.id, status: ConsumerStatus.group(of: partitions.compactMap(\.status)),
            maxLagSeconds: partitions.compactMap(\.lagSeconds).max(), topics: topics, partitions: partitions)
    }

    private static func advanced(_ counter: MessageCounter?, to offsets: [TopicPartition: Int64], at time: Double) -> MessageCounter {
        guard var counter else { return MessageCounter(offsets: offsets, at: time) }
        counter.advance(to: offsets, at: time)
        return counter
    }
}
