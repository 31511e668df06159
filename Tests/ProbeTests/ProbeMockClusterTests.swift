import Foundation
import Kafka
import Exposition
import Logging
import Probe
import TestSupport
import Testing

/// The probe against librdkafka's mock cluster (three brokers), with latency, request errors and a
/// broker outage injected through the mock's own API.
@Suite struct ProbeMockClusterTests {
    private let topic = "probe-topic"

    private final class Running {
        let mock: MockCluster
        let prober: Prober
        /// Leader of each partition, as the mock created the topic.
        let leaders: [Int32: Int32]

        init(timeout: Duration = .seconds(2)) throws {
            mock = try MockCluster(brokers: 3)
            try mock.createTopic("probe-topic", partitions: 3, replicationFactor: 3)
            for partition: Int32 in 0..<3 { try mock.setLeader(topic: "probe-topic", partition: partition, broker: partition + 1) }
            var settings = ProbeSettings()
            settings.topic = "probe-topic"
            settings.interval = .milliseconds(100)
            settings.timeout = timeout
            settings.requestTimeout = .seconds(2)
            let factory = KafkaClientFactory(
                base: ClientConfiguration([("bootstrap.servers", mock.bootstrapServers), ("log_level", "0")]),
                logger: Logger(label: "probe-test"))
            let metadata = try factory.client(role: "leaders").fetchMetadata(topic: "probe-topic", timeout: .seconds(5))
            leaders = Dictionary(uniqueKeysWithValues: (metadata.topic?.partitions ?? []).map { ($0.id, $0.leader) })
            prober = try Prober(settings: settings, kafka: factory, logger: Logger(label: "probe-test"))
            prober.start()
        }

        deinit { prober.stop() }

        func partition(ledBy broker: Int32) -> Int32 { leaders.first { $0.value == broker }!.key }

        /// Sums a count over the series of the partitions `where` accepts.
        func total(_ keyPath: KeyPath<ProbeLedger.Counts, UInt64>, where accepts: (Int32) -> Bool = { _ in true }) -> UInt64 {
            prober.snapshot().ledger.counts.filter { accepts($0.key.partition) }.values.reduce(0) { $0 + $1[keyPath: keyPath] }
        }
    }

    @Test func healthyClusterCompletesRoundTripsOnEveryPartition() throws {
        let probe = try Running()
        #expect(probe.leaders.count == 3 && Set(probe.leaders.values) == [1, 2, 3])
        #expect(poll(within: .seconds(15)) { probe.prober.snapshot().isUp && probe.total(\.received) >= 30 })
        let snapshot = probe.prober.snapshot()
        #expect(snapshot.partitions == [0, 1, 2])
        #expect(snapshot.brokersWithoutPartition == 0)
        // Every series carries the broker that leads its partition.
        for route in snapshot.ledger.counts.keys { #expect(probe.leaders[route.partition] == route.broker) }
        #expect(probe.total(\.failed) == 0 && probe.total(\.lost) == 0 && probe.total(\.duplicated) == 0)
        for counts in snapshot.ledger.counts.values {
            #expect(counts.acked <= counts.produced && counts.received <= counts.acked)
            #expect(counts.produceLatency.count == counts.acked && counts.roundTripLatency.count == counts.received)
        }
        #expect(poll(within: .seconds(15)) { probe.prober.snapshot().ledger.commitLatency.count > 0 })
    }

    @Test func brokerLatencyMovesTheHistogramsAndLosesRecords() throws {
        let probe = try Running(timeout: .seconds(1))
        #expect(poll(within: .seconds(15)) { probe.prober.snapshot().isUp })
        let slow = probe.partition(ledBy: 2)
        let slowCounts = { probe.prober.snapshot().ledger.counts.filter { $0.key.partition == slow }.values.first! }
        let observationsAbove = { (seconds: Double, histogram: Histogram) -> Double in
            Double(histogram.count) - histogram.cumulativeBuckets.first { $0.le == seconds }!.count
        }
        // The mock holds an empty fetch for fetch.wait.max.ms (500 ms): healthy round trips stay below 1 s.
        #expect(observationsAbove(1, slowCounts().roundTripLatency) == 0)
        #expect(observationsAbove(0.5, slowCounts().produceLatency) == 0)
        // Each response of broker 2 now takes 800 ms: every ack comes after 0.5 s, within the 1 s
        // timeout, but the record is read back only after a fetch round trip on top, often past it.
        // Read-backs are few while the broker is slow (about one in three records in a loaded run of
        // the whole suite), hence one slow round trip, not several, and a long wait.
        probe.mock.setRoundTripTime(broker: 2, .milliseconds(800))
        #expect(poll(within: .seconds(15)) { observationsAbove(0.5, slowCounts().produceLatency) >= 3 })
        #expect(poll(within: .seconds(15)) { probe.total(\.lost, where: { $0 == slow }) >= 1 })
        #expect(poll(within: .seconds(30)) { observationsAbove(1, slowCounts().roundTripLatency) >= 1 })
        #expect(poll(within: .seconds(15)) { !probe.prober.snapshot().isUp })
        // The other partitions stay fast and complete.
        #expect(probe.total(\.lost, where: { $0 != slow }) == 0)
        probe.mock.setRoundTripTime(broker: 2, .zero)
        #expect(poll(within: .seconds(15)) { probe.prober.snapshot().isUp })
    }

    @Test func rejectedProduceRequestsCountAsFailed() throws {
        let probe = try Running()
        #expect(poll(within: .seconds(15)) { probe.prober.snapshot().isUp })
        let before = probe.total(\.failed)
        // INVALID_RECORD is not retriable: each rejected request fails its one record.
        probe.mock.pushRequestErrors(apiKey: KafkaAPIKey.produce, errors: Array(repeating: .invalidRecord, count: 4))
        #expect(poll(within: .seconds(15)) { probe.total(\.failed) - before >= 4 })
        Thread.sleep(forTimeInterval: 0.5)
        #expect(probe.total(\.failed) - before == 4)
        #expect(probe.total(\.lost) == 0)
    }

    @Test func reReadRecordsCountAsDuplicates() throws {
        let probe = try Running()
        #expect(poll(within: .seconds(15)) { probe.prober.snapshot().isUp && probe.total(\.received) >= 6 })
        #expect(probe.total(\.duplicated) == 0)
        // A fetch answered OFFSET_OUT_OF_RANGE resets the consumer to the earliest offset, as
        // auto.offset.reset says: it reads the partition's records again.
        probe.mock.pushRequestErrors(apiKey: KafkaAPIKey.fetch, errors: [.offsetOutOfRange])
        #expect(poll(within: .seconds(15)) { probe.total(\.duplicated) >= 1 })
    }

    @Test func brokerOutageTakesTheProbeDownAndBack() throws {
        let probe = try Running(timeout: .seconds(1))
        #expect(poll(within: .seconds(15)) { probe.prober.snapshot().isUp })
        let down = probe.partition(ledBy: 3)
        try probe.mock.setBrokerDown(3)
        #expect(poll(within: .seconds(15)) { !probe.prober.snapshot().isUp })
        #expect(poll(within: .seconds(15)) { probe.total(\.failed, where: { $0 == down }) >= 1 })
        #expect(probe.total(\.failed, where: { $0 != down }) == 0)
        try probe.mock.setBrokerUp(3)
        #expect(poll(within: .seconds(20)) { probe.prober.snapshot().isUp })
    }
}
