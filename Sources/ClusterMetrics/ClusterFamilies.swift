import Cluster
import Exposition
import Kafka

/// The kafka_exporter-compatible families (names, labels and meaning are a compatibility contract:
/// dashboards and alerts in the wild use them), built from one cycle's `ClusterState`.
///
/// Deliberate differences from kafka_exporter: lag is never negative, partitions without a committed
/// offset get no offset or lag series (kafka_exporter reports -1), and each group appears once.
package enum ClusterFamilies {
    package static func build(_ state: ClusterState) -> [MetricFamily] {
        let clusterWide = state.shard.ownsClusterWide ? brokerFamilies(state.brokers) + topicFamilies(state.topics) : []
        return clusterWide + groupFamilies(state.groups, newestOffsets: state.newestOffsets)
    }

    /// Every family `build` returns, without samples.
    static var declared: [MetricFamily] {
        [brokerCount, brokerInfo, topicPartitions] + partitionFamilies.declaredFamilies
            + [groupOffset, groupOffsetSum, groupLag, groupLagSum, memberCount]
    }

    private static let brokerCount = MetricFamily(name: "kafka_brokers", help: "Number of Brokers in the Kafka Cluster.", type: .gauge)
    private static let brokerInfo = MetricFamily(
        name: "kafka_broker_info", help: "Information about the Kafka Broker.", type: .gauge, labelNames: ["address", "id"])

    static func brokerFamilies(_ brokers: [Broker]) -> [MetricFamily] {
        var count = brokerCount
        count.add(Double(brokers.count))
        var info = brokerInfo
        for broker in brokers {
            info.add(broker.address, String(broker.id), 1)
        }
        return [count, info]
    }

    private static let topicPartitions = MetricFamily(
        name: "kafka_topic_partitions", help: "Number of partitions for this Topic", type: .gauge, labelNames: ["topic"])

    private static let partitionFamilies = FamilyTable<PartitionState>(labelNames: ["topic", "partition"], [
        .init("kafka_topic_partition_current_offset", .gauge, "Current Offset of a Broker at Topic/Partition") {
            $0.watermarks.map { Double($0.newest) }
        },
        .init("kafka_topic_partition_oldest_offset", .gauge, "Oldest Offset of a Broker at Topic/Partition") {
            $0.watermarks.map { Double($0.oldest) }
        },
        .init("kafka_topic_partition_leader", .gauge, "Leader Broker ID of this Topic/Partition") { Double($0.info.leader) },
        .init("kafka_topic_partition_replicas", .gauge, "Number of Replicas for this Topic/Partition") { Double($0.info.replicas.count) },
        .init("kafka_topic_partition_in_sync_replica", .gauge, "Number of In-Sync Replicas for this Topic/Partition") {
            Double($0.info.inSyncReplicas.count)
        },
        .init("kafka_topic_partition_leader_is_preferred", .gauge, "1 if Topic/Partition is using the Preferred Broker") {
            $0.info.leaderIsPreferred ? 1 : 0
        },
        .init("kafka_topic_partition_under_replicated_partition", .gauge, "1 if Topic/Partition is under Replicated") {
            $0.info.isUnderReplicated ? 1 : 0
        },
    ])

    static func topicFamilies(_ topics: [TopicState]) -> [MetricFamily] {
        var partitions = topicPartitions
        var perPartition = partitionFamilies.filling(capacity: topics.reduce(0) { $0 + $1.partitions.count })
        for topic in topics {
            partitions.add(topic.name, Double(topic.partitions.count))
            for partition in topic.partitions { perPartition.add(partition, topic.name, String(partition.info.id)) }
        }
        return [partitions] + perPartition.families
    }

    private static let groupOffset = MetricFamily(
        name: "kafka_consumergroup_current_offset", help: "Current Offset of a ConsumerGroup at Topic/Partition",
        type: .gauge, labelNames: ["consumergroup", "topic", "partition"])
    private static let groupOffsetSum = MetricFamily(
        name: "kafka_consumergroup_current_offset_sum", help: "Current Offset of a ConsumerGroup at Topic for all partitions",
        type: .gauge, labelNames: ["consumergroup", "topic"])
    private static let groupLag = MetricFamily(
        name: "kafka_consumergroup_lag", help: "Current Approximate Lag of a ConsumerGroup at Topic/Partition (never negative)",
        type: .gauge, labelNames: ["consumergroup", "topic", "partition"])
    private static let groupLagSum = MetricFamily(
        name: "kafka_consumergroup_lag_sum", help: "Current Approximate Lag of a ConsumerGroup at Topic for all partitions",
        type: .gauge, labelNames: ["consumergroup", "topic"])
    private static let memberCount = MetricFamily(
        name: "kafka_consumergroup_members", help: "Amount of members in a consumer group", type: .gauge, labelNames: ["consumergroup"])

    static func groupFamilies(_ groups: [ConsumerGroupState], newestOffsets: NewestOffsets) -> [MetricFamily] {
        let count = groups.reduce(0) { $0 + $1.committedOffsets.count }
        var current = groupOffset
        current.reserveCapacity(count)
        var currentSum = groupOffsetSum
        var lag = groupLag
        lag.reserveCapacity(count)
        var lagSum = groupLagSum
        var members = memberCount

        for group in groups {
            if let groupMembers = group.members {
                members.add(group.id, Double(groupMembers.count))
            }
            var sums: [String: (offset: Int64, lag: Int64)] = [:]
            for entry in ConsumerLag.byPartition(group, newestOffsets: newestOffsets) {
                let partition = String(entry.partition.partition)
                current.add(group.id, entry.partition.topic, partition, Double(entry.committed))
                lag.add(group.id, entry.partition.topic, partition, Double(entry.lag))
                sums[entry.partition.topic, default: (0, 0)].offset += entry.committed
                sums[entry.partition.topic, default: (0, 0)].lag += entry.lag
            }
            for topic in sums.keys.sorted() {
                currentSum.add(group.id, topic, Double(sums[topic]!.offset))
                lagSum.add(group.id, topic, Double(sums[topic]!.lag))
            }
        }
        return [current, currentSum, lag, lagSum, members]
    }
}
