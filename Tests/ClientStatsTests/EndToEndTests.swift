import ClientStats
import Foundation
import Kafka
import Testing
import TestSupport

/// Real librdkafka clients feeding the collector, read back from /metrics.
@Suite(.serialized) struct EndToEndTests {
    /// The exporter's own kind of client: librdkafka 2.0.2 through the Kafka module, with its produce
    /// requests failing, shows the re-transmissions against what the application produced.
    @Test func producerWithInjectedProduceErrorsShowsRetransmissions() throws {
        let stats = try StatsServer()
        let cluster = try MockCluster(brokers: 3)
        try cluster.createTopic("orders", partitions: 2)
        let producer = try Producer(
            configuration: ClientConfiguration([
                ("bootstrap.servers", cluster.bootstrapServers), ("client.id", "retrying-producer"),
                ("statistics.interval.ms", "100"), ("linger.ms", "5"), ("retry.backoff.ms", "10"),
            ]),
            callbacks: ClientCallbacks(statistics: stats.collector.statisticsHandler))
        cluster.pushRequestErrors(apiKey: 0, errors: [.notEnoughReplicas, .requestTimedOut, .notEnoughReplicas, .notEnoughReplicas])
        for index in 0..<50 {
            try producer.produce(topic: "orders", value: Array("reading \(index)".utf8))
        }
        try producer.flush(timeout: .seconds(30))

        let client = ["client_id": "retrying-producer", "type": "producer"]
        let samples = try stats.waitForMetrics("re-transmissions") { samples in
            let produced = samples.series("kafka_client_produced_messages_total", client).reduce(0) { $0 + $1.value }
            let transmitted = samples.series("kafka_client_tx_messages_total", client).reduce(0) { $0 + $1.value }
            let retries = samples.series("kafka_client_tx_retries_total", client).reduce(0) { $0 + $1.value }
            return produced == 50 && (transmitted > produced || retries > 0)
        }
        #expect(samples.value("kafka_exporter_stats_documents_total", ["source": "self"])! > 0)
        #expect(samples.series("kafka_client_broker_state", client.merging(["state": "UP"]) { $1 }).count >= 1)
    }

    /// An application on the newer librdkafka of the confluent-kafka wheel posts its statistics.
    @Test(.enabled(if: TestVirtualenv.isInstalled, "confluent-kafka test skipped: run `make test-deps` (or `make test`) to install it into .venv"))
    func confluentKafkaPythonClientPostsItsStatistics() throws {
        let stats = try StatsServer(token: BearerToken("python-token"))
        let script = Repository.root.appendingPathComponent("Tests/python/helpers/post_stats.py").path
        let run = try Subprocess.run([TestVirtualenv.python3.path, script, stats.statsURL, "python-producer", "python-token"])
        #expect(run.status == 0, "post_stats.py: \(run.standardOutput)\(run.standardError)")

        let client = ["client_id": "python-producer", "type": "producer"]
        let samples = try stats.waitForMetrics("the Python client's series") {
            $0.series("kafka_client_produced_messages_total", client).reduce(0) { $0 + $1.value } == 10
                && $0.value("kafka_exporter_stats_documents_total", ["source": "http"])! >= 2
        }
        #expect(samples.value("kafka_client_last_report_timestamp_seconds", client)! > 1_700_000_000)
    }
}
