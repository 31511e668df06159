import Cluster
import Exporter
import Foundation
import Kafka
import Testing
import TestSupport

/// The exporter against Tansu, a Kafka-compatible broker nobody here wrote, which (unlike librdkafka's
/// mock cluster) implements ListGroups and DescribeGroups. Tansu 0.6 deviations from Apache Kafka,
/// measured through the proxy (docs/tansu.md):
/// - ListOffsets "latest" returns the base offset of the partition's last record batch plus one, not
///   the offset after its last record; tests produce one record per batch, where both agree.
/// - ListConsumerGroups lists only groups that committed, each in state "Unknown".
/// - An OffsetFetch for all of a group's partitions is answered with a null topic array, which
///   librdkafka 2.0.2 rejects; the exporter then asks with explicit partitions.
@Suite(
    .serialized,
    .enabled(if: TestVirtualenv.isInstalled, "Tansu tests skipped: run `make test-deps` (or `make test`) to install the Tansu broker into .venv"),
    .enabled(if: Promtool.isInstalled, "needs promtool: run `make test-deps` (or `make test`) to install it")
)
struct TansuConformanceTests {
    private func harness(_ broker: TansuBroker, arguments: [String] = []) throws -> ExporterHarness {
        try ExporterHarness(
            bootstrap: broker.bootstrapServers, arguments: ["--group.discovery", "--collect.timeout", "5s"] + arguments, interval: "500ms"
        ) { $0.collection.describeGroups = true }
    }

    /// One record per batch, so that Tansu's ListOffsets agrees with Apache Kafka's.
    private func produce(_ counts: [Int], to topic: String, _ broker: TansuBroker) throws {
        let producer = try Producer(configuration: ClientConfiguration([
            ("bootstrap.servers", broker.bootstrapServers), ("linger.ms", "0"), ("batch.num.messages", "1"),
        ]))
        for (partition, count) in counts.enumerated() {
            for index in 0..<count {
                try producer.produce(topic: topic, partition: Int32(partition), value: Array("record \(index)".utf8))
                try producer.flush(timeout: .seconds(10))
            }
        }
    }

    private func checkWithPromtool(_ harness: ExporterHarness) throws {
        let result = try Promtool.checkMetrics(try harness.metrics())
        #expect(result.passes, "\(result.output)")
    }

    @Test func groupsAreDiscoveredFilteredAndDisappearWhenDeleted() throws {
        let broker = try TansuBroker()
        try broker.createTopic("orders", partitions: 2)
        try produce([4, 4], to: "orders", broker)
        for group in ["billing", "audit", "tmp-probe"] {
            try commit([TopicPartition("orders", 0): 1, TopicPartition("orders", 1): 2], group: group, bootstrap: broker.bootstrapServers)
        }
        let harness = try harness(broker, arguments: ["--group.exclude", "^tmp-"])
        let samples = try harness.waitForMetrics("discovered groups") { $0.value("kafka_consumergroup_lag_sum", ["consumergroup": "audit"]) != nil }
        let groups = Set(samples.series("kafka_consumergroup_lag_sum").compactMap { $0.labels["consumergroup"] })
        #expect(groups == ["billing", "audit"])
        #expect(samples.value("kafka_consumergroup_lag_sum", ["consumergroup": "billing", "topic": "orders"]) == 5)
        try checkWithPromtool(harness)

        let bootstrap = broker.bootstrapServers
        let admin = AdminClient { () throws(KafkaError) in
            try KafkaClient(kind: .producer, configuration: ClientConfiguration([("bootstrap.servers", bootstrap)]))
        }
        try admin.deleteGroups(["billing"], timeout: .seconds(5))
        let after = try harness.waitForMetrics("billing gone") { $0.series("kafka_consumergroup_lag", ["consumergroup": "billing"]).isEmpty }
        #expect(after.series("kafka_consumergroup_current_offset", ["consumergroup": "billing"]).isEmpty)
        #expect(after.value("kafka_consumergroup_lag_sum", ["consumergroup": "audit", "topic": "orders"]) == 5)
    }

    @Test func membersMatchLiveConsumersAndEmptyGroupsStillReportLag() throws {
        let broker = try TansuBroker()
        try broker.createTopic("events", partitions: 2)
        try produce([5, 5], to: "events", broker)
        let members = try (0..<2).map { _ in try LiveConsumer(bootstrap: broker.bootstrapServers, group: "live", topics: ["events"]) }
        defer { members.forEach { $0.stop() } }
        // kafka_exporter regression #226: a group without members but with commits still has lag.
        try commit([TopicPartition("events", 0): 2], group: "idle", bootstrap: broker.bootstrapServers)

        let harness = try harness(broker)
        let samples = try harness.waitForMetrics("two live members") {
            $0.value("kafka_consumergroup_members", ["consumergroup": "live"]) == 2
                && $0.value("kafka_consumergroup_lag_sum", ["consumergroup": "live"]) == 0
        }
        #expect(samples.value("kafka_consumergroup_members", ["consumergroup": "idle"]) == 0)
        #expect(samples.value("kafka_consumergroup_lag", ["consumergroup": "idle", "topic": "events", "partition": "0"]) == 3)
        try checkWithPromtool(harness)
    }

    /// The group committed 12 of 30 records and commits nothing more while 10 batches of 3 are produced.
    /// Every scrape must show a lag the test can name: 18 plus the batches produced so far — never less
    /// than an earlier scrape showed, never more than was produced — and equal to the newest offset on
    /// the same page minus 12.
    @Test func lagIsExactWhileProducing() throws {
        let broker = try TansuBroker()
        try broker.createTopic("payments", partitions: 1)
        try produce([30], to: "payments", broker)
        let consumer = try LiveConsumer(bootstrap: broker.bootstrapServers, group: "settle", topics: ["payments"], limit: 12)
        defer { consumer.stop() }
        #expect(consumer.waitForCount(12))
        let harness = try harness(broker)
        let samples = try harness.waitForMetrics("exact lag") { $0.value("kafka_consumergroup_lag_sum", ["consumergroup": "settle"]) == 18 }
        #expect(samples.value("kafka_consumergroup_current_offset", ["consumergroup": "settle", "topic": "payments", "partition": "0"]) == 12)

        let partition = ["topic": "payments", "partition": "0"]
        var seen = 18.0
        for round in 1...10 {
            try produce([3], to: "payments", broker)
            let page = ExpositionSamples(try harness.metrics())
            let lag = try #require(page.value("kafka_consumergroup_lag", partition.merging(["consumergroup": "settle"]) { $1 }))
            let newest = try #require(page.value("kafka_topic_partition_current_offset", partition))
            #expect(lag == newest - 12, "round \(round): lag \(lag), newest offset \(newest)")
            #expect(lag >= seen && lag <= Double(18 + 3 * round), "round \(round): lag \(lag) after \(seen)")
            #expect(lag.truncatingRemainder(dividingBy: 3) == 0, "round \(round): lag \(lag) is not 18 plus whole batches")
            seen = lag
        }
        try harness.waitForMetrics("lag after producing 30 more") { $0.value("kafka_consumergroup_lag_sum", ["consumergroup": "settle"]) == 48 }
        try checkWithPromtool(harness)
    }

    @Test(.enabled(if: Subprocess.isOnPath("kcat"), "kcat comparison skipped: run `make test-deps` (or `make test`) to install kcat"))
    func topicsFollowTheBrokerAndMatchKcat() throws {
        let broker = try TansuBroker()
        try broker.createTopic("alpha", partitions: 3)
        try produce([2, 0, 5], to: "alpha", broker)
        let harness = try harness(broker)
        try harness.waitForMetrics("alpha") { $0.value("kafka_topic_partitions", ["topic": "alpha"]) == 3 }

        try broker.createTopic("beta", partitions: 2)
        let withBeta = try harness.waitForMetrics("beta appears") { $0.value("kafka_topic_partitions", ["topic": "beta"]) == 2 }
        for partition in 0..<3 {
            let (oldest, newest) = try kcatWatermarks(broker, topic: "alpha", partition: partition)
            #expect(withBeta.value("kafka_topic_partition_oldest_offset", ["topic": "alpha", "partition": "\(partition)"]) == Double(oldest))
            #expect(withBeta.value("kafka_topic_partition_current_offset", ["topic": "alpha", "partition": "\(partition)"]) == Double(newest))
        }
        #expect(withBeta.value("kafka_topic_partition_current_offset", ["topic": "alpha", "partition": "2"]) == 5)
        #expect(try kcatPartitionCount(broker, topic: "beta") == 2)
        try checkWithPromtool(harness)

        try broker.deleteTopic("alpha")
        let withoutAlpha = try harness.waitForMetrics("alpha vanishes") { $0.series("kafka_topic_partitions", ["topic": "alpha"]).isEmpty }
        #expect(withoutAlpha.samples.allSatisfy { $0.labels["topic"] != "alpha" })
    }

    private func kcatWatermarks(_ broker: TansuBroker, topic: String, partition: Int) throws -> (Int, Int) {
        let oldest = try kcatQuery(broker, "\(topic):\(partition):-2")
        let newest = try kcatQuery(broker, "\(topic):\(partition):-1")
        return (oldest, newest)
    }

    /// `kcat -Q -t topic:partition:timestamp` prints `topic [partition] offset N`.
    private func kcatQuery(_ broker: TansuBroker, _ query: String) throws -> Int {
        let result = try Subprocess.run(["kcat", "-Q", "-b", broker.bootstrapServers, "-t", query])
        let offset = result.standardOutput.split(separator: " ").last.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        return try #require(offset, "kcat -Q \(query): \(result.standardOutput) \(result.standardError)")
    }

    private func kcatPartitionCount(_ broker: TansuBroker, topic: String) throws -> Int {
        let result = try Subprocess.run(["kcat", "-L", "-b", broker.bootstrapServers, "-t", topic, "-J"])
        let metadata = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        let topics = metadata?["topics"] as? [[String: Any]]
        return (topics?.first?["partitions"] as? [Any])?.count ?? -1
    }
}
