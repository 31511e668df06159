import Cluster
@testable import RatesAndLag
import Exposition
import Foundation
import Kafka
import Testing
import TestSupport

@Suite struct OffsetInsightsOutputTests {
    private static let hostileGroup = "we\"ird\\group\nname/with slash"
    private static let hostileTopic = "tö\"pic\\"

    /// Three cycles of a topic with a group lagging since before the first cycle (retention deleted 10
    /// of its messages), a caught-up group and a partition without offsets.
    private func runCluster() -> (ScriptedCluster, [MetricFamily]) {
        var cluster = ScriptedCluster()
        cluster.oldest = [Self.hostileTopic: [20]]
        var families: [MetricFamily] = []
        for second in [0.0, 15, 30] {
            cluster.topics = [Self.hostileTopic: [100 + Int64(second) * 10, nil], "idle": [7]]
            cluster.commits = [
                Self.hostileGroup: [TopicPartition(Self.hostileTopic, 0): 10, TopicPartition(Self.hostileTopic, 1): 3],
                "caught-up": [TopicPartition("idle", 0): 7],
            ]
            families = cluster.insights.update(with: cluster.state(at: second))
        }
        return (cluster, families)
    }

    @Test(.enabled(if: Promtool.isInstalled, "needs promtool: run `make test-deps` (or `make test`) to install it"))
    func everyFamilyIsFilledAndPassesPromtool() throws {
        let (_, families) = runCluster()
        #expect(families.map(\.name).sorted() == [
            "kafka_consumergroup_lag_lost_messages", "kafka_consumergroup_lag_seconds", "kafka_consumergroup_lag_seconds_lower_bound",
            "kafka_consumergroup_lag_seconds_read",
            "kafka_consumergroup_max_lag_seconds", "kafka_consumergroup_messages_consumed_per_minute",
            "kafka_consumergroup_messages_consumed_total", "kafka_consumergroup_partition_status",
            "kafka_consumergroup_status", "kafka_topic_messages_in_per_minute", "kafka_topic_messages_in_per_second",
            "kafka_topic_messages_in_total",
        ])
        #expect(families.allSatisfy { !$0.isEmpty })
        let writer = ExpositionWriter(format: .text)
        let exposition = families.map { writer.render($0).string }.joined()
        let result = try Promtool.checkMetrics(exposition)
        #expect(result.passes, "\(result.output)")
        let samples = ExpositionSamples(exposition)
        #expect(samples.value("kafka_consumergroup_lag_seconds", ["consumergroup": Self.hostileGroup, "partition": "0"]) == 30)
    }

    @Test func theGroupsDocumentHasStatusLagAndOffsetsPerPartition() throws {
        let (cluster, _) = runCluster()
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let document = try decoder.decode(GroupsDocument.self, from: Data(cluster.insights.groupsJSON()))
        #expect(document.collectedAt == ScriptedCluster.start.addingTimeInterval(30))
        #expect(document.statusWindowSeconds == 120)
        #expect(document.groups.map(\.name) == ["caught-up", Self.hostileGroup])
        let lagging = document.groups[1]
        #expect(lagging.status == .ok && lagging.maxLagSeconds == 30)
        #expect(lagging.partitions == [
            PartitionInsight(
                topic: Self.hostileTopic, partition: 0, status: .ok, committedOffset: 10, newestOffset: 400, lag: 390,
                lagSeconds: 30, lagSecondsIsLowerBound: true, lagSecondsWasRead: false, lostMessages: 10),
            PartitionInsight(topic: Self.hostileTopic, partition: 1, committedOffset: 3),
        ])
        #expect(lagging.topics == [ConsumedTopic(topic: Self.hostileTopic, messagesConsumedTotal: 13, messagesConsumedPerMinute: 0)])
    }

    @Test func oneGroupByNameAndNothingForAnUnknownOne() throws {
        let (cluster, _) = runCluster()
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let body = try #require(cluster.insights.groupJSON(named: Self.hostileGroup))
        let document = try decoder.decode(GroupDocument.self, from: Data(body))
        #expect(document.group.name == Self.hostileGroup)
        #expect(document.group.partitions.count == 2)
        #expect(cluster.insights.groupJSON(named: "nobody") == nil)
    }

    @Test func beforeTheFirstCycleThereAreNoGroups() throws {
        let insights = OffsetInsights()
        let text = String(decoding: insights.groupsJSON(), as: UTF8.self)
        #expect(text == "{\n  \"groups\" : [\n\n  ],\n  \"statusWindowSeconds\" : 120\n}")
        #expect(insights.groupJSON(named: "g") == nil)
    }
}
