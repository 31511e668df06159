import Foundation
import Kafka
import Logging
import Support
import Testing
import TestSupport

/// An admin handle that stops answering is replaced, counted on /metrics, and the next handle reads on.
///
/// librdkafka answers a request to a slow or absent broker itself when its request timeout passes, so
/// no broker setting wedges a handle. What does is the handle's main thread not running (as after
/// librdkafka#4605): here it is held inside the exporter's log callback while it logs the start of a
/// ListConsumerGroupOffsets request.
@Suite(.serialized) struct AdminHandleReplacementTests {
    @Test func aGroupOffsetsHandleThatStopsAnsweringIsReplacedAndCounted() throws {
        let cluster = try MockCluster(brokers: 1)
        try cluster.createTopic("orders", partitions: 1)
        let offset = ["consumergroup": "g1", "topic": "orders", "partition": "0"]
        try commit([TopicPartition("orders", 0): 4], group: "g1", bootstrap: cluster.bootstrapServers)
        let wedge = MainThreadWedge(client: "group-offsets", facility: "LISTCONSUMERGROUPOFFSETS")
        // `debug=admin` makes librdkafka's main thread log each admin request it works on.
        let harness = try ExporterHarness(
            bootstrap: cluster.bootstrapServers, arguments: ["--group.static", "g1:orders", "-X", "debug=admin"], logger: wedge.logger
        ) { $0.collection.requestTimeout = .seconds(1) }
        // Released before the exporter stops: closing a handle waits for its main thread.
        defer {
            wedge.release()
            withExtendedLifetime(harness) {}
        }

        let answering = try harness.waitForMetrics("g1's offset") { $0.value("kafka_consumergroup_current_offset", offset) == 4 }
        #expect(answering.value("kafka_exporter_admin_handle_replacements_total") == 0)

        wedge.hold()
        // The call gives up after --collect.timeout (1 s) and the 2 s grace.
        let wedged = try harness.waitForMetrics("a replacement counted") {
            ($0.value("kafka_exporter_admin_handle_replacements_total") ?? 0) > 0
        }
        #expect((wedged.value("kafka_exporter_collect_errors_total", ["stage": "group_offsets"]) ?? 0) > 0)

        wedge.release()
        try commit([TopicPartition("orders", 0): 7], group: "g1", bootstrap: cluster.bootstrapServers)
        try harness.waitForMetrics("g1's new offset, read on a fresh handle") { $0.value("kafka_consumergroup_current_offset", offset) == 7 }
    }
}

/// A logger that, while held, stops the main thread of one of the exporter's librdkafka handles
/// (`client`, as the exporter's client factory names it) when that thread logs `facility`.
private final class MainThreadWedge: @unchecked Sendable {
    private let condition = NSCondition()
    private var holding = false
    let client: Logger.MetadataValue
    let facility: Logger.MetadataValue

    init(client: String, facility: String) {
        self.client = .string(client)
        self.facility = .string(facility)
    }

    var logger: Logger {
        .events { [self] event in stopIfHeld(event.metadata) }
    }

    func hold() {
        condition.withLock { holding = true }
    }

    func release() {
        condition.withLock {
            holding = false
            condition.broadcast()
        }
    }

    private func stopIfHeld(_ metadata: Logger.Metadata?) {
        guard metadata?["client"] == client, metadata?["facility"] == facility, Self.threadName == "rdk:main" else { return }
        condition.withLock {
            while holding { condition.wait() }
        }
    }

    private static var threadName: String {
        (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8))?.trimmingCharacters(in: .newlines) ?? ""
    }
}
