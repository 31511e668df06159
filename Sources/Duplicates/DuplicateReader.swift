import Exposition
import FoundationEssentials
import Kafka
import Logging
import Support

/// Reads the partitions it is told to follow — with a consumer that is assigned partitions (never joins
/// the applications' groups), starts at the end and never commits — and counts records whose key and
/// value were already seen within the window. All Kafka I/O happens on the reader's own thread.
package final class DuplicateReader: Sendable {

    private struct State {
        var windows: [String: DuplicateWindow] = [:]
        var recordsRead: [String: Int] = [:]
        /// The next offset to read of every assigned partition, where one was read.
        var nextOffsets: [TopicPartition: Int64] = [:]
        var assigned: Set<TopicPartition> = []
        /// Partitions to follow that the reading thread has not assigned yet.
        var wanted: Set<TopicPartition>?
    }

    private let settings: DuplicateSettings
    private let consumer: Consumer
    private let logger: Logger
    private let state = Locked(State())
    private let loop = BackgroundLoop(name: "duplicates")

    package init(settings: DuplicateSettings, consumer: Consumer, logger: Logger) {
        self.settings = settings
        self.consumer = consumer
        self.logger = logger
    }

    package func start() {
        loop.start(finish: consumer.closeWithoutLeavingGroup) { [self] in
            assignIfWanted()
            readNext()
            return .zero
        }
    }

    /// Returns whether the consumer closed within `BackgroundLoop.consumerCloseLimit`.
    @discardableResult
    package func stop() -> Bool {
        loop.stop(closingConsumerOf: "the duplicate reader", logger: logger)
    }

    /// Follows these partitions from now on (new ones are read from their end); the reading thread
    /// assigns them before its next read.
    package func follow(_ partitions: Set<TopicPartition>) {
        state.withLock { state in
            state.wanted = partitions == state.assigned ? nil : partitions
        }
    }

    private func assignIfWanted() {
        let assignment = state.withLock { state -> [TopicPartition: Int64]? in
            guard let wanted = state.wanted else { return nil }
            state.wanted = nil
            state.assigned = wanted
            state.nextOffsets = state.nextOffsets.filter { wanted.contains($0.key) }
            return Dictionary(uniqueKeysWithValues: wanted.map { ($0, state.nextOffsets[$0] ?? SpecialOffset.end) })
        }
        guard let assignment else { return }
        do {
            try consumer.assign(assignment)
            logger.info("reading topics for duplicates", metadata: ["partitions": "\(assignment.count)"])
        } catch {
            logger.warning("cannot assign partitions for duplicate detection", metadata: ["error": "\(error)"])
        }
    }

    private func readNext() {
        guard let message = consumer.next(timeout: .milliseconds(200), onError: { error in
            logger.debug("duplicate detection read error", metadata: ["error": "\(error)"])
        }) else { return }
        let hash = Self.contentHash(key: message.key, value: message.value)
        let now = Date()
        state.withLock { state in
            let topic = message.topicPartition.topic
            state.nextOffsets[message.topicPartition] = message.offset + 1
            state.recordsRead[topic, default: 0] += 1
            var window = state.windows[topic] ?? DuplicateWindow(
                window: settings.window, samplingFactor: settings.samplingFactor, maxEntries: settings.maxEntriesPerTopic)
            if window.samples(hash) { window.observe(hash, at: now) }
            state.windows[topic] = window
        }
    }

    /// A 64-bit hash of the record's content (SipHash-1-3 through Swift's Hasher, seeded once per process).
    static func contentHash(key: [UInt8]?, value: [UInt8]) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(key?.count ?? -1)
        key.map { $0.withUnsafeBytes { hasher.combine(bytes: $0) } }
        value.withUnsafeBytes { hasher.combine(bytes: $0) }
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }

    /// What the reader knows of one topic when the families are built.
    private struct TopicCounts {
        let read: Int
        let window: DuplicateWindow
        let inWindow: DuplicateWindow.Counts
    }

    static var declaredFamilies: [MetricFamily] { families.declaredFamilies }

    private static let families = FamilyTable<TopicCounts>(labelNames: ["topic"], [
        .init("kafka_topic_records_read_total", .counter, "Records the duplicate detector read from the topic.") { Double($0.read) },
        .init("kafka_topic_records_sampled_total", .counter, "Records examined for duplicates (one in the sampling factor).") {
            Double($0.window.sampledTotal)
        },
        .init(
            "kafka_topic_duplicate_records_total", .counter,
            "Sampled records whose key and value were already seen within --duplicates.window."
        ) { Double($0.window.duplicatesTotal) },
        .init(
            "kafka_topic_duplicate_ratio", .gauge,
            "Share of the records of the last --duplicates.window that repeat an earlier record (estimated from the sample); present once it is exact to \(RatioPrecision.publishedWithin) (kafka_topic_duplicate_ratio_bound)."
        ) { $0.inWindow.publishedRatio },
        .init(
            "kafka_topic_duplicate_ratio_bound", .gauge,
            "How far the duplicate share of the window's sampled records may be from the topic's (95% Wilson interval)."
        ) { $0.inWindow.sampled > 0 ? $0.inWindow.bound : nil },
        .init(
            "kafka_topic_duplicate_window_samples", .gauge,
            "Records sampled within the last --duplicates.window: the count behind the duplicate ratio."
        ) { Double($0.inWindow.sampled) },
        .init("kafka_topic_duplicate_sampling_factor", .gauge, "One record in this many is examined for duplicates.") {
            Double($0.window.samplingFactor)
        },
    ])

    /// The duplicate families, with ratios over the window ending at `now`.
    package func families(at now: Date) -> [MetricFamily] {
        var families = Self.families.filling()
        state.withLock { state in
            for topic in state.windows.keys.sorted() {
                var window = state.windows[topic]!
                let inWindow = window.counts(at: now)
                state.windows[topic] = window
                families.add(TopicCounts(read: state.recordsRead[topic] ?? 0, window: window, inWindow: inWindow), topic)
            }
        }
        return families.families
    }
}
