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
        /// Timestamps read at the positions some group's lag starts at this cycle (the bound: one per
        /// lagging partition and committed offset).
        var timestamps: [RecordPosition: TimestampRead] = [:]
        var lastCycleAt: Double?
        var report: OffsetInsightsReport?
    }

    /// What one cycle is judged against.
    private struct Cycle {
        let now: Double
        let newest: NewestOffsets
        /// The partitions of each topic, sorted by id: a map per topic rather than per partition, as
        /// only partitions with commits need their oldest offset.
        let partitionsByTopic: [String: [PartitionState]]
        let statusWindow: Double
        /// Seconds since the previous cycle (0 for the first).
        let interval: Double
    }

    /// What lag in seconds asks of the timestamp reads in one cycle.
    private struct Reads {
        var timestamps: [RecordPosition: TimestampRead] = [:]
        /// With the error of the estimate they would replace, largest first.
        var wanted: [RecordPosition: Double] = [:]
    }

    package let settings: Settings
    private let timestampSource: (any LagTimestampSource)?
    private let state = Locked(State())

    /// `timestamps`: where lag in seconds reads record timestamps; nil to interpolate only.
    package init(settings: Settings = Settings(), timestamps: (any LagTimestampSource)? = nil) {
        precondition(settings.statusWindow > .zero, "the status window must be positive")
        self.settings = settings
        timestampSource = timestamps
    }

    /// Adds a cycle and returns the families it gives.
    package func update(with cluster: ClusterState) -> [MetricFamily] {
        let finished = timestampSource?.takeFinishedReads() ?? [:]
        let (report, wanted) = state.withLock { state in
            state.timestamps.merge(finished) { _, new in new }
            let (report, wanted) = Self.advance(&state, with: cluster, statusWindow: settings.statusWindow.seconds)
            state.report = report
            return (report, wanted)
        }
        timestampSource?.want(wanted)
        return OffsetInsightsFamilies.build(report, topics: cluster.shard.ownsClusterWide)
    }

    /// The latest report; nil before the first cycle.
    package var report: OffsetInsightsReport? {
        state.withLock { $0.report }
    }

    /// The report, and the positions whose timestamps would improve it, most wanted first.
    private static func advance(
        _ state: inout State, with cluster: ClusterState, statusWindow: Double
    ) -> (OffsetInsightsReport, [RecordPosition]) {
        let now = cluster.collectedAt.timeIntervalSince1970
        let cycle = Cycle(
            now: now, newest: cluster.newestOffsets,
            partitionsByTopic: Dictionary(cluster.topics.map { ($0.name, $0.partitions) }, uniquingKeysWith: { first, _ in first }),
            statusWindow: statusWindow, interval: state.lastCycleAt.map { now - $0 } ?? 0)
        state.lastCycleAt = now
        recordNewestOffsets(&state, cluster: cluster, cycle: cycle)
        let topics = topicRates(&state, cluster: cluster, cycle: cycle)
        var consumed: [GroupTopic: MessageCounter] = [:]
        var trackers: [GroupPartition: PartitionStatusTracker] = [:]
        var reads = Reads()
        let groups = cluster.groups.map { group in
            groupInsight(group, state: state, cycle: cycle, consumed: &consumed, trackers: &trackers, reads: &reads)
        }
        state.consumed = consumed
        state.trackers = trackers
        state.timestamps = reads.timestamps
        let wanted = reads.wanted.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map(\.key)
        let report = OffsetInsightsReport(
            collectedAt: cluster.collectedAt, statusWindowSeconds: statusWindow, topics: topics, groups: groups)
        return (report, wanted)
    }

    /// The partition's oldest offset; 0 where unknown. Partition ids are usually their index.
    private static func oldestOffset(of partition: TopicPartition, in cycle: Cycle) -> Int64 {
        guard let partitions = cycle.partitionsByTopic[partition.topic] else { return 0 }
        let index = Int(partition.partition)
        let state = partitions.indices.contains(index) && partitions[index].info.id == partition.partition
            ? partitions[index] : partitions.first { $0.info.id == partition.partition }
        return state?.watermarks?.oldest ?? 0
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
        consumed: inout [GroupTopic: MessageCounter], trackers: inout [GroupPartition: PartitionStatusTracker], reads: inout Reads
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
                let lost = max(0, oldestOffset(of: partition, in: cycle) - committed)
                if lost > 0 { insight.lostMessages = lost }
                let interpolated = state.newestOffsets[partition]?.lag(committed: committed)
                let read = committed + lost < newest ? readLag(
                    at: RecordPosition(partition, committed + lost), newest: newest, lost: lost, interpolated: interpolated,
                    state: state, cycle: cycle, reads: &reads) : nil
                if let lagSeconds = LagSeconds.best(read: read, interpolated: interpolated) {
                    insight.lagSeconds = lagSeconds.seconds
                    insight.lagSecondsIsLowerBound = lagSeconds.isLowerBound
                    insight.lagSecondsWasRead = lagSeconds.wasRead
                }
                partitions.append(insight)
            }
        }
        return GroupInsight(
            name: group.id, status: ConsumerStatus.group(of: partitions.compactMap(\.status)),
            maxLagSeconds: partitions.compactMap(\.lagSeconds).max(), topics: topics, partitions: partitions)
    }

    /// The lag read from the timestamp at `position` where one was read; otherwise the position is
    /// wanted if a read would improve `interpolated`. With `lost` messages the record read is the oldest
    /// left, younger than the oldest unconsumed one.
    private static func readLag(
        at position: RecordPosition, newest: Int64, lost: Int64, interpolated: LagSeconds?, state: State, cycle: Cycle,
        reads: inout Reads
    ) -> LagSeconds? {
        switch state.timestamps[position] {
        case .written(let seconds, let laterOffset)?:
            reads.timestamps[position] = state.timestamps[position]
            return LagSeconds.read(writtenAt: seconds, now: cycle.now, isLowerBound: laterOffset || lost > 0)
        case .noTimestamp?:
            reads.timestamps[position] = .noTimestamp
            return nil
        case .onlyMarkers(let end)? where newest <= end:
            // A transactional consumer commits past its last message, before the transaction's marker.
            reads.timestamps[position] = state.timestamps[position]
            return LagSeconds(seconds: 0, isLowerBound: false, wasRead: true)
        case .onlyMarkers?, nil:
            break  // never read, or messages were written after the markers since
        }
        if LagSeconds.needsRead(interpolated, interval: cycle.interval) {
            reads.wanted[position] = max(reads.wanted[position] ?? 0, interpolated?.maxError ?? .infinity)
        }
        return nil
    }

    private static func advanced(_ counter: MessageCounter?, to offsets: [TopicPartition: Int64], at time: Double) -> MessageCounter {
        guard var counter else { return MessageCounter(offsets: offsets, at: time) }
        counter.advance(to: offsets, at: time)
        return counter
    }
}
