import Cluster
import Exporter
import Foundation
import Kafka
import Exposition
import Testing
import TestSupport

/// The exporter against librdkafka's mock cluster (real Kafka protocol over loopback TCP).
@Suite(.serialized) struct MockClusterIntegrationTests {
    @Test(.enabled(if: Promtool.isInstalled, "needs promtool: run `make test-deps` (or `make test`) to install it"))
    func reportsExactOffsetsAndLagOverHTTP() throws {
        let cluster = try MockCluster(brokers: 3)
        try cluster.createTopic("orders", partitions: 3, replicationFactor: 3)
        try cluster.createTopic("payments", partitions: 2, replicationFactor: 1)
        try produce([10, 20, 0], to: "orders", bootstrap: cluster.bootstrapServers)
        try produce([5, 7], to: "payments", bootstrap: cluster.bootstrapServers)
        try commit([TopicPartition("orders", 0): 4, TopicPartition("orders", 1): 20], group: "billing", bootstrap: cluster.bootstrapServers)
        try commit([TopicPartition("payments", 0): 5, TopicPartition("payments", 1): 2], group: "audit", bootstrap: cluster.bootstrapServers)

        let harness = try ExporterHarness(bootstrap: cluster.bootstrapServers, arguments: [
            "--group.static", "billing:orders", "--group.static", "audit",
            "--group.static", "billing",  // named twice: must appear once
        ])
        let samples = try harness.waitForMetrics("group offsets") { $0.value("kafka_consumergroup_lag_sum", ["consumergroup": "audit"]) != nil }

        #expect(samples.value("kafka_exporter_up") == 1)
        #expect(samples.value("kafka_brokers") == 3)
        #expect(samples.value("kafka_topic_partitions", ["topic": "orders"]) == 3)
        for (partition, newest) in [("0", 10.0), ("1", 20), ("2", 0)] {
            #expect(samples.value("kafka_topic_partition_current_offset", ["topic": "orders", "partition": partition]) == newest)
            #expect(samples.value("kafka_topic_partition_oldest_offset", ["topic": "orders", "partition": partition]) == 0)
            #expect(samples.value("kafka_topic_partition_replicas", ["topic": "orders", "partition": partition]) == 3)
        }
        let billing = { (partition: String) in ["consumergroup": "billing", "topic": "orders", "partition": partition] }
        #expect(samples.value("kafka_consumergroup_current_offset", billing("0")) == 4)
        #expect(samples.value("kafka_consumergroup_lag", billing("0")) == 6)
        #expect(samples.value("kafka_consumergroup_lag", billing("1")) == 0)
        // Nothing committed on orders/2: no series instead of kafka_exporter's -1.
        #expect(samples.value("kafka_consumergroup_current_offset", billing("2")) == nil)
        #expect(samples.value("kafka_consumergroup_lag_sum", ["consumergroup": "billing", "topic": "orders"]) == 6)
        #expect(samples.value("kafka_consumergroup_current_offset_sum", ["consumergroup": "billing", "topic": "orders"]) == 24)
        #expect(samples.value("kafka_consumergroup_lag_sum", ["consumergroup": "audit", "topic": "payments"]) == 5)
        #expect(samples.series("kafka_consumergroup_lag", ["consumergroup": "audit"]).count == 2)

        let text = try harness.metrics()
        let result = try Promtool.checkMetrics(text)
        #expect(result.passes, "\(result.output)")
    }

    @Test func brokerOutageKeepsServingTheLastSnapshotWithUpZero() throws {
        let cluster = try MockCluster(brokers: 1)
        try cluster.createTopic("events", partitions: 1)
        try produce([3], to: "events", bootstrap: cluster.bootstrapServers)
        let harness = try ExporterHarness(bootstrap: cluster.bootstrapServers)
        try harness.waitForMetrics("first cycle") { $0.value("kafka_exporter_up") == 1 }

        try cluster.setBrokerDown(1)
        let down = try harness.waitForMetrics("up 0") { $0.value("kafka_exporter_up") == 0 }
        #expect(down.value("kafka_topic_partition_current_offset", ["topic": "events", "partition": "0"]) == 3)
        #expect((down.value("kafka_exporter_collect_errors_total", ["stage": "metadata"]) ?? 0) >= 1)
        let lastSuccess = try #require(down.value("kafka_exporter_last_collect_success_timestamp_seconds"))
        #expect(try HTTPTestClient.get(port: harness.port, "/ready").status == 200)

        try cluster.setBrokerUp(1)
        let recovered = try harness.waitForMetrics("recovery") { $0.value("kafka_exporter_up") == 1 }
        #expect(try #require(recovered.value("kafka_exporter_last_collect_success_timestamp_seconds")) > lastSuccess)
    }

    /// Watermarks that cannot be read (their leader is down) cost only those partitions: they keep their
    /// last offsets, counted as stale, while the cycle still succeeds and every other series (the other
    /// leaders' partitions too) stays fresh.
    @Test func partitionsWhoseLeaderIsDownKeepTheirOffsetsMarkedStale() throws {
        let cluster = try MockCluster(brokers: 3)
        try cluster.createTopic("spread", partitions: 3)
        try produce([4, 5, 6], to: "spread", bootstrap: cluster.bootstrapServers)
        let harness = try ExporterHarness(bootstrap: cluster.bootstrapServers) { $0.collection.requestTimeout = .seconds(1) }
        let before = try harness.waitForMetrics("offsets of every partition") {
            $0.series("kafka_topic_partition_current_offset", ["topic": "spread"]).count == 3
        }
        #expect(before.value("kafka_exporter_stale_partitions") == 0)
        let partition = ["topic": "spread", "partition": "2"]
        let leader = try #require(before.value("kafka_topic_partition_leader", partition))
        let cyclesBefore = try #require(before.value("kafka_exporter_collect_cycles_total"))
        let ledByIt = before.series("kafka_topic_partition_leader", ["topic": "spread"]).filter { $0.value == leader }.count

        try cluster.setBrokerDown(Int32(leader))
        let during = try harness.waitForMetrics("stale partitions") { ($0.value("kafka_exporter_stale_partitions") ?? 0) >= 1 }
        #expect(during.value("kafka_exporter_up") == 1)
        #expect(during.value("kafka_exporter_stale_partitions") == Double(ledByIt))
        #expect(during.value("kafka_topic_partition_current_offset", partition) == 6)
        #expect((during.value("kafka_exporter_collect_errors_total", ["stage": "watermarks"]) ?? 0) >= 1)
        #expect(try #require(during.value("kafka_exporter_collect_cycles_total")) > cyclesBefore)
        #expect(during.series("kafka_topic_partition_current_offset", ["topic": "spread"]).count == 3)

        try cluster.setBrokerUp(Int32(leader))
        try harness.waitForMetrics(timeout: .seconds(30), "fresh watermarks again") { $0.value("kafka_exporter_stale_partitions") == 0 }
    }

    @Test func brokersThatCannotListOrDescribeGroupsStillGiveStaticGroupLag() throws {
        let cluster = try MockCluster(brokers: 1)
        try cluster.createTopic("events", partitions: 1)
        try produce([8], to: "events", bootstrap: cluster.bootstrapServers)
        try commit([TopicPartition("events", 0): 3], group: "reader", bootstrap: cluster.bootstrapServers)
        let harness = try ExporterHarness(
            bootstrap: cluster.bootstrapServers, arguments: ["--group.static", "reader", "--group.discovery", "--collect.timeout", "500ms"]
        ) { $0.collection.describeGroups = true }
        let samples = try harness.waitForMetrics("lag") { $0.value("kafka_consumergroup_lag", ["consumergroup": "reader"]) != nil }
        #expect(samples.value("kafka_consumergroup_lag", ["consumergroup": "reader", "topic": "events", "partition": "0"]) == 5)
        // The unsupported APIs are skipped afterwards, so cycles stay fast.
        let later = try harness.waitForCycles(3)
        #expect(try #require(later.value("kafka_exporter_collect_duration_seconds")) < 0.5)
        #expect(later.value("kafka_exporter_collect_errors_total", ["stage": "list_groups"]) == 0)
    }

    @Test func topicFiltersApplyAndInternalTopicsAreLeftOut() throws {
        let cluster = try MockCluster(brokers: 1)
        for topic in ["keep-a", "keep-b", "skip-me", "__internal"] { try cluster.createTopic(topic, partitions: 1) }
        let harness = try ExporterHarness(
            bootstrap: cluster.bootstrapServers, arguments: ["--topic.filter", "^keep|^skip|^__", "--topic.exclude=-b$"])
        let samples = try harness.waitForMetrics("topics") { !$0.series("kafka_topic_partitions").isEmpty }
        #expect(Set(samples.series("kafka_topic_partitions").compactMap { $0.labels["topic"] }) == ["keep-a", "skip-me"])
    }
}
