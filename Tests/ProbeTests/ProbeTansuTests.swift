import Foundation
import Kafka
import Logging
import Probe
import TestSupport
import Testing

/// The probe against a real broker (Tansu): it creates its topic, completes round trips, goes down
/// while the broker is stopped and comes back once it runs again.
@Suite(.serialized) struct ProbeTansuTests {
    @Test(.enabled(if: TestVirtualenv.isInstalled, "needs Tansu: run `make test-deps`"))
    func createsItsTopicAndCompletesRoundTrips() throws {
        let broker = try TansuBroker()
        let prober = try Self.prober(on: broker)
        prober.start()
        defer { prober.stop() }

        #expect(poll(within: .seconds(30)) { prober.snapshot().isUp })
        let checker = try KafkaClient(kind: .producer, configuration: ClientConfiguration([
            ("bootstrap.servers", broker.bootstrapServers), ("allow.auto.create.topics", "false"),
        ]))
        let metadata = try checker.fetchMetadata(topic: "probe-tansu", timeout: .seconds(5))
        // Asked for one partition on its one broker (a replica assignment), Tansu 0.6 makes three, all
        // led by that broker: each broker still leads a partition.
        #expect(Set(metadata.topic?.partitions.map(\.leader) ?? []) == Set(metadata.brokers.map(\.id)))
        #expect(prober.snapshot().brokersWithoutPartition == 0)
        #expect(prober.snapshot().partitions.count == metadata.topic?.partitions.count)
        #expect(prober.snapshot().ledger.counts.values.allSatisfy { $0.received > 0 && $0.lost == 0 })
    }

    /// The broker stops under the probe and starts again with empty storage (Tansu keeps it in memory),
    /// so the probe must notice, count what it could not deliver, create its topic again and recover;
    /// and its clients must still close promptly afterwards.
    @Test(.enabled(if: TestVirtualenv.isInstalled, "needs Tansu: run `make test-deps`"))
    func goesDownWhileTheBrokerIsStoppedAndRecoversAfterItRestarts() throws {
        let broker = try TansuBroker()
        let prober = try Self.prober(on: broker)
        prober.start()
        var stopped = false
        defer { if !stopped { prober.stop() } }
        try #require(poll(within: .seconds(30)) { prober.snapshot().isUp })

        try broker.stop()
        let unresolved = { (snapshot: Prober.Snapshot) in
            snapshot.ledger.counts.values.reduce(0) { $0 + $1.failed + $1.lost }
        }
        #expect(poll(within: .seconds(15)) { !prober.snapshot().isUp })
        #expect(poll(within: .seconds(15)) { unresolved(prober.snapshot()) > 0 })

        try broker.restart()
        let receivedBefore = Self.received(prober.snapshot())
        #expect(poll(within: .seconds(60)) { prober.snapshot().isUp })
        #expect(Self.received(prober.snapshot()) > receivedBefore)
        #expect(prober.snapshot().brokersWithoutPartition == 0)

        stopped = true
        let started = ContinuousClock.now
        #expect(prober.stop(), "the probe's consumer closed: no 'did not close' warning")
        #expect(ContinuousClock.now - started < .seconds(12))
    }

    private static func prober(on broker: TansuBroker) throws -> Prober {
        var settings = ProbeSettings()
        settings.topic = "probe-tansu"
        settings.interval = .milliseconds(200)
        settings.timeout = .seconds(3)
        settings.requestTimeout = .seconds(2)
        let factory = KafkaClientFactory(
            base: ClientConfiguration([("bootstrap.servers", broker.bootstrapServers), ("log_level", "0")]),
            logger: Logger(label: "probe-tansu"))
        return try Prober(settings: settings, kafka: factory, logger: Logger(label: "probe-tansu"))
    }

    private static func received(_ snapshot: Prober.Snapshot) -> UInt64 {
        snapshot.ledger.counts.values.reduce(0) { $0 + $1.received }
    }
}
