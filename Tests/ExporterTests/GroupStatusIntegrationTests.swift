import Cluster
import Support
import Exporter
import Foundation
import Kafka
import Synchronization
import Testing
import TestSupport

/// Rates, lag in seconds and group status on the mock cluster: a consumer that stops committing turns
/// STOP within the status window, its lag in seconds grows at wall-clock speed, and resuming returns OK.
@Suite(.serialized) struct GroupStatusIntegrationTests {
    /// Produces `perSecond` messages a second on a fixed schedule (a late message is sent at once, so
    /// the long-run rate is exact) and commits for group `G` what was produced, once a second, while
    /// `committing` is on.
    private final class Traffic: @unchecked Sendable {
        let committing = Atomic<Bool>(true)
        private let stopFlag = StopFlag()
        private let finished = DispatchSemaphore(value: 0)

        init(bootstrap: String, perSecond: Int) throws {
            let producer = try Producer(configuration: ClientConfiguration([("bootstrap.servers", bootstrap), ("linger.ms", "0")]))
            let committer = try Consumer(configuration: ClientConfiguration([("bootstrap.servers", bootstrap), ("group.id", "G")]))
            Thread.detachNewThread { [self] in
                var produced: Int64 = 0
                var lastCommit = ContinuousClock.now
                let spacing = Duration.seconds(1) / perSecond
                var next = ContinuousClock.now
                while !stopFlag.isRaised {
                    try? producer.produce(topic: "t", partition: 0, value: Array("m\(produced)".utf8))
                    produced += 1
                    next += spacing
                    if next > .now { Thread.sleep(forTimeInterval: (next - .now).seconds) }
                    if ContinuousClock.now - lastCommit >= .seconds(1) {
                        lastCommit = .now
                        try? producer.flush(timeout: .seconds(2))
                        if committing.load(ordering: .relaxed) { try? committer.commit([TopicPartition("t", 0): produced]) }
                    }
                }
                committer.close()
                finished.signal()
            }
        }

        func stop() {
            stopFlag.raise()
            finished.wait()
        }
    }

    @Test(.enabled(if: Promtool.isInstalled, "needs promtool: run `make test-deps` (or `make test`) to install it"))
    func aConsumerThatStopsCommittingTurnsStopAndRecovers() throws {
        let cluster = try MockCluster(brokers: 1)
        try cluster.createTopic("t", partitions: 1)
        let traffic = try Traffic(bootstrap: cluster.bootstrapServers, perSecond: 20)
        defer { traffic.stop() }
        let harness = try ExporterHarness(
            bootstrap: cluster.bootstrapServers, arguments: ["--group.static", "G:t", "--group.status-window", "10s"], interval: "1s")
        let partition = ["consumergroup": "G", "topic": "t", "partition": "0"]

        let running = try harness.waitForMetrics(timeout: .seconds(30), "status OK with lag seconds") {
            $0.value("kafka_consumergroup_partition_status", partition) == 1 && $0.value("kafka_consumergroup_lag_seconds", partition) != nil
        }
        // 20 messages a second, exact offsets: the rate is within 5 % as soon as the exporter has seen a
        // few seconds of them, and stays there.
        let inRate = { (samples: ExpositionSamples) in samples.value("kafka_topic_messages_in_per_second", ["topic": "t"]) ?? 0 }
        try harness.waitForMetrics("status OK with a steady rate") {
            $0.value("kafka_consumergroup_status", ["consumergroup": "G"]) == 1 && abs(inRate($0) - 20) <= 1
        }
        let settled = try harness.waitForCycles(2)
        #expect(settled.value("kafka_consumergroup_status", ["consumergroup": "G"]) == 1)
        #expect(try #require(settled.value("kafka_consumergroup_lag_seconds", partition)) < 3)
        #expect(settled.value("kafka_consumergroup_lag_seconds_lower_bound", partition) == 0)
        #expect(abs(inRate(settled) - 20) <= 1, "messages in per second \(inRate(settled))")
        #expect(running.value("kafka_exporter_up") == 1)
        #expect(try HTTPTestClient.get(port: harness.port, "/api/v1/groups/G").status == 200)
        #expect(try HTTPTestClient.get(port: harness.port, "/api/v1/groups/no-such-group").status == 404)
        #expect(try HTTPTestClient.get(port: harness.port, "/api/v1/groups").text.contains("\"G\""))

        traffic.committing.store(false, ordering: .relaxed)
        let stopped = ContinuousClock.now
        let stop = try harness.waitForMetrics(timeout: .seconds(25), "STOP") { $0.value("kafka_consumergroup_partition_status", partition) == 4 }
        #expect(ContinuousClock.now - stopped <= .seconds(15), "STOP took longer than the window plus two cycles and slack")
        #expect(stop.value("kafka_consumergroup_status", ["consumergroup": "G"]) == 3)
        #expect(try HTTPTestClient.get(port: harness.port, "/api/v1/groups/G").text.contains("STOP"))

        // While stopped, lag in seconds grows as fast as the clock.
        let first = ExpositionSamples(try harness.metrics())
        let second = try harness.waitForCycles(4)
        let lagGrowth = try #require(second.value("kafka_consumergroup_lag_seconds", partition)) - #require(first.value("kafka_consumergroup_lag_seconds", partition))
        let clock = try #require(second.value("kafka_exporter_last_collect_success_timestamp_seconds"))
            - #require(first.value("kafka_exporter_last_collect_success_timestamp_seconds"))
        #expect(clock >= 3 && abs(lagGrowth - clock) <= 0.05 * clock, "lag seconds grew \(lagGrowth) while \(clock) s passed")

        traffic.committing.store(true, ordering: .relaxed)
        let recovered = try harness.waitForMetrics(timeout: .seconds(15), "OK again") {
            $0.value("kafka_consumergroup_partition_status", partition) == 1 && $0.value("kafka_consumergroup_status", ["consumergroup": "G"]) == 1
        }
        #expect(try #require(recovered.value("kafka_consumergroup_lag_seconds", partition)) < 3)
        let result = try Promtool.checkMetrics(try harness.metrics())
        #expect(result.passes, "\(result.output)")
    }
}
