import Cluster
import ClusterMetrics
import Exposition
import Kafka
import Testing

@Suite struct TopicDetailSourceTests {
    private func values(_ families: [MetricFamily], _ name: String) -> [[String]: Double] {
        Dictionary(uniqueKeysWithValues: families.first { $0.name == name }!.samples.map { ($0.labelValues, $0.value) })
    }

    private let topics = [
        TopicState(name: "orders", partitions: [
            PartitionState(info: PartitionInfo(id: 0, leader: 1, replicas: [1, 2, 3], inSyncReplicas: [1, 2, 3]), watermarks: nil),
            PartitionState(info: PartitionInfo(id: 1, leader: 2, replicas: [2, 3, 1], inSyncReplicas: [2]), watermarks: nil),
        ]),
        TopicState(name: "audit", partitions: [
            PartitionState(info: PartitionInfo(id: 0, leader: 1, replicas: [1], inSyncReplicas: [1]), watermarks: nil),
        ]),
    ]

    @Test func configsAndUnderMinISRPartitions() {
        let families = TopicDetailSource.families(topics, configs: [
            "orders": TopicConfig([
                "retention.ms": "604800000", "retention.bytes": "-1", "cleanup.policy": "compact,delete", "min.insync.replicas": "2",
            ]),
            "audit": TopicConfig(["retention.ms": "-1", "cleanup.policy": "delete"]),
        ])
        #expect(values(families, "kafka_topic_replication_factor") == [["orders"]: 3, ["audit"]: 1])
        #expect(values(families, "kafka_topic_config_retention_seconds") == [["orders"]: 604_800, ["audit"]: -1])
        #expect(values(families, "kafka_topic_config_retention_bytes") == [["orders"]: -1])
        #expect(values(families, "kafka_topic_config_cleanup_policy") == [["orders", "compact"]: 1, ["orders", "delete"]: 1, ["audit", "delete"]: 1])
        #expect(values(families, "kafka_topic_config_min_insync_replicas") == [["orders"]: 2])
        // Partition 1 has one in-sync replica of the two required; audit has no min.insync.replicas known.
        #expect(values(families, "kafka_topic_partition_under_min_isr") == [["orders", "0"]: 0, ["orders", "1"]: 1])
    }

    /// Where the broker answers no configs (Tansu, the mock cluster), only metadata-derived detail shows.
    @Test func withoutConfigsOnlyTheReplicationFactor() {
        let families = TopicDetailSource.families(topics, configs: ["orders": TopicConfig([:])])
        #expect(values(families, "kafka_topic_replication_factor").count == 2)
        #expect(families.filter { $0.name != "kafka_topic_replication_factor" }.allSatisfy { $0.isEmpty })
    }
}
