import ClientStats
import Foundation
import HTTP
import Testing
import TestSupport

@Suite struct StatsRouteTests {
    @Test func acceptsStatisticsWithTheTokenAndCountsEveryRefusal() throws {
        let stats = try StatsServer(token: BearerToken("s3cret"), maxBodyBytes: 64 * 1024)
        let document = try Fixtures.bytes("producer-2.0.2.json")

        #expect(try stats.post(document, headers: ["Authorization": "Bearer s3cret"]).status == 204)
        let missing = try stats.post(document)
        #expect(missing.status == 401)
        #expect(missing.headers["www-authenticate"] == #"Bearer realm="kafka-exporter""#)
        #expect(try stats.post(document, headers: ["Authorization": "Bearer s3cret-not"]).status == 401)
        #expect(try stats.post(document, headers: ["Authorization": "Basic s3cret"]).status == 401)
        let truncated = try stats.post(Array(document.prefix(100)), headers: ["Authorization": "Bearer s3cret"])
        #expect(truncated.status == 400)
        #expect(truncated.text.hasPrefix("not a librdkafka statistics document: "))
        let notStatistics = try stats.post(Array(#"{"hello":"world"}"#.utf8), headers: ["Authorization": "bearer s3cret"])
        #expect(notStatistics.status == 400)
        let tooLarge = try stats.post([UInt8](repeating: 0x20, count: 64 * 1024 + 1), headers: ["Authorization": "Bearer s3cret"])
        #expect(tooLarge.status == 413)
        #expect(try HTTPTestClient.get(port: stats.port, "/api/v1/stats").status == 405)

        let samples = try stats.waitForMetrics("the refusals") { $0.value("kafka_exporter_stats_rejected_total", ["reason": "too_large"]) == 1 }
        #expect(samples.value("kafka_exporter_stats_documents_total", ["source": "http"]) == 1)
        #expect(samples.value("kafka_exporter_stats_rejected_total", ["reason": "unauthorized"]) == 3)
        #expect(samples.value("kafka_exporter_stats_rejected_total", ["reason": "invalid_json"]) == 1)
        #expect(samples.value("kafka_exporter_stats_rejected_total", ["reason": "not_statistics"]) == 1)
        #expect(samples.value("kafka_client_tx_messages_total", ["client_id": "capture-producer", "partition": "0"]) == 153)
    }

    @Test func withoutATokenAnyoneMayPost() throws {
        let stats = try StatsServer()
        #expect(try stats.post(Fixtures.bytes("consumer-2.16.0.json")).status == 204)
        #expect(stats.collector.clients.map(\.key) == [ClientKey(clientID: "confluent-consumer", type: "consumer")])
    }

    @Test func postsAreDecidedFromTheirHeaders() throws {
        let stats = try StatsServer()
        let document = try Fixtures.bytes("producer-2.0.2.json")
        #expect(try stats.post(document, headers: ["Content-Type": "text/plain"]).status == 415)
        #expect(try stats.post(document, headers: ["Content-Type": "application/json; charset=utf-8"]).status == 204)
        let route = try #require(stats.source.routes.first)
        func admission(peer: [UInt8]) -> Int? {
            route.admit(HTTPRequest(method: "POST", path: StatsRoute.path, headers: ["content-type": "application/json"], peer: peer))?.status
        }
        #expect(admission(peer: [10, 1, 2, 3]) == 403)
        #expect(admission(peer: Array(repeating: 0, count: 15) + [1]) == nil)
        #expect(admission(peer: [127, 0, 0, 2]) == nil)
        let open = try StatsServer { $0.allowRemote = true }
        #expect(try #require(open.source.routes.first).admit(
            HTTPRequest(method: "POST", path: StatsRoute.path, headers: ["content-type": "application/json"], peer: [10, 1, 2, 3])) == nil)
        let samples = try stats.waitForMetrics("the refusals") { $0.value("kafka_exporter_stats_rejected_total", ["reason": "remote_peer"]) == 1 }
        #expect(samples.value("kafka_exporter_stats_rejected_total", ["reason": "wrong_content_type"]) == 1)
    }

    @Test func clientsAndPartitionsPerDocumentAreCapped() throws {
        let stats = try StatsServer {
            $0.limits.maxClients = 1
            $0.limits.maxPartitions = 10
        }
        let consumer = try Fixtures.bytes("consumer-2.16.0.json")
        #expect(try stats.post(consumer).status == 204)
        #expect(try stats.post(consumer).status == 204, "a known client may keep reporting")
        #expect(try stats.post(Fixtures.bytes("consumer-2.0.2.json")).status == 429)
        let large = try Fixtures.bytes("consumer-large-2.0.2.json")
        #expect(try StatisticsParser.parse(large).partitions.count > 10)
        #expect(try stats.post(large).status == 413)
        let samples = try stats.waitForMetrics("the refusals") { $0.value("kafka_exporter_stats_rejected_total", ["reason": "too_many_partitions"]) == 1 }
        #expect(samples.value("kafka_exporter_stats_rejected_total", ["reason": "too_many_clients"]) == 1)
        #expect(stats.collector.clients.count == 1)
    }

    @Test func theExportersOwnClientsNeitherTakeASlotNorAreRefused() throws {
        let stats = try StatsServer { $0.limits.maxClients = 1 }
        try stats.collector.ingest(Fixtures.bytes("producer-2.0.2.json"), from: .own)
        #expect(try stats.post(Fixtures.bytes("consumer-2.16.0.json")).status == 204, "the own client takes no slot")
        #expect(try stats.post(Fixtures.bytes("consumer-2.0.2.json")).status == 429)
        #expect(throws: Never.self, "posted clients fill the slots, yet an own client is admitted") {
            try stats.collector.ingest(Fixtures.bytes("consumer-2.0.2.json"), from: .own)
        }
        #expect(stats.collector.clients.count == 3)
    }

    @Test func tokenFileContentIsTrimmed() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("stats-token-\(UInt64.random(in: 0...UInt64.max))").path
        try Data("  s3cret\n".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let token = try BearerToken(contentsOfFile: path)
        #expect(token.authorizes("Bearer s3cret"))
        #expect(!token.authorizes("Bearer s3cre"))
        #expect(!token.authorizes(nil))
        try Data("\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: BearerToken.InvalidTokenFile.self) { try BearerToken(contentsOfFile: path) }
        #expect(throws: BearerToken.InvalidTokenFile.self) { try BearerToken(contentsOfFile: path + ".missing") }
    }
}
