import Kafka
import Logging
import Support

/// Reads statistics documents (one per record value) from a Kafka topic (`--stats.topic`) into the
/// collector, for applications that would rather produce their statistics than POST them.
///
/// It assigns itself every partition of the topic at the end, so it reads only what is produced after
/// it starts: statistics are snapshots, older ones are of no use. It never joins a group and never
/// commits. Partitions added to the topic are picked up within `partitionRefresh`; re-assigning skips
/// the documents produced in between, which the next ones make up for.
package final class StatsTopicReader: Sendable {
    package let topic: String
    private let consumer: Consumer
    private let collector: ClientStatsCollector
    private let logger: Logger
    private let problems: ProblemLog<String>
    private let partitionRefresh: Duration
    private let loop: BackgroundLoop

    /// - Parameter consumer: a consumer of its own, e.g. from `KafkaClientFactory.consumer(role:)`;
    ///   it never commits.
    package init(
        topic: String, consumer: Consumer, collector: ClientStatsCollector, partitionRefresh: Duration = .seconds(30), logger: Logger
    ) {
        self.topic = topic
        self.consumer = consumer
        self.collector = collector
        self.logger = logger
        self.partitionRefresh = partitionRefresh
        problems = ProblemLog("statistics topic reader", logger: logger)
        loop = BackgroundLoop(name: "stats-topic \(topic)")
    }

    deinit {
        stop()
    }

    /// Starts reading on a thread of its own, which keeps the reader alive until `stop()`.
    package func start() {
        let progress = ReadProgress()
        loop.start(finish: consumer.closeWithoutLeavingGroup) { [self] in
            if ContinuousClock.now >= progress.nextRefresh {
                progress.nextRefresh = .now + partitionRefresh
                progress.assigned = refreshAssignment(progress.assigned)
            }
            if let message = consumer.next(timeout: .milliseconds(100), onError: { report("\($0)") }) {
                _ = try? collector.ingest(message.value, from: .topic)
            }
            return .zero
        }
    }

    /// Stops reading and closes the consumer, waiting for it at most `BackgroundLoop.consumerCloseLimit`;
    /// idempotent. Returns whether the consumer closed in that time.
    @discardableResult
    package func stop() -> Bool {
        loop.stop(closingConsumerOf: "the statistics topic reader", logger: logger)
    }

    /// Assigns every partition of the topic at its end when the partitions differ from `assigned`.
    private func refreshAssignment(_ assigned: Set<Int32>) -> Set<Int32> {
        do {
            let metadata = try consumer.client.fetchMetadata(timeout: .seconds(10))
            guard let info = metadata.topics.first(where: { $0.name == topic }), info.error == nil, !info.partitions.isEmpty else {
                report("statistics topic \(topic) not found")
                return assigned
            }
            let partitions = Set(info.partitions.map(\.id))
            guard partitions != assigned else { return assigned }
            try consumer.assign(Dictionary(uniqueKeysWithValues: partitions.map { (TopicPartition(topic, $0), SpecialOffset.end) }))
            logger.info("reading statistics documents from topic", metadata: ["topic": "\(topic)", "partitions": "\(partitions.count)"])
            return partitions
        } catch {
            report(error.description)
            return assigned
        }
    }

    /// Logs a problem once, not at every poll while it lasts.
    private func report(_ problem: String) {
        problems.report(problem, for: topic, metadata: ["topic": "\(topic)"])
    }
}

/// What the reading loop carries from one pass to the next; touched only on the loop's thread.
private final class ReadProgress: @unchecked Sendable {
    var assigned: Set<Int32> = []
    var nextRefresh = ContinuousClock.now
}
