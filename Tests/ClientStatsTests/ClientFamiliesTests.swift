import ClientStats
import Exposition
import Testing
import TestSupport

@Suite struct ClientFamiliesTests {
    static let fixtures = ["producer-2.0.2.json", "consumer-2.0.2.json", "producer-2.16.0.json", "consumer-2.16.0.json"]

    private func render(_ fixtures: [String]) throws -> (families: [MetricFamily], text: String) {
        var registry = ClientRegistry()
        for fixture in fixtures {
            registry.record(try StatisticsParser.parse(Fixtures.bytes(fixture)), at: .now)
        }
        let families = ClientFamilies.build(registry.sortedClients)
        let writer = ExpositionWriter(format: .text)
        return (families, families.map { writer.render($0).string }.joined())
    }

    @Test func theCataloguesFamiliesExactly() throws {
        let names = Set(try render(Self.fixtures).families.map(\.name))
        #expect(names == [
            "kafka_client_tx_retries_total", "kafka_client_tx_errors_total", "kafka_client_rx_errors_total",
            "kafka_client_request_timeouts_total", "kafka_client_connects_total", "kafka_client_disconnects_total",
            "kafka_client_tx_requests_total", "kafka_client_tx_bytes_total", "kafka_client_rx_bytes_total",
            "kafka_client_broker_outbuf_messages", "kafka_client_broker_waitresp_messages", "kafka_client_broker_state",
            "kafka_client_broker_state_age_seconds", "kafka_client_broker_rtt_seconds", "kafka_client_broker_int_latency_seconds",
            "kafka_client_broker_outbuf_latency_seconds", "kafka_client_broker_throttle_seconds",
            "kafka_client_msg_queue_messages", "kafka_client_msg_queue_max_messages", "kafka_client_msg_queue_bytes",
            "kafka_client_msg_queue_max_bytes", "kafka_client_produced_messages_total", "kafka_client_tx_messages_total",
            "kafka_client_rx_messages_total", "kafka_client_consumer_lag", "kafka_client_committed_offset",
            "kafka_client_rebalances_total", "kafka_client_assignment_partitions", "kafka_client_group_state",
            "kafka_client_last_report_timestamp_seconds",
        ])
    }

    @Test func producerWithRetransmissions() throws {
        let samples = ExpositionSamples(try render(["producer-2.0.2.json"]).text)
        let producer = ["client_id": "capture-producer", "type": "producer"]
        func partition(_ id: String) -> [String: String] { producer.merging(["topic": "orders", "partition": id]) { $1 } }
        #expect(samples.value("kafka_client_produced_messages_total", partition("0")) == 51)
        #expect(samples.value("kafka_client_tx_messages_total", partition("0")) == 153)
        #expect(samples.series("kafka_client_tx_messages_total", producer).reduce(0) { $0 + $1.value } == 500)
        #expect(samples.series("kafka_client_produced_messages_total", producer).reduce(0) { $0 + $1.value } == 200)
        // Partition -1 (messages before partitioning) is not a partition of its own.
        #expect(samples.series("kafka_client_produced_messages_total", ["partition": "-1"]).isEmpty)
        #expect(samples.series("kafka_client_rx_messages_total").isEmpty)

        #expect(samples.value("kafka_client_msg_queue_max_messages", producer) == 100_000)
        #expect(samples.value("kafka_client_msg_queue_max_bytes", producer) == 1_073_741_824)
        #expect(samples.value("kafka_client_msg_queue_messages", producer) == 0)
        #expect(samples.value("kafka_client_last_report_timestamp_seconds", producer) == 1_795_586_674)

        let broker = producer.merging(["broker": "127.0.0.1:33733/2"]) { $1 }
        #expect(samples.value("kafka_client_tx_requests_total", broker) == 8)
        #expect(samples.value("kafka_client_tx_bytes_total", broker) == 7581)
        #expect(samples.value("kafka_client_broker_state", broker.merging(["state": "UP"]) { $1 }) == 1)
        #expect(samples.value("kafka_client_broker_state_age_seconds", broker) == 0.499212)
        // Microseconds become seconds; a first document's totals are its window.
        #expect(samples.value("kafka_client_broker_rtt_seconds", broker.merging(["quantile": "0.99"]) { $1 }) == 177e-6)
        #expect(samples.value("kafka_client_broker_rtt_seconds_sum", broker) == 662e-6)
        #expect(samples.value("kafka_client_broker_rtt_seconds_count", broker) == 8)
        #expect(samples.value("kafka_client_broker_int_latency_seconds", broker.merging(["quantile": "0.5"]) { $1 }) == 0.020863)
        // An empty throttle window has no quantiles.
        #expect(samples.value("kafka_client_broker_throttle_seconds", broker.merging(["quantile": "0.5"]) { $1 })?.isNaN == true)
        #expect(samples.value("kafka_client_broker_throttle_seconds_count", broker) == 0)
    }

    @Test func consumerInAGroup() throws {
        let samples = ExpositionSamples(try render(["consumer-2.0.2.json"]).text)
        let consumer = ["client_id": "capture-consumer", "type": "consumer"]
        func partition(_ id: String) -> [String: String] { consumer.merging(["topic": "orders", "partition": id]) { $1 } }
        #expect(samples.value("kafka_client_rx_messages_total", partition("0")) == 51)
        #expect(samples.value("kafka_client_consumer_lag", partition("0")) == 10)
        #expect(samples.value("kafka_client_committed_offset", partition("0")) == 41)
        #expect(samples.series("kafka_client_committed_offset", consumer).count == 4)
        #expect(samples.value("kafka_client_rebalances_total", consumer) == 1)
        #expect(samples.value("kafka_client_assignment_partitions", consumer) == 4)
        #expect(samples.value("kafka_client_group_state", consumer.merging(["state": "up"]) { $1 }) == 1)
        #expect(samples.series("kafka_client_msg_queue_messages").isEmpty)

        // The coordinator's retries are on its own series, and the per-broker series add up to the
        // document's top-level total (tx 29) without counting anything twice.
        #expect(samples.value("kafka_client_tx_retries_total", consumer.merging(["broker": "GroupCoordinator"]) { $1 }) == 2)
        #expect(samples.series("kafka_client_tx_requests_total", consumer).reduce(0) { $0 + $1.value } == 29)
        #expect(samples.value("kafka_client_broker_rtt_seconds_sum", consumer.merging(["broker": "GroupCoordinator"]) { $1 }) == 3.001727)
    }

    @Test func internalBrokersAreLeftOut() throws {
        var document = try StatisticsParser.parse(Fixtures.bytes("producer-2.16.0.json"))
        var internalBroker = BrokerStatistics(name: ":0/internal")
        internalBroker.source = "internal"
        internalBroker.requestsSent = 0
        document.brokers.append(internalBroker)
        var registry = ClientRegistry()
        registry.record(document, at: .now)
        let families = ClientFamilies.build(registry.sortedClients)
        #expect(!families.flatMap(\.samples).contains { $0.labelValues.contains(":0/internal") })
    }

    @Test(.enabled(if: Promtool.isInstalled, "needs promtool: run `make test-deps` (or `make test`) to install it"))
    func promtoolAcceptsTheFamiliesOfEveryFixture() throws {
        let text = try render(Self.fixtures + ["consumer-large-2.0.2.json"]).text
        let result = try Promtool.checkMetrics(text)
        #expect(result.passes, "\(result.output)")
    }

    @Test(.enabled(if: Promtool.isInstalled, "needs promtool: run `make test-deps` (or `make test`) to install it"))
    func ingestionCountersCoverEverySourceAndReason() throws {
        let collector = ClientStatsCollector(logger: .init(label: "test"))
        try collector.ingest(Fixtures.bytes("producer-2.0.2.json"), from: .own)
        _ = try? collector.ingest(Array("{".utf8), from: .http)
        _ = try? collector.ingest(Array("{}".utf8), from: .topic)
        collector.countRejection(.unauthorized)
        let writer = ExpositionWriter(format: .text)
        let text = try #require(collector.families(onlyIfChanged: false)).map { writer.render($0).string }.joined()
        let samples = ExpositionSamples(text)
        #expect(samples.value("kafka_exporter_stats_documents_total", ["source": "self"]) == 1)
        #expect(samples.value("kafka_exporter_stats_documents_total", ["source": "http"]) == 0)
        #expect(samples.value("kafka_exporter_stats_rejected_total", ["reason": "invalid_json"]) == 1)
        #expect(samples.value("kafka_exporter_stats_rejected_total", ["reason": "not_statistics"]) == 1)
        #expect(samples.value("kafka_exporter_stats_rejected_total", ["reason": "unauthorized"]) == 1)
        #expect(samples.value("kafka_exporter_stats_rejected_total", ["reason": "too_large"]) == 0)
        #expect(samples.value("kafka_client_tx_messages_total", ["client_id": "capture-producer", "partition": "1"]) == 147)
        let result = try Promtool.checkMetrics(text)
        #expect(result.passes, "\(result.output)")
    }
}
