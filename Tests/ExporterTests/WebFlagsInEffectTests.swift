import Exporter
import Foundation
import Testing
import TestSupport

/// Non-default `--web.*` values change what the running exporter's server does: each test starts an
/// exporter with one small value and observes its effect over HTTP (no Kafka: the cluster is a closed port).
@Suite struct WebFlagsInEffectTests {
    private static func exporter(_ arguments: [String]) throws -> ExporterHarness {
        try ExporterHarness(bootstrap: "127.0.0.1:1", arguments: arguments) { $0.collection.requestTimeout = .milliseconds(300) }
    }

    private static func failures(_ samples: ExpositionSamples, _ reason: String) -> Double {
        samples.value("kafka_exporter_http_requests_failed_total", ["reason": reason]) ?? 0
    }

    /// Connections from `source`, each answered once and then left halfway through a request it never
    /// finishes; one after the other, so the first has waited longest.
    private static func waitingConnections(_ count: Int, port: UInt16, from sources: [String]) throws -> [HTTPTestClient] {
        try (0..<count).map { index in
            let client = try HTTPTestClient(port: port, source: sources[index % sources.count])
            #expect(try client.request("GET", "/healthz").status == 200)
            try client.write(Array("GET /healthz HTTP/1.1\r\nX-Slow: a".utf8))
            return client
        }
    }

    @Test func theTelemetryPathServesTheMetricsAndMetricsIsNotFound() throws {
        let harness = try Self.exporter(["--web.telemetry-path", "/kafka/metrics"])
        let custom = try HTTPTestClient.get(port: harness.port, "/kafka/metrics")
        #expect(custom.status == 200)
        #expect(custom.text.contains("\nkafka_exporter_up 0\n"), "\(custom.text.prefix(200))")
        #expect(try HTTPTestClient.get(port: harness.port, "/metrics").status == 404)
    }

    @Test func atMaxConnectionsANewConnectionClosesTheLongestWaiting() throws {
        let harness = try Self.exporter(["--web.max-connections", "3"])
        // Three addresses: no address reaches its own cap (32).
        let waiting = try Self.waitingConnections(3, port: harness.port, from: ["127.0.0.2", "127.0.0.3", "127.0.0.4"])
        let newcomer = try HTTPTestClient(port: harness.port, source: "127.0.0.5")
        #expect(poll(within: .seconds(2)) { waiting[0].isClosedByServer }, "the longest-waiting connection is closed")
        #expect(try newcomer.request("GET", "/healthz").status == 200)
        #expect(!waiting[1].isClosedByServer && !waiting[2].isClosedByServer)
        // Read over the newcomer's own connection: a fresh one would evict another.
        var samples = ExpositionSamples("")
        #expect(poll(within: .seconds(10)) {
            samples = ExpositionSamples((try? newcomer.request("GET", "/metrics").text) ?? "")
            return Self.failures(samples, "evicted") == 1
        }, "evicted: \(Self.failures(samples, "evicted"))")
        #expect(Self.failures(samples, "connection_limit") == 0 && Self.failures(samples, "peer_connection_limit") == 0)
    }

    @Test func atMaxConnectionsPerIPANewConnectionClosesThatAddresssLongestWaiting() throws {
        let harness = try Self.exporter(["--web.max-connections-per-ip", "2"])
        let waiting = try Self.waitingConnections(2, port: harness.port, from: ["127.0.0.2"])
        let third = try HTTPTestClient(port: harness.port, source: "127.0.0.2")
        #expect(poll(within: .seconds(2)) { waiting[0].isClosedByServer }, "the address's longest-waiting connection is closed")
        #expect(try third.request("GET", "/healthz").status == 200)
        #expect(!waiting[1].isClosedByServer)
        // Scraped from 127.0.0.1, which has connections to spare.
        let samples = try harness.waitForMetrics("one eviction counted") { Self.failures($0, "evicted") == 1 }
        #expect(Self.failures(samples, "peer_connection_limit") == 0 && Self.failures(samples, "connection_limit") == 0)
    }

    @Test func aRequestNotCompleteWithinTheRequestTimeoutIsCut() throws {
        let harness = try Self.exporter(["--web.request-timeout", "1s"])
        // A byte every 100 ms for up to 7 s, within the default timeout of 10 s.
        let closedAfter = try HTTPTestClient(port: harness.port).dribble(
            Array("GET /healthz HTTP/1.1\r\nX-Slow: ".utf8) + Array(repeating: UInt8(ascii: "a"), count: 40), every: .milliseconds(100))
        #expect(closedAfter.map { $0 < .seconds(5) } == true, "closed after \(String(describing: closedAfter)), the timeout is 1 s")
        try harness.waitForMetrics("the timeout counted") { Self.failures($0, "timeout") == 1 }
    }

    @Test func aBodyBeyondTheBudgetInFlightGets503BeforeItIsSent() throws {
        let harness = try Self.exporter(["--web.max-body-bytes-in-flight", "4096"])
        func post(declaring length: Int, sending body: [UInt8]) throws -> HTTPTestClient.Response {
            let head = "POST /api/v1/stats HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(length)\r\n\r\n"
            return try HTTPTestClient(port: harness.port).raw(Array(head.utf8) + body)
        }
        let beyond = try post(declaring: 5000, sending: [])
        #expect(beyond.status == 503 && beyond.text == "too many request bodies in flight; retry later\n", "\(beyond.status) \(beyond.text)")
        // Within the budget the body is read: it is no statistics document.
        let within = try post(declaring: 3000, sending: [UInt8](repeating: UInt8(ascii: " "), count: 3000))
        #expect(within.status == 400, "\(within.status) \(within.text)")
    }
}
