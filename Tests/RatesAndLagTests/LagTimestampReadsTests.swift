import Cluster
import Exposition
import Foundation
import Kafka
import Logging
import RatesAndLag
import Support
import Testing
import TestSupport

/// Timestamp reads on the mock cluster through `OffsetInsights`: reads per cycle stay within the
/// budget, a stuck group costs one read, a leader that does not answer stalls nothing, and the
/// reader's consumer opens only once a group lags.
@Suite(.serialized) struct LagTimestampReadsTests {
    private static let topic = "orders"
    private static let partitions = 10
    private static let records = 5
    private static let committed: Int64 = 1

    /// A cluster whose partitions hold 5 records each, produced within the returned seconds since 1970.
    private func cluster() throws -> (MockCluster, ClosedRange<Double>) {
        let cluster = try MockCluster(brokers: 2)
        try cluster.createTopic(Self.topic, partitions: Self.partitions)
        for partition in 0..<Int32(Self.partitions) { try cluster.setLeader(topic: Self.topic, partition: partition, broker: partition % 2 + 1) }
        let before = Date().timeIntervalSince1970
        let producer = try Producer(configuration: ClientConfiguration([("bootstrap.servers", cluster.bootstrapServers)]))
        defer { producer.close() }
        for partition in 0..<Int32(Self.partitions) {
            for _ in 0..<Self.records { try producer.produce(topic: Self.topic, partition: partition, value: Array("x".utf8)) }
        }
        try producer.flush(timeout: .seconds(10))
        // Timestamps are whole milliseconds.
        return (cluster, before - 0.001...Date().timeIntervalSince1970)
    }

    private func reads(
        _ cluster: MockCluster, budget: Int, timeout: Duration = .seconds(10), logger: Logger = Logger(label: "lag-timestamp-reads-test")
    ) throws -> LagTimestampReads {
        try reads(KafkaClientFactory(base: ClientConfiguration([("bootstrap.servers", cluster.bootstrapServers)]), logger: logger), budget: budget, timeout: timeout)
    }

    private func reads(_ factory: KafkaClientFactory, budget: Int, timeout: Duration = .seconds(10)) throws -> LagTimestampReads {
        var settings = LagTimestampReads.Settings()
        settings.partitionsPerCycle = budget
        settings.timeout = timeout
        let reader = try FirstRecordReader(factory: factory, role: "lag-timestamps", partitionFetchBytes: settings.partitionFetchBytes)
        return LagTimestampReads(settings: settings, reader: reader, logger: factory.logger)
    }

    /// Group `g` committed at `committed` on every partition: by default 4 records behind.
    private func state(committed: Int64 = Self.committed) -> ClusterState {
        let partitions = (0..<Int32(Self.partitions)).map { TopicPartition(Self.topic, $0) }
        return ClusterState(
            collectedAt: Date(), brokers: [],
            topics: [TopicState(name: Self.topic, partitions: partitions.map { partition in
                PartitionState(
                    info: PartitionInfo(id: partition.partition, leader: partition.partition % 2 + 1, replicas: [1], inSyncReplicas: [1]),
                    watermarks: Watermarks(oldest: 0, newest: Int64(Self.records)))
            })],
            groups: [ConsumerGroupState(
                id: "g", state: nil, members: nil, committedOffsets: Dictionary(uniqueKeysWithValues: partitions.map { ($0, committed) }))])
    }

    private static func samples(_ families: [MetricFamily]) -> ExpositionSamples {
        let writer = ExpositionWriter(format: .text)
        return ExpositionSamples(families.map { writer.render($0).string }.joined())
    }

    @Test func readsPerCycleStayWithinTheBudgetAndAStuckGroupCostsOneReadPerPartition() throws {
        let (cluster, produced) = try cluster()
        let reads = try reads(cluster, budget: 3)
        let insights = OffsetInsights(timestamps: reads)
        reads.start()
        defer { reads.stop(); withExtendedLifetime(cluster) {} }

        var last = ExpositionSamples("")
        for cycle in 1...8 {
            let state = state()
            last = Self.samples(insights.update(with: state) + reads.families())
            // What this cycle asked for is read before the next cycle.
            let expected = min(3 * cycle, Self.partitions)
            #expect(poll(within: .seconds(20)) { reads.counts.reads == expected }, "cycle \(cycle): \(reads.counts)")
        }
        // Wanted 10, 7, 4 and 1 in the first four cycles, 3 read in each; nothing once all are known.
        #expect(reads.counts.skippedByBudget == 7 + 4 + 1)
        #expect(reads.counts.failures.isEmpty)
        #expect(last.value("kafka_exporter_lag_timestamp_reads_total") == Double(Self.partitions))
        let now = insights.report!.collectedAt.timeIntervalSince1970
        for partition in 0..<Self.partitions {
            let labels = ["consumergroup": "g", "topic": Self.topic, "partition": "\(partition)"]
            #expect(last.value("kafka_consumergroup_lag_seconds_read", labels) == 1)
            let lag = try #require(last.value("kafka_consumergroup_lag_seconds", labels))
            #expect((now - produced.upperBound...now - produced.lowerBound).contains(lag), "partition \(partition): \(lag)")
        }
    }

    /// Broker 2 is down: its partitions' reads wait out a long timeout on the reader's thread while the
    /// cycles go on, interpolating; stopping cuts the wait short, and the timeouts are logged once.
    @Test func aLeaderDownStallsNeitherTheCycleNorTheStop() throws {
        let (cluster, _) = try cluster()
        try cluster.setBrokerDown(2)
        let log = CapturedLog()
        let reads = try reads(cluster, budget: Self.partitions, timeout: .seconds(3600), logger: log.logger)
        let insights = OffsetInsights(timestamps: reads)
        reads.start()
        defer { withExtendedLifetime(cluster) {} }

        let first = Self.samples(insights.update(with: state()))
        #expect(first.series("kafka_consumergroup_lag_seconds").isEmpty)
        // The batch holds broker 2's partitions for its hour; the cycles answer meanwhile.
        #expect(poll(within: .seconds(20)) { reads.counts.reads == Self.partitions / 2 })
        for _ in 1...3 {
            let samples = Self.samples(insights.update(with: state()))
            let down = ["consumergroup": "g", "topic": Self.topic, "partition": "1"]
            #expect(samples.value("kafka_consumergroup_lag_seconds_read", down) == 0)
            #expect(samples.value("kafka_consumergroup_lag_seconds_lower_bound", down) == 1)
        }
        #expect(reads.counts.failures.isEmpty)
        #expect(reads.stop())
        #expect(reads.counts.failures[.timeout] == Self.partitions / 2)
        #expect(log.lines.filter { $0.contains("timestamp read failed") } == [
            "warning timestamp read failed; lag in seconds stays interpolated error=orders[1] offset 1: reading the first record timed out",
        ])
    }

    /// While no group lags, the reader has no consumer: a client of the same factory reports its
    /// statistics three times and the reader's consumer none (it would, polled between reads, if it
    /// existed). The first cycle with a lagging group opens it, and it reads.
    @Test func theConsumerOpensWithTheFirstGroupThatLags() throws {
        let (cluster, _) = try cluster()
        let documents = Locked<[String: Int]>([:])
        let factory = KafkaClientFactory(
            base: ClientConfiguration([("bootstrap.servers", cluster.bootstrapServers), ("statistics.interval.ms", "100")]),
            logger: Logger(label: "lag-timestamp-reads-test"),
            statistics: { client, _ in documents.withLock { $0[client, default: 0] += 1 } })
        let reads = try reads(factory, budget: Self.partitions)
        let insights = OffsetInsights(timestamps: reads)
        reads.start()
        defer { reads.stop(); withExtendedLifetime(cluster) {} }
        let witness = try factory.client(role: "witness")
        defer { witness.close() }
        // librdkafka names a handle `<client.id>#<kind>-<n>`.
        func reports(from clientID: String) -> Int {
            documents.withLock { $0.filter { $0.key.hasPrefix(clientID + "#") }.values.reduce(0, +) }
        }

        let caughtUp = state(committed: Int64(Self.records))
        _ = insights.update(with: caughtUp)
        #expect(poll(within: .seconds(20)) { reports(from: "kafka-exporter-witness") >= 3 })
        _ = insights.update(with: caughtUp)
        #expect(reports(from: "kafka-exporter-lag-timestamps") == 0)
        #expect(reads.counts.reads == 0 && reads.counts.failures.isEmpty)

        _ = insights.update(with: state())
        #expect(poll(within: .seconds(20)) { reads.counts.reads == Self.partitions })
        #expect(poll(within: .seconds(20)) { reports(from: "kafka-exporter-lag-timestamps") > 0 })
    }

    /// A consumer that cannot be opened at run time (here: its CA file, there at the start, is gone)
    /// fails each cycle's reads as `error`, logged once; lag in seconds stays interpolated, and every
    /// cycle tries again.
    @Test func aConsumerThatCannotOpenFailsTheReadsAndIsTriedAgain() throws {
        let (cluster, _) = try cluster()
        let ca = FileManager.default.temporaryDirectory.appendingPathComponent("kx-ca-\(UUID().uuidString).pem").path
        let openssl = try Subprocess.run([
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "/dev/null",
            "-out", ca, "-days", "1", "-subj", "/CN=ca",
        ])
        try #require(openssl.status == 0, "\(openssl.standardError)")
        let log = CapturedLog()
        let factory = KafkaClientFactory(
            base: ClientConfiguration([("bootstrap.servers", cluster.bootstrapServers), ("security.protocol", "ssl"), ("ssl.ca.location", ca)]),
            logger: log.logger)
        let reads = try reads(factory, budget: Self.partitions)
        try FileManager.default.removeItem(atPath: ca)
        let insights = OffsetInsights(timestamps: reads)
        reads.start()
        defer { withExtendedLifetime(cluster) {} }

        var samples = ExpositionSamples("")
        for cycle in 1...3 {
            samples = Self.samples(insights.update(with: state()))
            #expect(poll(within: .seconds(20)) { reads.counts.failures[.error] == cycle * Self.partitions }, "cycle \(cycle): \(reads.counts)")
        }
        #expect(reads.counts.reads == 0)
        #expect(samples.value("kafka_consumergroup_lag_seconds_read", ["consumergroup": "g", "topic": Self.topic, "partition": "0"]) == 0)
        let failures = log.lines.filter { $0.contains("timestamp read failed") }
        #expect(failures.count == 1 && failures.allSatisfy { $0.contains("ssl.ca.location") }, "\(failures)")
        #expect(reads.stop())
    }
}
