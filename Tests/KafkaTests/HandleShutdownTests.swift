import Foundation
import Kafka
import Logging
import Support
import Testing
import TestSupport

/// Every type that owns a librdkafka handle, closed from other threads while work is in flight on it:
/// calls already running finish, later ones fail with `KafkaError.closed`, and nothing reaches a
/// destroyed handle. `make test-memory` runs this suite under the address sanitizer with librdkafka
/// built instrumented, which sees accesses inside librdkafka too.
@Suite(.serialized) struct HandleShutdownTests {
    private static let topic = "in-flight"
    private static let partitions: [TopicPartition] = (0..<6).map { TopicPartition(topic, $0) }

    private static func cluster() throws -> MockCluster {
        let cluster = try MockCluster(brokers: 3)
        try cluster.createTopic(topic, partitions: partitions.count, replicationFactor: 3)
        return cluster
    }

    private static func configuration(_ cluster: MockCluster, _ more: [(String, String)] = []) -> ClientConfiguration {
        ClientConfiguration([("bootstrap.servers", cluster.bootstrapServers), ("log_level", "0")] + more)
    }

    @Test func aProducerClosedWhileProducing() throws {
        let cluster = try Self.cluster()
        let producer = try Producer(configuration: Self.configuration(cluster, [("linger.ms", "1")]))
        let outcome = InFlight.run {
            do throws(KafkaError) {
                try producer.produce(topic: Self.topic, value: Array("record".utf8))
                _ = producer.queueLength
                try producer.flush(timeout: .milliseconds(5))
                _ = try producer.client.fetchMetadata(topic: Self.topic, timeout: .seconds(1))
                return nil
            } catch { return error }
        } closing: {
            producer.close()
        }
        Self.expectClosedCleanly(outcome)
        #expect(throws: KafkaError.closed(producer.client.name)) { try producer.produce(topic: Self.topic, value: [1]) }
    }

    @Test func aClientClosedDuringWatermarkBatches() throws {
        let cluster = try Self.cluster()
        let client = try KafkaClient(kind: .producer, configuration: Self.configuration(cluster))
        let byLeader = try Dictionary(grouping: client.fetchMetadata(timeout: .seconds(5)).topics
            .filter { $0.name == Self.topic }.flatMap { topic in topic.partitions.map { (topic.name, $0) } }) { $0.1.leader }
            .mapValues { $0.map { TopicPartition($0.0, $0.1.id) } }
        let outcome = InFlight.run {
            let result = client.fetchWatermarks(byLeader: byLeader, batching: .init(batchSize: 1, inFlight: 3), timeout: .seconds(2))
            return result.errors.values.first
        } closing: {
            client.close()
        }
        #expect(outcome.passesBefore >= 4)
        #expect(!outcome.errorsAfter.isEmpty && outcome.errorsAfter.allSatisfy { $0.isClosedClient }, "\(outcome.errorsAfter.prefix(3))")
    }

    /// The admin client's handle is abandoned (destroyed on a thread of its own) and replaced while
    /// calls still run on it: each call's queue and options keep it until the call is done.
    @Test func adminHandlesAbandonedWhileCallsRun() throws {
        let cluster = try Self.cluster()
        let admin = AdminClient(grace: .milliseconds(200)) { () throws(KafkaError) in
            try KafkaClient(kind: .producer, configuration: Self.configuration(cluster))
        }
        let requests = (0..<4).map { AdminClient.OffsetRequest(group: "group-\($0)", partitions: Self.partitions) }
        let outcome = InFlight.run {
            let results = admin.committedOffsets(requests, timeout: .seconds(1), maxInFlight: 2)
            _ = try? admin.describeTopicConfigs([Self.topic], timeout: .milliseconds(300))
            return results.values.compactMap { result -> KafkaError? in
                if case .failure(let error) = result { return error }
                return nil
            }.first
        } closing: {
            for _ in 0..<20 {
                admin.reset()
                Thread.sleep(forTimeInterval: 0.01)
            }
        }
        #expect(outcome.passesBefore >= 4)
        // Calls after the resets run on a fresh handle: the admin client is never closed.
        #expect(try admin.committedOffsets(requests, timeout: .seconds(5), maxInFlight: 2).values.allSatisfy { try $0.get() == [:] })
    }

    @Test func aGroupConsumerClosedWhilePolling() throws {
        let cluster = try Self.cluster()
        try Self.fill(cluster)
        let consumer = try Consumer(configuration: Self.configuration(cluster, [("group.id", "closing"), ("auto.offset.reset", "earliest")]))
        try consumer.subscribe([Self.topic])
        Self.expectClosedCleanly(Self.polling(consumer, closing: consumer.close))
    }

    @Test func anAssignedConsumerClosedWhilePolling() throws {
        let cluster = try Self.cluster()
        try Self.fill(cluster)
        let consumer = try Consumer(configuration: Self.configuration(cluster, [("group.id", "assigned"), ("enable.auto.commit", "false")]))
        try consumer.assign(Dictionary(uniqueKeysWithValues: Self.partitions.map { ($0, SpecialOffset.earliest) }))
        Self.expectClosedCleanly(Self.polling(consumer, closing: consumer.closeWithoutLeavingGroup))
    }

    /// The reader's consumer is opened by its first read, under the lock its close takes. One thread
    /// reads, as in the exporter: librdkafka 2.0.2 asserts on assignments changed from several at once.
    @Test func aFirstRecordReaderClosedWhileReading() throws {
        let cluster = try Self.cluster()
        try Self.fill(cluster)
        let factory = KafkaClientFactory(base: Self.configuration(cluster), logger: Logger(label: "handle-shutdown-test"))
        let reader = try FirstRecordReader(factory: factory, role: "closing", partitionFetchBytes: 1)
        let outcome = InFlight.run(threads: 1) {
            var failure: KafkaError?
            reader.read([Self.partitions[0]: 0], timeout: .milliseconds(100)) { _, result in
                if case .failed(let error) = result, !error.isTimeout { failure = error }
            }
            return failure
        } closing: {
            reader.close()
        }
        #expect(outcome.passesBefore >= 1)
        #expect(!outcome.errorsAfter.isEmpty && outcome.errorsAfter.allSatisfy { $0.isClosedClient }, "\(outcome.errorsAfter.prefix(3))")
    }

    private static func polling(_ consumer: Consumer, closing close: @escaping @Sendable () -> Void) -> InFlight.Outcome {
        InFlight.run {
            do throws(KafkaError) {
                _ = try consumer.poll(timeout: .milliseconds(20))
                return nil
            } catch { return error }
        } closing: {
            close()
        }
    }

    /// Work ran before the close, and every pass begun after it failed as closed.
    private static func expectClosedCleanly(_ outcome: InFlight.Outcome, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(outcome.passesBefore >= 4, sourceLocation: sourceLocation)
        #expect(outcome.errorsAfter.allSatisfy { $0.isClosedClient }, "\(outcome.errorsAfter.prefix(3))", sourceLocation: sourceLocation)
    }

    /// The mock cluster is let go of before a client that still talks to it.
    @Test func theClusterGoesFirst() throws {
        var cluster: MockCluster? = try Self.cluster()
        let client = try KafkaClient(kind: .producer, configuration: Self.configuration(cluster!))
        _ = try client.fetchMetadata(timeout: .seconds(5))
        cluster = nil
        #expect(throws: KafkaError.self) { try client.fetchMetadata(timeout: .milliseconds(500)) }
        client.close()
    }

    private static func fill(_ cluster: MockCluster) throws {
        let producer = try Producer(configuration: configuration(cluster))
        for partition in partitions {
            for _ in 0..<20 { try producer.produce(topic: topic, partition: partition.partition, value: Array("x".utf8)) }
        }
        try producer.flush(timeout: .seconds(10))
        producer.close()
    }
}

/// Work repeated on several threads while other threads close what it uses.
private enum InFlight {
    struct Outcome {
        /// Passes that ended before the close began.
        let passesBefore: Int
        /// Errors of passes that began after the close returned.
        let errorsAfter: [KafkaError]
    }

    /// Runs `pass` on `threads` threads; once each has done a pass, `close` runs on three threads at once
    /// (it must be safe from any thread, any number of times), and the workers stop once each has done
    /// a pass that began after the close returned.
    static func run(threads: Int = 4, _ pass: @escaping @Sendable () -> KafkaError?, closing close: @escaping @Sendable () -> Void) -> Outcome {
        let phase = Locked(Phase())
        let workers = (0..<threads).map { _ in
            inBackground {
                while !phase.withLock({ $0.passesAfter >= threads }) {
                    let startedAfterClose = phase.withLock { $0.closed }
                    let error = pass()
                    phase.withLock { phase in
                        if !phase.closing { phase.passesBefore += 1 }
                        guard startedAfterClose else { return }
                        phase.passesAfter += 1
                        if let error { phase.errorsAfter.append(error) }
                    }
                }
            }
        }
        _ = poll(within: .seconds(20)) { phase.withLock { $0.passesBefore >= threads } }
        phase.withLock { $0.closing = true }
        let closers = (0..<3).map { _ in inBackground(close) }
        for closer in closers { closer.wait() }
        phase.withLock { $0.closed = true }
        for worker in workers { worker.wait() }
        return phase.withLock { Outcome(passesBefore: $0.passesBefore, errorsAfter: $0.errorsAfter) }
    }

    private struct Phase {
        var closing = false
        var closed = false
        var passesBefore = 0
        var passesAfter = 0
        var errorsAfter: [KafkaError] = []
    }
}
