import Cluster
import Exposition

/// The families of issue 5 from one cycle's report. Series without a value (before two cycles, or for
/// a partition whose newest offset is unknown) are left out rather than given a made-up number.
enum OffsetInsightsFamilies {
    /// `topics`: whether to include the topic rates (cluster-wide: only shard 0 publishes them).
    static func build(_ report: OffsetInsightsReport, topics includeTopics: Bool) -> [MetricFamily] {
        guard includeTopics else { return groupFamilies(report.groups) }
        var topics = topicFamilies.filling(capacity: report.topics.count)
        for topic in report.topics { topics.add(topic, topic.topic) }
        return topics.families + groupFamilies(report.groups)
    }

    /// Every family `build` returns, without samples.
    static var declared: [MetricFamily] {
        topicFamilies.declaredFamilies + groupStatusFamilies.declaredFamilies + consumedFamilies.declaredFamilies
            + partitionFamilies.declaredFamilies
    }

    private static let topicFamilies = FamilyTable<TopicRates>(labelNames: ["topic"], [
        .init(
            "kafka_topic_messages_in_total", .counter,
            "Messages written to the topic: the sum of its partitions' newest offsets when first seen, then only their increases (never decreases when partitions are added or the topic is recreated)."
        ) { $0.messagesInTotal },
        .init(
            "kafka_topic_messages_in_per_second", .gauge, "Messages written to the topic per second over the last 60 s of collection cycles."
        ) { $0.messagesInPerSecond },
        .init(
            "kafka_topic_messages_in_per_minute", .gauge,
            "Messages written to the topic per minute, averaged over the last 5 minutes of collection cycles."
        ) { $0.messagesInPerMinute },
    ])

    private static let consumedFamilies = FamilyTable<ConsumedTopic>(labelNames: ["consumergroup", "topic"], [
        .init(
            "kafka_consumergroup_messages_consumed_total", .counter,
            "Messages the group consumed from the topic: the sum of its committed offsets when first seen, then only their increases."
        ) { $0.messagesConsumedTotal },
        .init(
            "kafka_consumergroup_messages_consumed_per_minute", .gauge,
            "Messages the group consumed from the topic per minute, averaged over the last 5 minutes of collection cycles."
        ) { $0.messagesConsumedPerMinute },
    ])

    private static let groupStatusFamilies = FamilyTable<GroupInsight>(labelNames: ["consumergroup"], [
        .init("kafka_consumergroup_max_lag_seconds", .gauge, "The largest kafka_consumergroup_lag_seconds of the group's partitions.") {
            $0.maxLagSeconds
        },
        .init("kafka_consumergroup_status", .gauge, "Group status: \(ConsumerStatus.legend(ConsumerStatus.groupStatuses)) (see docs/group-status.md).") {
            Double($0.status.code)
        },
    ])

    /// Lag in seconds and its lower-bound and read flags come together or not at all.
    private static let partitionFamilies = FamilyTable<PartitionInsight>(labelNames: ["consumergroup", "topic", "partition"], [
        .init(
            "kafka_consumergroup_lag_seconds", .gauge,
            "How long ago the oldest message the group has not consumed was written: read from that record's timestamp or interpolated from the partition's offset history (kafka_consumergroup_lag_seconds_read; 0 when caught up)."
        ) { $0.lagSecondsIsLowerBound == nil ? nil : $0.lagSeconds },
        .init(
            "kafka_consumergroup_lag_seconds_lower_bound", .gauge,
            "1 when kafka_consumergroup_lag_seconds is only a lower bound: the message is older than the exporter's history of the partition, or the record read is younger than it (deleted or compacted away)."
        ) { partition in partition.lagSeconds == nil ? nil : partition.lagSecondsIsLowerBound.map { $0 ? 1 : 0 } },
        .init(
            "kafka_consumergroup_lag_seconds_read", .gauge,
            "1 when kafka_consumergroup_lag_seconds comes from the timestamp of the record at the committed offset, 0 when it is interpolated (see docs/rates-and-lag.md)."
        ) { partition in partition.lagSeconds == nil ? nil : partition.lagSecondsWasRead.map { $0 ? 1 : 0 } },
        .init(
            "kafka_consumergroup_lag_lost_messages", .gauge,
            "Messages the group never consumed that retention deleted: the partition's oldest offset minus the committed offset (absent when none)."
        ) { $0.lostMessages.map(Double.init) },
        .init(
            "kafka_consumergroup_partition_status", .gauge,
            "Partition status: \(ConsumerStatus.legend(ConsumerStatus.partitionStatuses)) (see docs/group-status.md)."
        ) { $0.status.map { Double($0.code) } },
    ])

    private static func groupFamilies(_ groups: [GroupInsight]) -> [MetricFamily] {
        var status = groupStatusFamilies.filling(capacity: groups.count)
        var consumed = consumedFamilies.filling()
        var partitions = partitionFamilies.filling(capacity: groups.reduce(0) { $0 + $1.partitions.count })
        for group in groups {
            status.add(group, group.name)
            for topic in group.topics { consumed.add(topic, group.name, topic.topic) }
            for partition in group.partitions { partitions.add(partition, group.name, partition.topic, String(partition.partition)) }
        }
        return status.families + consumed.families + partitions.families
    }
}
