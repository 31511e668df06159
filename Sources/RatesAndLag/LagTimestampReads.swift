import Exposition
import Kafka
import Logging
import Support

/// Reads the record timestamps lag in seconds asks for, on a thread of its own, so that a slow or
/// unreachable leader never delays a cycle or a scrape: each cycle's wish is cut to the budget and
/// replaces the previous one; the thread reads it in batches of one offset per partition (librdkafka
/// fetches all partitions of a leader in one request) and hands the answers to the next cycle.
///
/// The thread and the reader's consumer start with the first wish that is not empty: while no group
/// lags, the reads cost neither.
package final class LagTimestampReads: LagTimestampSource {
    package struct Settings: Sendable, Equatable {
        /// Positions read per cycle at most (`--lag.timestamp-reads`); 0 turns reads off.
        package var partitionsPerCycle = 100
        /// `max.partition.fetch.bytes` of the reads (`--lag.timestamp-fetch-bytes`).
        package var partitionFetchBytes = 16 * 1024
        /// How long a batch waits for its slowest partition before it counts as a timeout.
        package var timeout: Duration = .seconds(10)

        package init() {}
    }

    /// Why a read gave no usable timestamp, as counted in `kafka_exporter_lag_timestamp_read_failures_total`.
    package enum Failure: String, CaseIterable, Sendable {
        case timeout
        case offsetOutOfRange = "offset_out_of_range"
        case noTimestamp = "no_timestamp"
        case error
    }

    private struct State {
        var pending: [RecordPosition] = []
        var inFlight: Set<RecordPosition> = []
        var finished: [RecordPosition: TimestampRead] = [:]
        var counts = Counts()
        /// Set by `start()`.
        var mayStart = false

        /// Whether the thread is wanted: reads may begin and something is wanted. Starting it again
        /// once it runs, or after `stop()`, does nothing (`BackgroundLoop.start`).
        var wantsThread: Bool { mayStart && !pending.isEmpty }
    }

    package struct Counts: Sendable, Equatable {
        package var reads = 0
        package var bytes = 0
        package var skippedByBudget = 0
        package var failures: [Failure: Int] = [:]
    }

    private let settings: Settings
    private let reader: FirstRecordReader
    private let logger: Logger
    private let problems: ProblemLog<Failure>
    private let state = Locked(State())
    private let loop = BackgroundLoop(name: "lag-timestamps")

    package init(settings: Settings, reader: FirstRecordReader, logger: Logger) {
        precondition(settings.partitionsPerCycle > 0, "a reader without budget is not made")
        self.settings = settings
        self.reader = reader
        self.logger = logger
        problems = ProblemLog("timestamp read failed; lag in seconds stays interpolated", recovery: "timestamp reads recovered", logger: logger)
    }

    /// Lets the reads begin: the thread starts now if something is wanted, else with the first wish.
    package func start() {
        let starts = state.withLock { state in
            state.mayStart = true
            return state.wantsThread
        }
        if starts { startThread() }
    }

    private func startThread() {
        loop.start(finish: reader.close) { [self] in
            if readPending() { return .zero }
            // Without a consumer (opening it failed) there are no events to serve until the next wish.
            return reader.serveEvents(waitingAtMost: .milliseconds(50)) ? .zero : .milliseconds(50)
        }
    }

    /// Returns whether the reader stopped and closed its consumer within `BackgroundLoop.consumerCloseLimit`
    /// (at once when the thread never started: then no consumer was opened).
    @discardableResult
    package func stop() -> Bool {
        loop.stop(closingConsumerOf: "the lag-timestamp reader", logger: logger)
    }

    package func takeFinishedReads() -> [RecordPosition: TimestampRead] {
        state.withLock { state in
            defer { state.finished = [:] }
            return state.finished
        }
    }

    package func want(_ positions: [RecordPosition]) {
        let starts = state.withLock { state in
            let candidates = positions.filter { !state.inFlight.contains($0) }
            state.pending = Array(candidates.prefix(settings.partitionsPerCycle))
            state.counts.skippedByBudget += candidates.count - state.pending.count
            return state.wantsThread
        }
        if starts { startThread() }
    }

    package var counts: Counts { state.withLock { $0.counts } }

    /// Whether reads are waiting or under way.
    package var isBusy: Bool { state.withLock { !$0.pending.isEmpty || !$0.inFlight.isEmpty } }

    /// Reads one batch of the pending positions; false when there was none.
    private func readPending() -> Bool {
        let batch = state.withLock { state -> [TopicPartition: Int64] in
            var batch: [TopicPartition: Int64] = [:]
            var rest: [RecordPosition] = []
            for position in state.pending {
                if batch[position.partition] == nil { batch[position.partition] = position.offset } else { rest.append(position) }
            }
            state.pending = rest
            state.inFlight = Set(batch.map { RecordPosition($0.key, $0.value) })
            return batch
        }
        guard !batch.isEmpty else { return false }
        // Per reason, the smallest partition's problem: the same line every batch while the same partitions fail.
        var failed: [Failure: (partition: TopicPartition, problem: String)] = [:]
        func fail(_ failure: Failure, _ partition: TopicPartition, _ problem: String) {
            if failed[failure].map({ partition < $0.partition }) ?? true { failed[failure] = (partition, problem) }
        }
        reader.read(batch, timeout: settings.timeout, isCancelled: { loop.isStopping }) { partition, result in
            let position = RecordPosition(partition, batch[partition]!)
            state.withLock { state in
                state.inFlight.remove(position)
                switch result {
                case .record(let offset, let timestamp, let bytes):
                    state.counts.reads += 1
                    state.counts.bytes += bytes
                    if let milliseconds = timestamp.milliseconds {
                        state.finished[position] = .written(seconds: Double(milliseconds) / 1000, laterOffset: offset > position.offset)
                    } else {
                        state.finished[position] = .noTimestamp
                        state.counts.failures[.noTimestamp, default: 0] += 1
                        fail(.noTimestamp, partition, "the record at offset \(offset) has no timestamp")
                    }
                case .endOfPartition(let end):
                    state.finished[position] = .onlyMarkers(end: end)
                case .failed(let error):
                    let failure: Failure = error.isTimeout ? .timeout : error.isOffsetOutOfRange ? .offsetOutOfRange : .error
                    state.counts.failures[failure, default: 0] += 1
                    fail(failure, partition, "offset \(position.offset): \(error)")
                }
            }
        }
        for failure in Failure.allCases {
            problems.report(failed[failure].map { "\($0.partition) \($0.problem)" }, for: failure, metadata: ["reason": "\(failure.rawValue)"])
        }
        return true
    }

    // MARK: Families

    package static var declaredFamilies: [MetricFamily] { totals.map(\.family) + failureFamily.declaredFamilies }

    private static let totals: [(family: MetricFamily, value: @Sendable (Counts) -> Int)] = [
        (MetricFamily(
            name: "kafka_exporter_lag_timestamp_reads_total", help: "Records read for the timestamp behind kafka_consumergroup_lag_seconds.",
            type: .counter), \.reads),
        (MetricFamily(
            name: "kafka_exporter_lag_timestamp_read_bytes_total",
            help: "Key and value bytes of the records read for their timestamps (the record batches fetched around them are larger).",
            type: .counter), \.bytes),
        (MetricFamily(
            name: "kafka_exporter_lag_timestamp_skipped_total",
            help: "Timestamp reads a cycle wanted beyond --lag.timestamp-reads: their lag in seconds stays interpolated until a later cycle reads them.",
            type: .counter), \.skippedByBudget),
    ]

    private static let failureFamily = FamilyTable<(Failure, Int)>(labelNames: ["reason"], [
        .init(
            "kafka_exporter_lag_timestamp_read_failures_total", .counter,
            "Timestamp reads that gave no usable timestamp, by reason: \(Failure.allCases.map(\.rawValue).joined(separator: ", "))."
        ) { Double($0.1) },
    ])

    package func families() -> [MetricFamily] {
        let counts = counts
        let totals = Self.totals.map { total in
            var family = total.family
            family.add(Double(total.value(counts)))
            return family
        }
        var failures = Self.failureFamily.filling(capacity: Failure.allCases.count)
        for failure in Failure.allCases { failures.add((failure, counts.failures[failure] ?? 0), failure.rawValue) }
        return totals + failures.families
    }
}
