import Cluster
import Exporter
import Foundation
import Kafka
import Exposition
import Testing
import TestSupport

/// `--probe.enabled` through the whole exporter: the probe's families reach /metrics and pass promtool.
@Suite struct ProbeThroughTheExporterTests {
    @Test(.enabled(if: Promtool.isInstalled, "needs promtool: run `make test-deps` (or `make test`) to install it"))
    func probeFamiliesReachMetrics() throws {
        let cluster = try MockCluster(brokers: 1)
        try cluster.createTopic("probe", partitions: 1)
        let harness = try ExporterHarness(bootstrap: cluster.bootstrapServers, arguments: [
            "--probe.enabled", "--probe.topic", "probe", "--probe.interval", "100ms", "--probe.timeout", "2s",
        ])
        let samples = try harness.waitForMetrics("probe up") {
            $0.value("kafka_probe_up") == 1 && ($0.value("kafka_probe_roundtrip_latency_seconds_count", ["partition": "0", "broker": "1"]) ?? 0) > 0
        }
        #expect(samples.value("kafka_probe_roundtrip_latency_seconds_bucket", ["partition": "0", "broker": "1", "le": "+Inf"])
            == samples.value("kafka_probe_roundtrip_latency_seconds_count", ["partition": "0", "broker": "1"]))
        let result = try Promtool.checkMetrics(try harness.metrics())
        #expect(result.passes, "\(result.output)")
    }
}
