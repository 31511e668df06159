import Cluster
import ClusterMetrics
import Foundation
import Kafka
import Exposition
import Testing
import TestSupport

@Suite struct ClusterFamiliesTests {
    private func state(groups: [ConsumerGroupState]) -> ClusterState {
        ClusterState(
            collectedAt: Date(timeIntervalSince1970: 1_700_000_000),
            brokers: [Broker(id: 1, host: "b1", port: 9092), Broker(id: 2, host: "b2", port: 9092)],
            topics: [TopicState(name: "orders", partitions: [
                PartitionState(info: PartitionInfo(id: 0, leader: 1, replicas: [1, 2], inSyncReplicas: [1, 2]), watermarks: Watermarks(oldest: 5, newest: 100)),
                PartitionState(info: PartitionInfo(id: 1, leader: 1, replicas: [2, 1], inSyncReplicas: [1]), watermarks: Watermarks(oldest: 0, newest: 40)),
                PartitionState(info: PartitionInfo(id: 2, leader: -1, replicas: [1, 2], inSyncReplicas: []), watermarks: nil),
            ])],
            groups: groups)
    }

    private func render(_ state: ClusterState) -> ExpositionSamples {
        let writer = ExpositionWriter(format: .text)
        return ExpositionSamples(ClusterFamilies.build(state).map { writer.render($0).string }.joined())
    }

    @Test func topicAndPartitionFamilies() {
        let samples = render(state(groups: []))
        #expect(samples.value("kafka_brokers") == 2)
        #expect(samples.value("kafka_broker_info", ["id": "2", "address": "b2:9092"]) == 1)
        #expect(samples.value("kafka_topic_partitions", ["topic": "orders"]) == 3)
        #expect(samples.value("kafka_topic_partition_current_offset", ["topic": "orders", "partition": "0"]) == 100)
        #expect(samples.value("kafka_topic_partition_oldest_offset", ["topic": "orders", "partition": "0"]) == 5)
        #expect(samples.value("kafka_topic_partition_leader_is_preferred", ["partition": "0"]) == 1)
        #expect(samples.value("kafka_topic_partition_leader_is_preferred", ["partition": "1"]) == 0)
        #expect(samples.value("kafka_topic_partition_under_replicated_partition", ["partition": "1"]) == 1)
        #expect(samples.value("kafka_topic_partition_in_sync_replica", ["partition": "1"]) == 1)
        #expect(samples.value("kafka_topic_partition_replicas", ["partition": "1"]) == 2)
        #expect(samples.value("kafka_topic_partition_leader", ["partition": "2"]) == -1)
        // No watermarks read for partition 2: no offset series rather than a made-up value.
        #expect(samples.value("kafka_topic_partition_current_offset", ["partition": "2"]) == nil)
    }

    @Test func lagIsExactClampedAndOnlyForCommittedPartitions() {
        let group = ConsumerGroupState(
            id: "billing", state: .stable, members: [],
            committedOffsets: [TopicPartition("orders", 0): 90, TopicPartition("orders", 1): 45, TopicPartition("orders", 2): 7])
        let samples = render(state(groups: [group]))
        let labels = { (partition: String) in ["consumergroup": "billing", "topic": "orders", "partition": partition] }
        #expect(samples.value("kafka_consumergroup_current_offset", labels("0")) == 90)
        #expect(samples.value("kafka_consumergroup_lag", labels("0")) == 10)
        // Committed past the watermark read earlier: caught up, not negative.
        #expect(samples.value("kafka_consumergroup_lag", labels("1")) == 0)
        // Partition 2 has no known newest offset: no lag series.
        #expect(samples.value("kafka_consumergroup_lag", labels("2")) == nil)
        #expect(samples.value("kafka_consumergroup_lag_sum", ["consumergroup": "billing", "topic": "orders"]) == 10)
        #expect(samples.value("kafka_consumergroup_current_offset_sum", ["consumergroup": "billing", "topic": "orders"]) == 135)
        #expect(samples.value("kafka_consumergroup_members", ["consumergroup": "billing"]) == 0)
    }

    @Test func groupsWithoutCommitsOrDescriptionsHaveNoOffsetSeries() {
        let unknownMembers = ConsumerGroupState(id: "static-only", state: nil, members: nil, committedOffsets: [:])
        let samples = render(state(groups: [unknownMembers]))
        #expect(samples.series("kafka_consumergroup_current_offset").isEmpty)
        #expect(samples.series("kafka_consumergroup_lag").isEmpty)
        #expect(samples.value("kafka_consumergroup_members", ["consumergroup": "static-only"]) == nil)
    }

    @Test(.enabled(if: Promtool.isInstalled, "needs promtool: run `make test-deps` (or `make test`) to install it"))
    func outputPassesPromtool() throws {
        let group = ConsumerGroupState(id: "g\"1\n", state: .empty, members: [], committedOffsets: [TopicPartition("orders", 0): 1])
        let writer = ExpositionWriter(format: .text)
        let text = ClusterFamilies.build(state(groups: [group])).map { writer.render($0).string }.joined()
        let result = try Promtool.checkMetrics(text)
        #expect(result.passes, "\(result.output)")
    }
}
