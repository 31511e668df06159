import ClientStats
import Foundation
import Kafka
import Logging
import Testing
import TestSupport

@Suite(.serialized) struct StatsTopicReaderTests {
    /// Documents produced to the topic after the reader started reach the collector; the reader never
    /// commits an offset for its group.
    @Test func readsDocumentsProducedAfterItStartedAndNeverCommits() throws {
        let cluster = try MockCluster(brokers: 1)
        try cluster.createTopic("client-stats", partitions: 2)
        let stats = try StatsServer()
        let logger = Logger(label: "stats-topic-test")
        let factory = KafkaClientFactory(base: ClientConfiguration([("bootstrap.servers", cluster.bootstrapServers)]), logger: logger)
        let reader = StatsTopicReader(
            topic: "client-stats", consumer: try factory.assignedConsumer(role: "stats-topic"), collector: stats.collector, logger: logger)
        reader.start()
        defer { reader.stop() }

        let producer = try Producer(configuration: ClientConfiguration([("bootstrap.servers", cluster.bootstrapServers)]))
        let document = try Fixtures.bytes("consumer-2.0.2.json")
        // Partition 1 gets the same document under another client id, so the collector shows which
        // partitions were read.
        let renamed = Array(String(decoding: document, as: UTF8.self)
            .replacingOccurrences(of: "\"client_id\": \"capture-consumer\"", with: "\"client_id\": \"capture-consumer-1\"").utf8)
        let expected = [ClientKey(clientID: "capture-consumer", type: "consumer"), ClientKey(clientID: "capture-consumer-1", type: "consumer")]
        // The reader starts at the end of each partition once librdkafka has looked that end up, one
        // partition at a time: keep sending until it reads both.
        let deadline = ContinuousClock.now + .seconds(20)
        while Set(stats.collector.clients.map(\.key)) != Set(expected) && ContinuousClock.now < deadline {
            try producer.produce(topic: "client-stats", partition: 0, value: document)
            try producer.produce(topic: "client-stats", partition: 1, value: renamed)
            try producer.flush(timeout: .seconds(5))
            Thread.sleep(forTimeInterval: 0.2)
        }
        #expect(Set(stats.collector.clients.map(\.key)) == Set(expected))
        try producer.produce(topic: "client-stats", partition: 1, value: Array("not json".utf8))
        try producer.flush(timeout: .seconds(5))
        let samples = try stats.waitForMetrics("documents from the topic") {
            ($0.value("kafka_exporter_stats_documents_total", ["source": "topic"]) ?? 0) >= 1
                && $0.value("kafka_exporter_stats_rejected_total", ["reason": "invalid_json"]) == 1
        }
        #expect(samples.value("kafka_client_consumer_lag", ["client_id": "capture-consumer", "partition": "0"]) == 10)

        let admin = AdminClient { () throws(KafkaError) in
            try KafkaClient(kind: .producer, configuration: ClientConfiguration([("bootstrap.servers", cluster.bootstrapServers)]))
        }
        let partitions = [TopicPartition("client-stats", 0), TopicPartition("client-stats", 1)]
        let group = "kafka-exporter-stats-topic"
        let committed = admin.committedOffsets([AdminClient.OffsetRequest(group: group, partitions: partitions)], timeout: .seconds(5), maxInFlight: 1)
        #expect(try committed[group]?.get() == [:])
    }

    /// The broker goes away under the reader and comes back empty (Tansu keeps its storage in memory):
    /// librdkafka 2.0.2 could then wait forever to close the consumer, which would hang the exporter's
    /// shutdown. The reader must see the outage, and its consumer must still close.
    @Test(.enabled(if: TestVirtualenv.isInstalled, "needs Tansu: run `make test-deps`"))
    func stopsPromptlyAfterItsBrokerRestarted() throws {
        let broker = try TansuBroker()
        try broker.createTopic("client-stats", partitions: 1)
        let stats = try StatsServer()
        let log = CapturedLog()
        let logger = log.logger
        let factory = KafkaClientFactory(base: ClientConfiguration([("bootstrap.servers", broker.bootstrapServers), ("log_level", "0")]), logger: logger)
        let reader = StatsTopicReader(
            topic: "client-stats", consumer: try factory.assignedConsumer(role: "stats-topic"), collector: stats.collector,
            partitionRefresh: .seconds(1), logger: logger)
        reader.start()
        var stopped = false
        defer { if !stopped { reader.stop() } }

        let producer = try Producer(configuration: ClientConfiguration([("bootstrap.servers", broker.bootstrapServers), ("linger.ms", "0")]))
        let document = try Fixtures.bytes("consumer-2.0.2.json")
        #expect(poll(within: .seconds(30)) {
            try? producer.produce(topic: "client-stats", partition: 0, value: document)
            try? producer.flush(timeout: .seconds(2))
            return !stats.collector.clients.isEmpty
        })
        producer.close()

        try broker.stop()
        #expect(poll(within: .seconds(15)) { log.contains("statistics topic reader") }, "the outage was reported: \(log.lines)")
        try broker.restart()
        Thread.sleep(forTimeInterval: 3)
        stopped = true
        let started = ContinuousClock.now
        #expect(reader.stop(), "the consumer closed: no 'did not close' warning in \(log.lines)")
        #expect(ContinuousClock.now - started < .seconds(12))
    }
}

