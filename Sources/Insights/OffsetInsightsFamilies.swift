import Exposition

/// The families of issue 5 from one cycle's report. Series without a value (before two cycles, or for
/// a partition whose newest offset is unknown) are left out rather than given a made-up number.
enum OffsetInsightsFamilies {
    static func build(_ report: OffsetInsightsReport) -> [MetricFamily] {
        topicFamilies(report.topics) + groupFamilies(report.groups)
    }

    private static func topicFamilies(_ topics: [TopicRates]) -> [MetricFamily] {
        var total = MetricFamily(
            name: "kafka_topic_messages_in_total",
            help: "Messages written to the topic: the sum of its partitions' newest offsets when first seen, then only their increases (never decreases when partitions are added or the topic is recreated).",
            type: .counter, labelNames: ["topic"], capacity: topics.count)
        var perSecond = MetricFamily(
            name: "kafka_topic_messages_in_per_second",
            help: "Messages written to the topic per second over the last 60 s of collection cycles.",
            type: .gauge, labelNames: ["topic"], capacity: topics.count)
        var perMinute = MetricFamily(
            name: "kafka_topic_messages_in_per_minute",
            help: "Messages written to the topic per minute, averaged over the last 5 minutes of collection cycles.",
            type: .gauge, labelNames: ["topic"], capacity: topics.count)
        for topic in topics {
            total.add(topic.topic, topic.messagesInTotal)
            if let rate = topic.messagesInPerSecond { perSecond.add(topic.topic, rate) }
            if let rate = topic.messagesInPerMinute { perMinute.add(topic.topic, rate) }
        }
        return [total, perSecond, perMinute]
    }

    private static func groupFamilies(_ groups: [GroupInsight]) -> [MetricFamily] {
        let partitionLabels = ["consumergroup", "topic", "partition"]
        var consumedTotal = MetricFamily(
            name: "kafka_consumergroup_messages_consumed_total",
            help: "Messages the group consumed from the topic: the sum of its committed offsets when first seen, then only their increases.",
            type: .counter, labelNames: ["consumergroup", "topic"])
        var consumedPerMinute = MetricFamily(
            name: "kafka_consumergroup_messages_consumed_per_minute",
            help: "Messages the group consumed from the topic per minute, averaged over the last 5 minutes of collection cycles.",
            type: .gauge, labelNames: ["consumergroup", "topic"])
        var lagSeconds = MetricFamily(
            name: "kafka_consumergroup_lag_seconds",
            help: "How long ago the oldest message the group has not consumed was written, interpolated from the partition's offset history (0 when caught up).",
            type: .gauge, labelNames: partitionLabels)
        var lowerBound = MetricFamily(
            name: "kafka_consumergroup_lag_seconds_lower_bound",
            help: "1 when kafka_consumergroup_lag_seconds is only a lower bound: the message is older than the exporter's history of the partition.",
            type: .gauge, labelNames: partitionLabels)
        var maxLagSeconds = MetricFamily(
            name: "kafka_consumergroup_max_lag_seconds",
            help: "The largest kafka_consumergroup_lag_seconds of the group's partitions.",
            type: .gauge, labelNames: ["consumergroup"])
        var status = MetricFamily(
            name: "kafka_consumergroup_status",
            help: "Group status: 0 NOTFOUND, 1 OK, 2 WARN, 3 ERR (see docs/group-status.md).",
            type: .gauge, labelNames: ["consumergroup"])
        var partitionStatus = MetricFamily(
            name: "kafka_consumergroup_partition_status",
            help: "Partition status: 1 OK, 2 WARN, 4 STOP, 5 STALL, 6 REWIND (see docs/group-status.md).",
            type: .gauge, labelNames: partitionLabels)
        for group in groups {
            status.add(group.name, Double(group.status.code))
            if let seconds = group.maxLagSeconds { maxLagSeconds.add(group.name, seconds) }
            for topic in group.topics {
                consumedTotal.add(group.name, topic.topic, topic.messagesConsumedTotal)
                if let rate = topic.messagesConsumedPerMinute { consumedPerMinute.add(group.name, topic.topic, rate) }
            }
            for partition in group.partitions {
                let id = String(partition.partition)
                if let code = partition.status?.code { partitionStatus.add(group.name, partition.topic, id, Double(code)) }
                if let seconds = partition.lagSeconds, let isLowerBound = partition.lagSecondsIsLowerBound {
                    lagSeconds.add(group.name, partition.topic, id, seconds)
                    lowerBound.add(group.name, partition.topic, id, isLowerBound ? 1 : 0)
                }
            }
        }
        return [consumedTotal, consumedPerMinute, lagSeconds, lowerBound, maxLagSeconds, status, partitionStatus]
    }
}
