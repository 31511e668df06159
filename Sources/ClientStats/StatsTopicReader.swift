import Foundation
import Kafka
import Logging

/// Reads statistics documents (one per record value) from a Kafka topic (`--stats.topic`) into the
/// collector, for applications that would rather produce their statistics than POST them.
///
/// It assigns itself every partition of the topic at the end, so it reads only what is produced after
/// it starts: statistics are snapshots, older ones are of no use. It never joins a group and never
/// commits. Partitions added to the topic are picked up within `partitionRefresh`; re-assigning skips
/// the documents produced in between, which the next ones make up for.
public final class StatsTopicReader: Sendable {
    public let topic: String
    private let consumer: Consumer
    private let collector: ClientStatsCollector
    private let logger: Logger
    private let partitionRefresh: Duration
    private let loop: BackgroundLoop

    /// - Parameter callbacks: for the reader's own librdkafka handle, e.g. its statistics.
    public init(
        topic: String, configuration: ClientConfiguration, collector: ClientStatsCollector,
        callbacks: ClientCallbacks = ClientCallbacks(), partitionRefresh: Duration = .seconds(30), logger: Logger
    ) throws(KafkaError) {
        var configuration = configuration
        configuration.set("enable.auto.commit", "false")
        configuration.set("enable.auto.offset.store", "false")
        self.topic = topic
        self.collector = collector
        self.logger = logger
        self.partitionRefresh = partitionRefresh
        loop = BackgroundLoop(name: "stats-topic \(topic)")
        consumer = try Consumer(configuration: configuration, callbacks: callbacks)
    }

    deinit {
        stop()
    }

    /// Starts reading on a thread of its own, which keeps the reader alive until `stop()`.
    public func start() {
        let progress = ReadProgress()
        loop.start { [self] in
            if ContinuousClock.now >= progress.nextRefresh {
                progress.nextRefresh = .now + partitionRefresh
                progress.assigned = refreshAssignment(progress.assigned, lastError: &progress.lastError)
            }
            do {
                if let message = try consumer.poll(timeout: .milliseconds(100)) {
                    _ = try? collector.ingest(message.value, from: .topic)
                }
            } catch {
                report("\(error)", lastError: &progress.lastError)
            }
            return .zero
        }
    }

    /// Stops reading and closes the consumer; idempotent.
    public func stop() {
        loop.stop()
        consumer.close()
    }

    /// Assigns every partition of the topic at its end when the partitions differ from `assigned`.
    private func refreshAssignment(_ assigned: Set<Int32>, lastError: inout String?) -> Set<Int32> {
        do {
            let metadata = try consumer.client.fetchMetadata(timeout: .seconds(10))
            guard let info = metadata.topics.first(where: { $0.name == topic }), info.error == nil, !info.partitions.isEmpty else {
                report("statistics topic \(topic) not found", lastError: &lastError)
                return assigned
            }
            let partitions = Set(info.partitions.map(\.id))
            guard partitions != assigned else { return assigned }
            try consumer.assign(Dictionary(uniqueKeysWithValues: partitions.map { (TopicPartition(topic, $0), SpecialOffset.end) }))
            logger.info("reading statistics documents from topic", metadata: ["topic": "\(topic)", "partitions": "\(partitions.count)"])
            return partitions
        } catch {
            report(error.description, lastError: &lastError)
            return assigned
        }
    }

    /// Logs a problem once, not at every poll while it lasts.
    private func report(_ problem: String, lastError: inout String?) {
        guard problem != lastError else { return }
        lastError = problem
        logger.warning("statistics topic reader", metadata: ["topic": "\(topic)", "error": "\(problem)"])
    }
}

/// What the reading loop carries from one pass to the next; touched only on the loop's thread.
private final class ReadProgress: @unchecked Sendable {
    var assigned: Set<Int32> = []
    var nextRefresh = ContinuousClock.now
    var lastError: String?
}
