import FoundationEssentials
import Kafka
import Logging
import Support

/// The end-to-end probe: keeps its topic (creating it when missing, never changing one that exists),
/// produces one record per partition every interval with acks=all, reads them back with a consumer
/// that is assigned every partition and commits in the probe's group, and books the outcome in a
/// `ProbeLedger`. Producing, consuming and committing each run on their own thread, so a stalled
/// commit or fetch does not delay the records that measure it.
package final class Prober: Sendable {
    /// What the families are built from, taken at one instant.
    package struct Snapshot: Sendable {
        package let ledger: ProbeLedger
        /// Partitions of the probe topic as last read; empty while the topic is not usable.
        package let partitions: [Int32]
        package let brokersWithoutPartition: Int
        package let isUp: Bool
    }

    private struct State {
        var ledger: ProbeLedger
        var topic: TopicInfo?
        var brokers: [Int32] = []
        var nextMetadataRead = ContinuousClock.now
        var lastMetadataRead: ContinuousClock.Instant?
        /// Failed and lost records at the last metadata read: new ones make the next read early.
        var failuresAtLastRead: UInt64 = 0
        var createUnsupportedUntil: ContinuousClock.Instant?
        /// Partitions the consumer should be assigned (with the offset to start from where it read none),
        /// when they changed since the last assignment.
        var wantedAssignment: [Int32: Int64]?
        /// Partitions the consumer was assigned: only these are produced to, so that no record is
        /// written before the consumer's start offset.
        var assigned: Set<Int32> = []
        /// The next offset to read per partition, and what was last committed.
        var positions: [Int32: Int64] = [:]
        var committed: [Int32: Int64] = [:]
    }

    /// The delivery callback needs the state before the prober exists.
    private final class Shared: Sendable {
        let state: Locked<State>
        init(_ state: State) { self.state = Locked(state) }
    }

    private let settings: ProbeSettings
    private let shared: Shared
    private let producer: Producer
    private let consumer: Consumer
    private let admin: AdminClient
    private let logger: Logger
    private let topicProblems: ProblemLog<String>
    private let nonce = UInt64.random(in: 1...UInt64.max)
    private let producing = BackgroundLoop(name: "probe-produce")
    private let consuming = BackgroundLoop(name: "probe-consume")
    private let committing = BackgroundLoop(name: "probe-commit")

    package init(settings: ProbeSettings, kafka: KafkaClientFactory, logger: Logger) throws(KafkaError) {
        self.settings = settings
        let shared = Shared(State(ledger: ProbeLedger(timeout: settings.timeout)))
        self.shared = shared
        producer = try kafka.producer(role: "probe", properties: [
            // Auto-creation would make the topic with the broker's defaults, not one partition per broker.
            ("acks", "all"), ("linger.ms", "0"), ("enable.idempotence", "false"), ("allow.auto.create.topics", "false"),
            ("message.timeout.ms", String(Int(settings.timeout.seconds * 1000))),
        ]) { report in
            let now = ContinuousClock.now
            shared.state.withLock { $0.ledger.delivered(UInt64(report.token), failed: report.error != nil, at: now) }
        }
        consumer = try kafka.consumer(role: "probe", properties: [
            ("group.id", settings.group), ("enable.auto.commit", "false"), ("enable.auto.offset.store", "false"),
            ("auto.offset.reset", "earliest"),
        ])
        admin = kafka.admin(role: "probe-admin")
        self.logger = logger
        topicProblems = ProblemLog("probe topic unusable", recovery: "probe topic usable", logger: logger)
    }

    package func start() {
        producing.start { [self] in producePass() }
        // Assigned, never subscribed: there is no group to leave, and librdkafka 2.0.2's consumer close
        // waited forever after the broker was restarted (seen against Tansu).
        consuming.start(finish: consumer.closeWithoutLeavingGroup) { [self] in
            consumePass()
            return .zero
        }
        committing.start { [self] in
            commitPass()
            return settings.interval
        }
    }

    /// Returns whether the consumer closed within `BackgroundLoop.consumerCloseLimit`.
    @discardableResult
    package func stop() -> Bool {
        producing.stop()
        committing.stop()
        let closed = consuming.stop(closingConsumerOf: "the probe", logger: logger)
        producer.close()
        return closed
    }

    package func snapshot(at now: ContinuousClock.Instant = .now) -> Snapshot {
        shared.state.withLock { state in
            let partitions = state.topic?.partitions.map(\.id).sorted() ?? []
            return Snapshot(
                ledger: state.ledger, partitions: partitions,
                brokersWithoutPartition: state.topic.map { ProbeTopicLayout.brokersWithoutPartition($0, brokers: state.brokers).count } ?? 0,
                isUp: state.ledger.isUp(partitions: partitions, at: now))
        }
    }

    // MARK: Producing

    private func producePass() -> Duration {
        let start = ContinuousClock.now
        maintainTopic(now: start)
        let now = ContinuousClock.now
        let targets = shared.state.withLock { state -> [(partition: Int32, sequence: UInt64)] in
            state.ledger.expire(at: now)
            return (state.topic?.partitions ?? []).filter { state.assigned.contains($0.id) }.map { partition in
                (partition.id, state.ledger.send(to: .init(partition: partition.id, broker: partition.leader), at: now))
            }
        }
        let sentAt = Int64(Date().timeIntervalSince1970 * 1000)
        for target in targets {
            let record = ProbeRecord(nonce: nonce, sequence: target.sequence, sentAtMilliseconds: sentAt)
            do {
                try producer.produce(topic: settings.topic, partition: target.partition, value: record.bytes, token: UInt(target.sequence))
            } catch {
                shared.state.withLock { $0.ledger.delivered(target.sequence, failed: true, at: now) }
            }
        }
        return settings.interval - (ContinuousClock.now - start)
    }

    /// Reads the topic's metadata when due; creates the topic where it is missing.
    private func maintainTopic(now: ContinuousClock.Instant) {
        let retryDelay = retryDelay
        let (due, createUnsupportedUntil) = shared.state.withLock { state in
            // Records that fail or go missing may mean a leader moved or the topic is gone.
            let failures = state.ledger.counts.values.reduce(0) { $0 + $1.failed + $1.lost }
            let early = failures != state.failuresAtLastRead && state.lastMetadataRead.map { now - $0 >= retryDelay } ?? true
            let due = early || state.nextMetadataRead <= now
            if due {
                state.failuresAtLastRead = failures
                state.lastMetadataRead = now
            }
            return (due, state.createUnsupportedUntil)
        }
        guard due else { return }
        var nextRead = now + settings.metadataInterval
        var problem: String?
        do {
            let (brokers, topic) = try producer.client.fetchMetadata(topic: settings.topic, timeout: settings.requestTimeout)
            let brokerIDs = brokers.map(\.id)
            if let topic {
                problem = ProbeTopicLayout.problem(topic, brokers: brokerIDs)
                adopt(topic, brokers: brokerIDs)
            } else {
                adopt(nil, brokers: brokerIDs)
                nextRead = now + retryDelay
                if let until = createUnsupportedUntil, now < until {
                    problem = "probe topic \(settings.topic) does not exist and the broker cannot create topics"
                } else {
                    problem = create(brokers: brokerIDs, now: now)
                }
            }
        } catch {
            problem = "probe topic \(settings.topic): \(error)"
            nextRead = now + retryDelay
        }
        shared.state.withLock { $0.nextMetadataRead = nextRead }
        topicProblems.report(problem, for: settings.topic, metadata: ["topic": "\(settings.topic)"])
    }

    /// Returns what went wrong, or nil once the topic was created (the next pass reads it).
    private func create(brokers: [Int32], now: ContinuousClock.Instant) -> String? {
        guard !brokers.isEmpty else { return "probe topic \(settings.topic): no brokers in metadata" }
        do {
            try admin.createTopic(settings.topic, replicas: ProbeTopicLayout.replicas(brokers: brokers), timeout: settings.requestTimeout)
            logger.info("created the probe topic", metadata: ["topic": "\(settings.topic)", "partitions": "\(brokers.count)"])
            return nil
        } catch {
            if error.isTopicAlreadyExisting { return nil }
            // librdkafka's mock cluster has no controller: CreateTopics waits for one until it times out.
            if error.isUnsupported || error.isTimeout {
                shared.state.withLock { $0.createUnsupportedUntil = now + settings.unsupportedRetryInterval }
            }
            return "probe topic \(settings.topic) does not exist and cannot be created: \(error)"
        }
    }

    private var retryDelay: Duration { max(settings.interval, .seconds(1)) }

    private func adopt(_ topic: TopicInfo?, brokers: [Int32]) {
        let usable = topic.map { TopicInfo(name: $0.name, partitions: $0.partitions.filter { $0.leader >= 0 }, error: nil) }
        let partitions = Set(topic?.partitions.map(\.id) ?? [])
        let changed = shared.state.withLock { state in
            state.topic = usable
            state.brokers = brokers
            return partitions != state.assigned
        }
        guard changed else { return }
        // New partitions are read from their current end, read before anything is produced to them.
        let byLeader = Dictionary(grouping: topic?.partitions ?? [], by: \.leader)
            .mapValues { $0.map { TopicPartition(settings.topic, $0.id) } }
        let watermarks = producer.client.fetchWatermarks(byLeader: byLeader, timeout: settings.requestTimeout)
        if let error = watermarks.errors.values.first {
            logger.debug("cannot read the probe topic's offsets", metadata: ["error": "\(error)"])
            return
        }
        let ends = Dictionary(uniqueKeysWithValues: watermarks.watermarks.map { ($0.key.partition, $0.value.newest) })
        shared.state.withLock { state in
            state.wantedAssignment = ends
        }
    }

    // MARK: Consuming

    private func consumePass() {
        if let wanted = shared.state.withLock({ state -> [Int32: Int64]? in
            defer { state.wantedAssignment = nil }
            return state.wantedAssignment
        }) {
            assign(wanted)
        }
        guard let message = consumer.next(timeout: .milliseconds(100), onError: { error in
            logger.debug("probe read error", metadata: ["error": "\(error)"])
        }) else { return }
        let now = ContinuousClock.now
        let record = ProbeRecord(message.value)
        shared.state.withLock { state in
            state.positions[message.topicPartition.partition] = message.offset + 1
            if let record, record.nonce == nonce { state.ledger.received(record.sequence, at: now) }
        }
    }

    private func assign(_ ends: [Int32: Int64]) {
        let positions = shared.state.withLock { state in
            state.positions = state.positions.filter { ends[$0.key] != nil }
            return state.positions
        }
        do {
            try consumer.assign(Dictionary(uniqueKeysWithValues: ends.map {
                (TopicPartition(settings.topic, $0.key), positions[$0.key] ?? $0.value)
            }))
            shared.state.withLock { $0.assigned = Set(ends.keys) }
        } catch {
            logger.warning("cannot assign the probe topic's partitions", metadata: ["error": "\(error)"])
        }
    }

    // MARK: Committing

    private func commitPass() {
        let offsets = shared.state.withLock { state in state.positions.filter { state.committed[$0.key] != $0.value } }
        guard !offsets.isEmpty else { return }
        let start = ContinuousClock.now
        do {
            try consumer.commit(Dictionary(uniqueKeysWithValues: offsets.map { (TopicPartition(settings.topic, $0.key), $0.value) }))
            let latency = ContinuousClock.now - start
            shared.state.withLock { state in
                state.ledger.committed(after: latency)
                state.committed.merge(offsets) { _, new in new }
            }
        } catch {
            logger.debug("probe commit failed", metadata: ["error": "\(error)"])
            shared.state.withLock { $0.ledger.committed(after: nil) }
        }
    }
}
