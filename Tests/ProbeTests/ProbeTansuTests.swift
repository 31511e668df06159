import Foundation
import Kafka
import Logging
import Probe
import TestSupport
import Testing

/// The probe against a real broker (Tansu): it creates its topic, and survives the broker being
/// killed and started again empty.
@Suite struct ProbeTansuTests {
    @Test(.enabled(if: TestVirtualenv.isInstalled, "needs Tansu: run `make test-deps`"))
    func createsItsTopicAndRecoversFromABrokerRestart() throws {
        let broker = try TansuBroker()
        var settings = ProbeSettings()
        settings.topic = "probe-tansu"
        settings.interval = .milliseconds(200)
        settings.timeout = .seconds(3)
        settings.requestTimeout = .seconds(2)
        let factory = KafkaClientFactory(
            base: ClientConfiguration([("bootstrap.servers", broker.bootstrapServers), ("log_level", "0")]),
            logger: Logger(label: "probe-tansu"))
        let prober = try Prober(settings: settings, kafka: factory, logger: Logger(label: "probe-tansu"))
        prober.start()
        defer { prober.stop() }

        #expect(poll(.seconds(30)) { prober.snapshot().isUp })
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

        try broker.stop()
        #expect(poll(.seconds(15)) { !prober.snapshot().isUp })
        try broker.start()
        // The restarted broker is empty: the probe creates its topic again and completes round trips.
        let receivedBefore = prober.snapshot().ledger.counts.values.reduce(0) { $0 + $1.received }
        #expect(poll(.seconds(40)) {
            let snapshot = prober.snapshot()
            return snapshot.isUp && snapshot.ledger.counts.values.reduce(0) { $0 + $1.received } > receivedBefore
        })
        #expect(prober.snapshot().ledger.counts.values.reduce(0) { $0 + $1.failed } > 0)
    }
}

func poll(_ timeout: Duration, _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.05)
    }
    return condition()
}
