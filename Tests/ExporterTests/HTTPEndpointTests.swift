import Exporter
import Foundation
import Kafka
import Exposition
import Testing
import TestSupport

@Suite(.serialized) struct HTTPEndpointTests {
    /// A mock cluster with one topic, `events`, and an exporter that has read it once.
    private func exporterAfterItsFirstCycle(partitions: Int) throws -> (MockCluster, ExporterHarness) {
        let cluster = try MockCluster(brokers: 1)
        try cluster.createTopic("events", partitions: partitions)
        let harness = try ExporterHarness(bootstrap: cluster.bootstrapServers)
        try harness.waitForMetrics("first cycle") { $0.value("kafka_exporter_up") == 1 }
        return (cluster, harness)
    }

    @Test func endpointsStatusCodesAndKeepAlive() throws {
        let (cluster, harness) = try exporterAfterItsFirstCycle(partitions: 2)
        defer { withExtendedLifetime(cluster) {} }

        let connection = try HTTPTestClient(port: harness.port)
        #expect(try connection.request("GET", "/healthz").status == 200)
        #expect(try connection.request("GET", "/ready").status == 200)
        #expect(try connection.request("GET", "/nope").status == 404)
        let wrongMethod = try connection.request("POST", "/metrics")
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.headers["allow"] == "GET, HEAD")
        let page = try connection.request("GET", "/")
        #expect(page.text.contains("kafka-exporter \(Version.current)"))
        #expect(page.text.contains("1 brokers, 1 topics, 2 partitions"))
        #expect(page.headers["content-type"] == "text/html; charset=utf-8")
        #expect(page.headers["content-security-policy"]?.hasPrefix("default-src 'none'; style-src 'nonce-") == true)
        #expect(page.headers["x-content-type-options"] == "nosniff")
        // The overview reads what the sources published: the cluster's partitions and the links of every route.
        let overview = try connection.request("GET", "/api/v1/overview")
        #expect(overview.status == 200)
        #expect(overview.text.contains("\"partitions\":2"))
        #expect(page.text.contains("<a href=\"/api/v1/groups\">"))
        let head = try connection.request("HEAD", "/metrics")
        #expect(head.status == 200)
        // All of the above went over one connection.
        #expect(!connection.isClosedByServer)
    }

    @Test(.enabled(if: Promtool.isInstalled, "needs promtool: run `make test-deps` (or `make test`) to install it"))
    func gzipAndOpenMetricsAreNegotiated() throws {
        let (cluster, harness) = try exporterAfterItsFirstCycle(partitions: 1)
        defer { withExtendedLifetime(cluster) {} }

        let connection = try HTTPTestClient(port: harness.port)
        let plain = try connection.request("GET", "/metrics")
        #expect(plain.headers["content-type"] == ExpositionFormat.text.contentType)
        #expect(plain.headers["content-encoding"] == nil)
        let gzip = try connection.request("GET", "/metrics", headers: ["Accept-Encoding": "gzip, deflate"])
        #expect(gzip.headers["content-encoding"] == "gzip")
        let unzipped = try #require(Gzip.decompress(gzip.body))
        #expect(String(decoding: unzipped, as: UTF8.self).contains("kafka_topic_partitions{topic=\"events\"} 1"))
        let refused = try connection.request("GET", "/metrics", headers: ["Accept-Encoding": "gzip;q=0"])
        #expect(refused.headers["content-encoding"] == nil)
        let openMetrics = try connection.request("GET", "/metrics", headers: ["Accept": "application/openmetrics-text;version=1.0.0,text/plain;q=0.5"])
        #expect(openMetrics.headers["content-type"] == ExpositionFormat.openMetrics.contentType)
        #expect(openMetrics.text.hasSuffix("# EOF\n"))
        #expect(openMetrics.text.contains("# TYPE kafka_exporter_collect_errors counter\n"))
        // Exactly the known false findings of promtool's text-format lint, one per counter, or none
        // from a promtool that understands OpenMetrics; anything else is a defect of the exposition.
        let result = try Promtool.checkMetrics(openMetrics.text)
        let known = Promtool.openMetricsCounterFindings(openMetrics.text)
        #expect(known.contains("kafka_exporter_collect_errors_total no help text"))
        let findings = Set(result.unexpectedFindings)
        #expect((result.status == 3 && findings == known) || (result.status == 0 && findings.isEmpty), "\(result.output)")
    }

    @Test func malformedRequestsAreRefusedCountedAndHarmless() throws {
        let (cluster, harness) = try exporterAfterItsFirstCycle(partitions: 1)
        defer { withExtendedLifetime(cluster) {} }

        let garbage = try HTTPTestClient(port: harness.port).raw(Array("NOT AN HTTP REQUEST\r\n\r\n".utf8))
        #expect(garbage.status == 400)
        let samples = try harness.waitForMetrics("the failure counted") {
            ($0.value("kafka_exporter_http_requests_failed_total", ["reason": "protocol_error"]) ?? 0) >= 1
        }
        #expect((samples.value("kafka_exporter_http_responses_total", ["code": "200"]) ?? 0) >= 1)
        #expect(try HTTPTestClient.get(port: harness.port, "/metrics").status == 200)
    }

    @Test func notReadyUntilTheClusterHasBeenRead() throws {
        let harness = try ExporterHarness(bootstrap: "127.0.0.1:1") { $0.collection.requestTimeout = .milliseconds(300) }
        let samples = try harness.waitForCycles(1)
        #expect(samples.value("kafka_exporter_up") == 0)
        #expect(samples.value("kafka_exporter_last_collect_success_timestamp_seconds") == nil)
        #expect(try HTTPTestClient.get(port: harness.port, "/ready").status == 503)
        #expect(try HTTPTestClient.get(port: harness.port, "/healthz").status == 200)
    }
}
