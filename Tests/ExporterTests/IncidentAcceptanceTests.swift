import Cluster
import Demo
import Exporter
import Foundation
import Kafka
import Testing
import TestSupport

/// The incident this project exists for, reproduced by the demo: with the router's retry bug the
/// exporter must show the router emitting twice what it consumes and half the records of its output
/// topics being duplicates; without it, neither.
@Suite(.serialized) struct IncidentAcceptanceTests {
    private static let outputs = [DemoPipeline.policyTopic, DemoPipeline.flowTopic]

    /// Runs the demo until the pipeline window is full and `sampled` records of each output were examined.
    private func runDemo(injectBug: Bool, sampled: Double) throws -> ExpositionSamples {
        var settings = DemoPipeline.Settings()
        settings.messagesPerMinute = 6000
        settings.statisticsInterval = .seconds(1)
        let logger = LogSettings(level: .error).makeLogger()
        let statistics = StatisticsRelay()
        let pipeline = try DemoPipeline(settings: settings, logger: logger, statistics: statistics.forward)
        if injectBug { pipeline.retryBug.inject() }
        pipeline.start()
        defer { pipeline.stop() }
        let harness = try ExporterHarness(
            bootstrap: pipeline.bootstrapServers,
            arguments: DemoPipeline.groups.flatMap { ["--group.static", "\($0.0):\($0.1)"] } + [
                "--pipeline", "router: \(DemoPipeline.rawTopic) -> \(Self.outputs.joined(separator: ","))",
                "--pipeline.window", "20s", "--duplicates.topic", "^_(policy|flow)$",
            ],
            interval: "1s")
        statistics.connect(harness.exporter.statisticsHandler)
        // Let the groups join and the burst of the injected bug pass, then measure over the window.
        Thread.sleep(forTimeInterval: 15)
        return try harness.waitForMetrics(timeout: .seconds(60), "a full pipeline window of samples") { samples in
            (samples.value("kafka_pipeline_window_seconds", ["stage": "router"]) ?? 0) >= 19
                && Self.outputs.allSatisfy { (samples.value("kafka_topic_records_sampled_total", ["topic": $0]) ?? 0) >= sampled }
        }
    }

    @Test func theRetryBugShowsAsAmplificationTwoAndHalfTheRecordsDuplicated() throws {
        // 400 sampled records put the duplicate ratio's standard error near 0.025.
        let samples = try runDemo(injectBug: true, sampled: 400)
        let amplification = try #require(samples.value("kafka_pipeline_amplification_ratio", ["stage": "router"]))
        #expect(abs(amplification - 2) <= 0.1, "amplification \(amplification)")
        for topic in Self.outputs {
            let ratio = try #require(samples.value("kafka_topic_duplicate_ratio", ["topic": topic]))
            #expect(abs(ratio - 0.5) <= 0.05, "\(topic) duplicate ratio \(ratio)")
        }
        // The router's own librdkafka statistics: its producer enqueued about twice the messages its
        // consumer received, and its queue is the small one that filled.
        let router = ["client_id": "router"]
        let produced = samples.series("kafka_client_produced_messages_total", router.merging(["type": "producer"]) { a, _ in a })
            .reduce(0) { $0 + $1.value }
        let received = samples.series("kafka_client_rx_messages_total", router.merging(["type": "consumer"]) { a, _ in a })
            .reduce(0) { $0 + $1.value }
        #expect(received > 0 && produced / received > 1.8, "router produced \(produced), received \(received)")
        #expect(samples.value("kafka_client_msg_queue_max_messages", ["client_id": "router", "type": "producer"]) == 20)
    }

    @Test func aHealthyRouterShowsRatioOneAndNoDuplicates() throws {
        let samples = try runDemo(injectBug: false, sampled: 150)
        let amplification = try #require(samples.value("kafka_pipeline_amplification_ratio", ["stage": "router"]))
        #expect(abs(amplification - 1) <= 0.05, "amplification \(amplification)")
        for topic in Self.outputs {
            #expect(samples.value("kafka_topic_duplicate_ratio", ["topic": topic]) == 0)
            #expect(samples.value("kafka_topic_duplicate_records_total", ["topic": topic]) == 0)
        }
    }
}
